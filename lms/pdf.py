"""PDF/UA-1 from HTML, with the DSFR's fonts: the attestation, the module sheets, the café plan.

WeasyPrint lays out the page and embeds every font it uses, with a structure tree built from
the HTML. It is imported on the first PDF only: loading it (Pango, Cairo, fontconfig) takes
a second or more, which every start would otherwise pay, a `flask` command included."""

from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "node_modules/@gouvfr/dsfr/dist/fonts"


def pdf_ua(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=f"{FONTS.as_uri()}/").write_pdf(pdf_variant="pdf/ua-1")
