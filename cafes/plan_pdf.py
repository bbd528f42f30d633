"""The café plan as a printable PDF/UA-1, laid out by WeasyPrint like the attestation: Marianne
embedded, a structure tree from the HTML (headings, the sequence as a table, lists)."""

from flask import render_template

from certificates.pdf import french_date
from lms.pdf import pdf_ua


def render_plan(plan, labels: dict) -> bytes:
    html = render_template(
        "cafes/plan_pdf.html",
        plan=plan,
        day=french_date(plan.day) if plan.day else None,
        **labels,
    )
    return pdf_ua(html)
