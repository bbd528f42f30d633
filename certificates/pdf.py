"""The animateur·rice Café IA attestation, drawn as a one-page PDF (A4 landscape, in French)."""

import datetime
import io
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

# Marianne, the State's typeface, as shipped by the DSFR npm package (`make setup` installs it).
# fpdf2 (>= 2.8.6) reads WOFF itself and embeds it as a plain TrueType subset: no conversion.
FONTS = Path(__file__).resolve().parent.parent / "node_modules/@gouvfr/dsfr/dist/fonts"
FONT_FILES = {"": "Marianne-Regular.woff", "B": "Marianne-Bold.woff"}

# DSFR colours: blue France and red Marianne as accents, greys for the body text.
BLUE = (0, 0, 145)  # #000091
RED = (225, 0, 15)  # #E1000F
INK = (22, 22, 22)  # #161616, DSFR's default text
GREY = (102, 102, 102)  # #666666, DSFR's "mention" grey
RULE = (221, 221, 221)  # #DDDDDD, DSFR's default border
TINT = (245, 245, 254)  # #F5F5FE, blue France 975, behind the verification block

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
NBSP = "\u00a0"  # French typography: « guillemets » hold their words with a no-break space

# Page geometry, in millimetres: A4 landscape, a frame 9 mm in, the content 25 mm in.
PAGE_W, PAGE_H = 297, 210
FRAME = 9
LEFT = 25
WIDTH = PAGE_W - 2 * LEFT


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
    """The attestation as PDF bytes: A4 landscape, in French."""
    pdf = _new_document(full_name)
    _draw_frame(pdf)
    _draw_header(pdf)
    _draw_statement(pdf, full_name, training_title, issued_on)
    _draw_modules(pdf, modules)
    _draw_issuer(pdf, issuer, issued_on)
    _draw_verification(pdf, code, verify_url)
    return bytes(pdf.output())


def _new_document(full_name: str) -> FPDF:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    # One fixed page: nothing may flow onto a second one.
    pdf.set_auto_page_break(False)
    pdf.set_margins(LEFT, FRAME, LEFT)
    for style, filename in FONT_FILES.items():
        pdf.add_font("Marianne", style, FONTS / filename)
    # Metadata, so that the file reads well in a viewer's title bar and to screen readers.
    pdf.set_lang("fr")
    pdf.set_title(f"Attestation de formation Café IA — {full_name}")
    pdf.set_author("Café IA — Formation des animateurs")
    pdf.set_creator("Café IA Formation")
    pdf.add_page()
    return pdf


def _draw_frame(pdf: FPDF) -> None:
    """A thin blue France frame, topped by a blue band ending in a red tip."""
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.6)
    pdf.rect(FRAME, FRAME, PAGE_W - 2 * FRAME, PAGE_H - 2 * FRAME)
    pdf.set_fill_color(*BLUE)
    pdf.rect(FRAME, FRAME, PAGE_W - 2 * FRAME - 40, 3, style="F")
    pdf.set_fill_color(*RED)
    pdf.rect(PAGE_W - FRAME - 40, FRAME, 40, 3, style="F")


def _draw_header(pdf: FPDF) -> None:
    """A text-only brand block (no Marianne logo: it is reserved to the State's own services)."""
    pdf.set_xy(LEFT, 20)
    _font(pdf, "B", 15, BLUE)
    pdf.cell(text="Café IA", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _font(pdf, "", 9, GREY)
    pdf.cell(text="Formation des animateurs et animatrices")
    pdf.set_xy(LEFT, 21)
    _font(pdf, "", 9, GREY)
    pdf.cell(WIDTH, 5, "Programme national Café IA", align=Align.R)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.line(LEFT, 34, PAGE_W - LEFT, 34)


def _draw_statement(
    pdf: FPDF, full_name: str, training_title: str, issued_on: datetime.date
) -> None:
    pdf.set_xy(LEFT, 42)
    _font(pdf, "B", 28, BLUE)
    pdf.cell(
        WIDTH, 13, "Attestation de formation", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    # A short red rule under the title, the DSFR's way of marking a heading.
    pdf.set_fill_color(*RED)
    pdf.rect(PAGE_W / 2 - 12, pdf.get_y() + 2, 24, 0.9, style="F")
    pdf.set_y(pdf.get_y() + 9)
    _font(pdf, "", 12, GREY)
    pdf.cell(WIDTH, 7, "Nous attestons que", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _font(pdf, "B", 24, INK)
    _shrink_to_fit(pdf, full_name, WIDTH - 20, smallest=16)
    pdf.multi_cell(WIDTH, 12, full_name, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(pdf.get_y() + 1)
    _font(pdf, "", 12.5, INK)
    sentence = (
        f"a suivi la formation {_quoted(training_title)} et a obtenu le statut "
        f"{_quoted('Animateur·rice Café IA')} le {french_date(issued_on)}."
    )
    # Narrower than the page, so that a long title wraps into a balanced centred paragraph.
    pdf.set_x(LEFT + 25)
    pdf.multi_cell(WIDTH - 50, 6.5, sentence, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _draw_modules(pdf: FPDF, modules: list[tuple[str, int]]) -> None:
    """The programme followed, one ruled line per module, then the total in bold."""
    x, width, row = LEFT, 150, 6.6
    pdf.set_xy(x, 108)
    _font(pdf, "B", 10, BLUE)
    pdf.cell(width, 7, "Programme suivi", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_line_width(0.2)
    for number, (title, minutes) in enumerate(modules, start=1):
        _font(pdf, "", 10, INK)
        _shrink_to_fit(pdf, f"{number}. {title}", width - 32, smallest=7)
        pdf.cell(width - 30, row, f"{number}. {title}")
        pdf.cell(30, row, format_duration(minutes), align=Align.R, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_x(x)  # back from the duration column to the start of the row
        pdf.set_draw_color(*RULE)
        pdf.line(x, pdf.get_y(), x + width, pdf.get_y())
    total = sum(minutes for _, minutes in modules)
    _font(pdf, "B", 10, INK)
    pdf.cell(width - 30, row + 1, "Durée totale")
    pdf.cell(30, row + 1, format_duration(total), align=Align.R)


def _draw_issuer(pdf: FPDF, issuer: str, issued_on: datetime.date) -> None:
    """Where a paper attestation is signed: the usual formula, the date and the issuer."""
    x, width = LEFT + 165, WIDTH - 165
    pdf.set_xy(x, 109)
    _font(pdf, "", 10, GREY)
    pdf.cell(
        width, 6, "Fait pour servir et valoir ce que de droit.", new_x=XPos.LEFT, new_y=YPos.NEXT
    )
    pdf.cell(
        width, 6, f"Délivrée le {french_date(issued_on)} par", new_x=XPos.LEFT, new_y=YPos.NEXT
    )
    pdf.set_xy(x, pdf.get_y() + 1)  # set_y alone would send x back to the left margin
    _font(pdf, "B", 10.5, INK)
    pdf.multi_cell(width, 5.5, issuer, align=Align.L, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.4)
    x += pdf.c_margin  # under the text, which cells indent by their inner margin
    pdf.line(x, pdf.get_y() + 2.5, x + 20, pdf.get_y() + 2.5)


def _draw_verification(pdf: FPDF, code: str, verify_url: str) -> None:
    """A tinted band: the QR code (made by segno, the exact URL) and the same URL and code in text."""
    top, height, qr_size = 152, 41, 33
    pdf.set_fill_color(*TINT)
    pdf.rect(LEFT, top, WIDTH, height, style="F")
    pdf.image(_qr_png(verify_url), x=PAGE_W - LEFT - qr_size - 4, y=top + 4, w=qr_size, h=qr_size)
    text_x, text_w = LEFT + 7, WIDTH - qr_size - 22
    pdf.set_xy(text_x, top + 6)
    _font(pdf, "B", 10, BLUE)
    pdf.cell(text_w, 6, "Vérification de l’attestation", new_x=XPos.LEFT, new_y=YPos.NEXT)
    _font(pdf, "", 9.5, INK)
    pdf.multi_cell(
        text_w, 5.2,
        f"Vérifiez l’authenticité de cette attestation en scannant le QR code ou sur {verify_url}",
        align=Align.L, new_x=XPos.LEFT, new_y=YPos.NEXT,
    )  # fmt: skip
    pdf.set_xy(text_x, pdf.get_y() + 3)
    _font(pdf, "", 9, GREY)
    pdf.cell(text=f"Code de vérification{NBSP}:  ")
    # The code in a monospaced face, so that 0/O and l/1/I can be told apart when typed by hand.
    pdf.set_font("Courier", "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(text=code)


def _qr_png(url: str) -> io.BytesIO:
    # Always a full QR code (a micro QR would not scan on most phones), with its 4-module quiet zone.
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return buffer


def _font(pdf: FPDF, style: str, size: float, colour: tuple[int, int, int]) -> None:
    pdf.set_font("Marianne", style, size)
    pdf.set_text_color(*colour)


def _shrink_to_fit(pdf: FPDF, text: str, width: float, smallest: float) -> None:
    # A long name or title gets a smaller size rather than overflowing into its neighbours:
    # the page is fixed and every block has its place.
    while pdf.get_string_width(text) > width and pdf.font_size_pt > smallest:
        pdf.set_font_size(pdf.font_size_pt - 0.5)


def _quoted(text: str) -> str:
    return f"«{NBSP}{text}{NBSP}»"


def french_date(day: datetime.date) -> str:
    """« 23 novembre 2026 », « 1er mars 2027 »: written out, independent of the server's locale."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def format_duration(minutes: int) -> str:
    """« 54 min », « 1 h », « 4 h 36 min »."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
