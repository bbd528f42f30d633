"""A module's printable sheet (fiche.yaml): one A4 page in PDF/UA, and the same text in HTML.

Laid out by lms.pdf, as the attestation is: PDF/UA-1, Marianne embedded, a structure tree from
the HTML, the language and the title declared.
"""

from flask import render_template

from lms.formatting import nombre
from lms.pdf import pdf_ua

from .content import Module


def sheet_pdf(module: Module) -> bytes:
    """The sheet as PDF bytes, drawn once per module: the content does not change while the
    platform runs."""
    sheet = module.sheet
    if sheet.pdf is None:
        html = render_template("courses/fiche_pdf.html", module=module, sheet=sheet)
        sheet.pdf = pdf_ua(html)
    return sheet.pdf


def pdf_size(module: Module) -> str:
    """The size the DSFR download link states, « 48 ko »."""
    return f"{nombre(max(1, round(len(sheet_pdf(module)) / 1000)))} ko"
