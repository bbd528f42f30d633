"""The PDF attestation: what a reader, a copy-paste and a phone's camera get out of it."""

import datetime
import io

import pytest
import zxingcpp
from pypdf import PdfReader

from certificates.pdf import format_duration, french_date, render_certificate

MODULES = [
    ("Histoire de l'IA : entre réalité et fictions", 54),
    ("Données et algorithmes", 71),
    ("IA et travail", 69),
    ("Animer un Café IA", 82),
]
CODE = "sq3Kx0bE2m9QqZr7VfL1Aw"
VERIFY_URL = f"https://formation.cafe-ia.example/verifier/{CODE}"
SAMPLE = dict(
    full_name="Camille Martin",
    training_title="Café IA — Formation des animateurs et animatrices",
    modules=MODULES,
    issued_on=datetime.date(2026, 11, 23),
    issuer="Café IA — Formation des animateurs, programme national Café IA",
    code=CODE,
    verify_url=VERIFY_URL,
)


def render(**changes) -> PdfReader:
    return PdfReader(io.BytesIO(render_certificate(**{**SAMPLE, **changes})))


def page_text(reader: PdfReader) -> str:
    # Lines wrap wherever the layout puts them, and guillemets hold no-break spaces:
    # compare with every run of whitespace made one plain space.
    return " ".join(reader.pages[0].extract_text().split())


@pytest.fixture(scope="module")
def attestation() -> PdfReader:
    return render()


def test_one_a4_landscape_page(attestation):
    (page,) = attestation.pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points


def test_text_names_the_person_the_training_the_modules_the_date_and_the_code(attestation):
    text = page_text(attestation)
    assert "Attestation de formation" in text
    assert "Camille Martin" in text
    assert "« Café IA — Formation des animateurs et animatrices »" in text
    assert "« Animateur·rice Café IA »" in text
    for title, _ in MODULES:
        assert title in text
    assert "54 min" in text and "1 h 22 min" in text
    assert "Durée totale 4 h 36 min" in text
    assert "23 novembre 2026" in text
    assert "programme national Café IA" in text
    assert CODE in text
    assert f"en scannant le QR code ou sur {VERIFY_URL}" in text


def test_the_qr_code_decodes_to_exactly_the_verification_url(attestation):
    (image,) = attestation.pages[0].images
    (barcode,) = zxingcpp.read_barcodes(image.image)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == VERIFY_URL


def test_french_characters_survive_in_the_extracted_text():
    reader = render(
        full_name="Zoé Lœuvre-N’Diaye",
        training_title="Mettre l’IA en œuvre : devenir animateur·rice",
    )
    text = page_text(reader)
    assert "Zoé Lœuvre-N’Diaye" in text
    assert "« Mettre l’IA en œuvre : devenir animateur·rice »" in text


def test_a_very_long_name_and_title_stay_on_one_page():
    reader = render(
        full_name="Marie-Héloïse de La Tour d’Auvergne-Lauraguais-Saint-Pierre-des-Champs",
        training_title="Café IA — comprendre l’intelligence artificielle et en débattre " * 2,
    )
    assert len(reader.pages) == 1
    assert "Saint-Pierre-des-Champs" in page_text(reader)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 11, 23), "23 novembre 2026"),
        (datetime.date(2027, 3, 1), "1er mars 2027"),
        (datetime.date(2027, 8, 15), "15 août 2027"),
        (datetime.date(2027, 2, 9), "9 février 2027"),
    ],
)
def test_dates_are_written_out_in_french(day, expected):
    assert french_date(day) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(54, "54 min"), (60, "1 h"), (69, "1 h 9 min"), (276, "4 h 36 min"), (0, "0 min")],
)
def test_durations_read_as_hours_and_minutes(minutes, expected):
    assert format_duration(minutes) == expected
