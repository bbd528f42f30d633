"""The animateur·rice Café IA attestation, drawn as a one-page PDF (A4 landscape, in French).

WeasyPrint lays out an HTML page and writes it as PDF/UA-1: every font embedded, a structure
tree built from the HTML (headings, paragraphs, the programme as a table, the QR code as a
figure with its text), in the document's order, with its language and its title shown.
"""

import base64
import datetime
import functools
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from jinja2 import Environment, FileSystemLoader

from lms.formatting import date_longue
from lms.pdf import FONTS, pdf_ua

# Marianne, the State's typeface, as shipped by the DSFR npm package (`make setup` installs it).
# Marianne has no monospaced face: DejaVu Sans Mono, from Debian's fonts-dejavu-core (`make pdf`).
CODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"), autoescape=True
)

NBSP = "\u00a0"  # French typography: « guillemets » hold their words with a no-break space
MM = 72 / 25.4  # points per millimetre


def render_certificate(
    *,
    full_name: str,
    training_title: str,
    modules: list[tuple[str, int]],
    issued_on: datetime.date,
    issuer: str,
    code: str,
    verify_url: str,
) -> bytes:
    """The attestation as PDF bytes: A4 landscape, in French, tagged for screen readers."""
    html = TEMPLATES.get_template("certificates/attestation_pdf.html").render(
        full_name=full_name,
        # A long name gets a smaller size rather than a second line: the page is fixed.
        name_size=_size_to_fit(full_name, 24, smallest=16, width_mm=227, bold=True),
        training_title=training_title,
        issued_on=date_longue(issued_on),
        modules=[
            (
                f"{number}. {title}",
                format_duration(minutes),
                _size_to_fit(f"{number}. {title}", 10, smallest=7, width_mm=115, bold=False),
            )
            for number, (title, minutes) in enumerate(modules, start=1)
        ],
        total=format_duration(sum(minutes for _, minutes in modules)),
        issuer=issuer,
        code=code,
        verify_url=verify_url,
        qr_png=_qr_png(verify_url),
        code_font=CODE_FONT.as_uri(),
        rule=_rule_svg,
    )
    return pdf_ua(html)


def _qr_png(url: str) -> str:
    # Always a full QR code (a micro QR would not scan on most phones), with its 4-module quiet zone.
    qr = segno.make_qr(url, error="m")
    return qr.png_data_uri(scale=8, border=4)


def _rule_svg(colour: str, width_mm: float, height_mm: float) -> str:
    """A plain coloured rule, as an SVG data URL for a CSS background."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_mm}mm" height="{height_mm}mm">'
        f'<rect width="100%" height="100%" fill="{colour}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _size_to_fit(text: str, size: float, *, smallest: float, width_mm: float, bold: bool) -> float:
    """The largest size, down to `smallest` by half points, at which `text` fits on one line."""
    while _width_mm(text, size, bold) > width_mm and size > smallest:
        size -= 0.5
    return size


def _width_mm(text: str, size: float, bold: bool) -> float:
    advances, units_per_em = _marianne_metrics(bold)
    default = advances.get("n", units_per_em // 2)
    return sum(advances.get(char, default) for char in text) / units_per_em * size / MM


@functools.cache
def _marianne_metrics(bold: bool) -> tuple[dict[str, int], int]:
    font = TTFont(FONTS / ("Marianne-Bold.woff" if bold else "Marianne-Regular.woff"))
    metrics = font["hmtx"].metrics
    advances = {chr(code): metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
    return advances, font["head"].unitsPerEm


def _quoted(text: str) -> str:
    return f"«{NBSP}{text}{NBSP}»"


TEMPLATES.filters["quoted"] = _quoted


french_date = date_longue  # « 1er mars 2027 »: the dates of the printed pages, as on screen


def format_duration(minutes: int) -> str:
    """« 54 min », « 1 h », « 4 h 36 min »."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
