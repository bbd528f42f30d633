"""The PDF attestation: what a reader, a copy-paste, a screen reader and a phone's camera get
out of it, checked by software we did not write (poppler's pdffonts and pdfinfo, pypdf)."""

import datetime
import io
import logging
import subprocess

import pytest
import zxingcpp
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from certificates import status
from certificates.pdf import format_duration, render_certificate
from lms.formatting import date_longue

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


def test_a_long_name_title_and_issuer_leave_the_verification_band_below_the_programme():
    reader = render(
        full_name="Marie-Héloïse de La Tour d’Auvergne-Lauraguais-Saint-Pierre-des-Champs",
        training_title="Café IA — comprendre l’intelligence artificielle et en débattre " * 2,
        issuer="Café IA — Formation des animateurs, programme national Café IA, " * 2,
    )
    heights = {text: y for text, y in positioned_text(reader)}
    band = heights["Vérification de l’attestation"]
    assert min(heights["Durée totale"], *last_issuer_lines(heights)) > band + 20  # points
    assert heights[CODE] > 9 * 72 / 25.4  # above the frame's bottom edge


def last_issuer_lines(heights: dict[str, float]) -> list[float]:
    return [y for text, y in heights.items() if "programme national Café IA" in text]


# --- what other programs read: fonts, tags, reading order ------------------------------------


@pytest.fixture
def served(client, certified, tmp_path):  # noqa: F811
    """The attestation as the platform serves it to its certified holder, saved for poppler."""
    response = client.get("/mon-statut/attestation.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "attestation.pdf"
    path.write_bytes(response.data)
    return path


def poppler(tool: str, path) -> str:
    # poppler-utils comes from Debian (`make pdf`, on which `make test` depends).
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


def test_pdffonts_finds_every_font_embedded(served):
    header, rule, *rows = poppler("pdffonts", served).splitlines()
    assert header.split()[:5] == ["name", "type", "encoding", "emb", "sub"] and rows
    for row in rows:
        # The columns: name, type (one or two words), encoding, emb, sub, uni, object ID.
        assert row.split()[-5] == "yes", f"not embedded: {row}"
    names = [row.split()[0] for row in rows]
    assert any(name.endswith("+Marianne") for name in names)
    assert any(name.endswith("+Marianne-Bold") for name in names)


def test_pdfinfo_says_tagged_and_the_title_names_the_person(served, certified):  # noqa: F811
    info = dict(
        line.split(":", 1) for line in poppler("pdfinfo", served).splitlines() if ":" in line
    )
    assert info["Tagged"].strip() == "yes"
    assert info["Title"].strip() == f"Attestation de formation Café IA — {certified.full_name}"
    assert info["Pages"].strip() == "1"


def test_the_catalog_asks_viewers_for_the_title_and_declares_french(served):
    root = PdfReader(served).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert root["/Lang"] == "fr-FR"
    assert "pdfuaid:part" in root["/Metadata"].get_object().get_data().decode()


def test_the_structure_tree_reads_the_page_in_its_visual_order(served, certified):  # noqa: F811
    reader = PdfReader(served)
    code = status.certificate_of(certified).code
    url = f"http://cafeia.test/verifier/{code}"
    texts = marked_texts(reader)
    assert None not in texts, f"text outside any tag: {texts.get(None)}"
    read = [(role, texts.pop(mcid)) for role, mcid in structure_order(reader) if mcid in texts]
    assert not texts, f"tagged text missing from the structure tree: {texts}"
    # Compared without spaces: pypdf puts one where two proportional glyphs of the random
    # code sit apart (« Q2Q J »), so the words are matched as their letters.
    words = ["".join(text.split()) for _, text in read]
    # As a person reads the page: the header, the statement, the programme (left), the
    # issuer (right), then the verification band.
    expected = [
        "Café IA", "Formation des animateurs et animatrices", "Programme national Café IA",
        "Attestation de formation", "Nous attestons que", certified.full_name,
        "a suivi la formation", "Programme suivi", "1. ", "Durée totale",
        "Fait pour servir et valoir ce que de droit.", "Délivrée le",
        "Vérification de l’attestation", "Vérifiez l’authenticité", url,
        "Code de vérification", code,
    ]  # fmt: skip
    letters = ["".join(e.split()) for e in expected]
    positions = [next((i for i, w in enumerate(words) if w.startswith(e)), None) for e in letters]
    assert None not in positions and positions == sorted(positions), words
    roles = dict(zip(words, (role for role, _ in read), strict=True))
    assert roles["Attestationdeformation"][-2:] == ["H1", "Span"]
    assert roles["Vérificationdel’attestation"][-2:] == ["H2", "Span"]
    assert roles["Programmesuivi"][-3:] == ["Table", "Caption", "Span"]
    assert roles["Duréetotale"][-3:] == ["TR", "TH", "Span"]
    assert roles[url][-1] == "Link"
    (figure,) = [e for e in structure_elements(reader) if e.get("/S") == "/Figure"]
    assert figure["/Alt"] == f"QR code de la page de vérification {url}"


def test_the_verification_code_is_set_in_a_monospaced_font(served, certified):  # noqa: F811
    # So that 0/O and l/1/I can be told apart when the code is typed by hand.
    code = status.certificate_of(certified).code
    font = dict(fonts_of_text(PdfReader(served)))[code]
    assert font["/BaseFont"].endswith("+Code-Bold")
    (descendant,) = font["/DescendantFonts"]
    widths = glyph_widths(descendant.get_object())
    assert len(widths) >= len(set(code)) and len(set(widths)) == 1  # one advance for every glyph


def test_weasyprint_reports_no_problem(caplog):
    # WeasyPrint logs what would break PDF/UA (an image without alt, a missing language, a font
    # it could not load): any such report fails here.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render()
    assert not caplog.records, [record.getMessage() for record in caplog.records]


# --- reading the PDF's content and structure with pypdf ----------------------------------------


def marked_texts(reader: PdfReader) -> dict:
    """The page's text by marked-content id (None: outside any tag, artifacts left out)."""
    stack, texts = [], {}

    def before(operator, operands, cm, tm):
        if operator in (b"BDC", b"BMC"):
            properties = operands[1] if operator == b"BDC" else {}
            is_artifact = operands[0] == "/Artifact"
            stack.append("artifact" if is_artifact else properties.get("/MCID"))
        elif operator == b"EMC":
            stack.pop()

    def text(content, cm, tm, font, size):
        where = stack[-1] if stack else None
        if content.strip() and where != "artifact":
            texts[where] = texts.get(where, "") + content

    reader.pages[0].extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def structure_elements(reader: PdfReader):
    """Every structure element, depth first: the order a screen reader follows."""

    def walk(element):
        yield element
        for kid in kids(element):
            if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/StructElem":
                yield from walk(kid)

    yield from walk(reader.trailer["/Root"]["/StructTreeRoot"])


def structure_order(reader: PdfReader):
    """(the roles from the document down, marked-content id) in the structure tree's order."""

    def walk(element, roles):
        roles = [*roles, str(element.get("/S", "/StructTreeRoot"))[1:]]
        for kid in kids(element):
            if isinstance(kid, int):
                yield roles, kid
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/StructElem":
                yield from walk(kid, roles)
            elif isinstance(kid, DictionaryObject) and "/MCID" in kid:
                yield roles, kid["/MCID"]

    yield from walk(reader.trailer["/Root"]["/StructTreeRoot"], [])


def kids(element) -> list:
    children = element.get("/K", [])
    children = children.get_object() if hasattr(children, "get_object") else children
    children = children if isinstance(children, list) else [children]
    return [kid.get_object() if hasattr(kid, "get_object") else kid for kid in children]


def positioned_text(reader: PdfReader):
    """(text, height of its baseline above the page's bottom, in points)."""
    found = []

    def text(content, cm, tm, font, size):
        if content.strip():
            found.append((" ".join(content.split()), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    reader.pages[0].extract_text(visitor_text=text)
    return found


def glyph_widths(cid_font) -> list[float]:
    """The advances of a CID font's /W array: `c [w1 w2 …]` and `c_first c_last w` entries."""
    entries, widths, i = list(cid_font["/W"]), [], 0
    while i < len(entries):
        if isinstance(entries[i + 1], ArrayObject):
            widths += [float(w) for w in entries[i + 1]]
            i += 2
        else:
            widths += [float(entries[i + 2])] * (entries[i + 1] - entries[i] + 1)
            i += 3
    return widths


def fonts_of_text(reader: PdfReader):
    found = []

    def text(content, cm, tm, font, size):
        if content.strip():
            found.append((content.strip(), font))

    reader.pages[0].extract_text(visitor_text=text)
    return found


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
    assert date_longue(day) == expected  # as the attestation writes it


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(54, "54 min"), (60, "1 h"), (69, "1 h 9 min"), (276, "4 h 36 min"), (0, "0 min")],
)
def test_durations_read_as_hours_and_minutes(minutes, expected):
    assert format_duration(minutes) == expected
