"""A module's printable sheet (fiche.yaml): one A4 page in PDF/UA, and the same text in HTML.

WeasyPrint lays the page out as the attestation's (certificates/pdf.py) is: PDF/UA-1, every
font embedded, a structure tree from the HTML, the language and the title declared.
"""

from pathlib import Path

from flask import render_template
from weasyprint import HTML

from lms.formatting import nombre

from .content import Module

# Marianne, from the DSFR npm package (`make setup`), as for the attestation.
FONTS = Path(__file__).resolve().parent.parent / "node_modules/@gouvfr/dsfr/dist/fonts"


def sheet_pdf(module: Module) -> bytes:
    """The sheet as PDF bytes, drawn once per module: the content does not change while the
    platform runs."""
    sheet = module.sheet
    if sheet.pdf is None:
        html = render_template("courses/fiche_pdf.html", module=module, sheet=sheet)
        sheet.pdf = HTML(string=html, base_url=f"{FONTS.as_uri()}/").write_pdf(
            pdf_variant="pdf/ua-1"
        )
    return sheet.pdf


def pdf_size(module: Module) -> str:
    """The size the DSFR download link states, « 48 ko »."""
    return f"{nombre(max(1, round(len(sheet_pdf(module)) / 1000)))} ko"
