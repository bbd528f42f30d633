"""Each module's printable sheet: one A4 page of PDF/UA that poppler reads (tagged, titled,
fonts embedded), its HTML version, the module page's download link, and the loader's checks."""

import logging
import re
import subprocess
from pathlib import Path

import lxml.html
import pytest
from pypdf import PdfReader

from courses import CONTENT, sheets
from courses.content import ContentError, load_catalogue, load_sheet

CATALOGUE = load_catalogue(CONTENT)
MODULES = CATALOGUE.modules


@pytest.fixture
def app_config() -> dict:
    """The real modules and banks, not the engine tests' small catalogue."""
    return {"COURSES_CONTENT": None, "QUIZ_BANKS": None}


def page_text(response) -> str:
    return " ".join(lxml.html.fromstring(response.get_data(as_text=True)).text_content().split())


def flat(text: str) -> str:
    return " ".join(text.split())  # line breaks fall anywhere


def poppler(tool: str, path: Path) -> str:
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def served(client, login_as, tmp_path):
    login_as("apprenant")

    def download(module) -> Path:
        response = client.get(f"/modules/{module.slug}/fiche.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        path = tmp_path / f"{module.slug}.pdf"
        path.write_bytes(response.data)
        return path

    return download


def test_every_module_has_its_sheet():
    assert all(module.sheet for module in MODULES)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_pdfinfo_reads_one_tagged_a4_page_titled_with_the_module(served, module):
    path = served(module)
    info = dict(
        (key.strip(), value.strip())
        for key, value in (line.split(":", 1) for line in poppler("pdfinfo", path).splitlines())
    )
    assert info["Pages"] == "1"
    assert info["Tagged"] == "yes"
    assert info["Title"] == f"Fiche du module {module.order} — {module.title}"
    assert info["Page size"].startswith("595.276 x 841.89")  # A4 portrait, in points


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_pdffonts_finds_every_font_embedded(served, module):
    header, rule, *rows = poppler("pdffonts", served(module)).splitlines()
    assert header.split()[:5] == ["name", "type", "encoding", "emb", "sub"] and rows
    for row in rows:
        assert row.split()[-5] == "yes", f"not embedded: {row}"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_the_structure_tree_has_the_title_the_four_sections_and_their_lists(served, module):
    # poppler's own reading of the tags: what a screen reader navigates by.
    tree = subprocess.run(
        ["pdfinfo", "-struct", str(served(module))], capture_output=True, text=True, check=True
    ).stdout
    roles = [line.split()[0] for line in tree.splitlines() if line.strip()]
    assert roles.count("H1") == 1 and roles.count("H2") == 4
    items = len(module.sheet.key_ideas) + len(module.sheet.words) + len(module.sheet.sources)
    assert roles.count("L") == 3 and roles.count("LI") == items


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_the_pdf_says_what_the_sheet_says_in_french(served, module):
    reader = PdfReader(served(module))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr-FR"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert "pdfuaid:part" in root["/Metadata"].get_object().get_data().decode()
    text = " ".join(reader.pages[0].extract_text().split())
    for heading in ("L’essentiel", "Les mots pour en parler", "Une question pour ouvrir le débat"):
        assert heading in text
    assert flat(module.sheet.debate_question) in text
    for word in module.sheet.words:
        assert flat(word.term) in text
    assert all(
        source.url.split("://")[1][:25] in text.replace(" ", "") for source in module.sheet.sources
    )


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_the_module_page_links_the_pdf_with_its_size_and_the_html_version(client, login_as, module):
    login_as("apprenant")
    page = client.get(f"/modules/{module.slug}").get_data(as_text=True)
    pdf = client.get(f"/modules/{module.slug}/fiche.pdf").data
    size = f"{round(len(pdf) / 1000)} ko"
    assert f'href="/modules/{module.slug}/fiche.pdf"' in page
    assert "Télécharger la fiche du module (PDF)" in page
    assert f"Une page A4 – {size}" in page
    assert f'href="/modules/{module.slug}/fiche"' in page


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_the_html_version_holds_the_same_text(client, login_as, module):
    login_as("apprenant")
    response = client.get(f"/modules/{module.slug}/fiche")
    assert response.status_code == 200
    text = page_text(response)
    assert f"Fiche du module {module.order}" in text
    for idea in module.sheet.key_ideas:
        assert flat(idea) in text
    assert flat(module.sheet.debate_question) in text
    assert all(source.url in response.get_data(as_text=True) for source in module.sheet.sources)


def test_a_module_without_sheet_answers_404(client, login_as):
    login_as("apprenant")
    assert client.get("/modules/inconnu/fiche.pdf").status_code == 404
    assert client.get("/modules/inconnu/fiche").status_code == 404


def write_sheet(tmp_path, text: str) -> Path:
    path = tmp_path / "fiche.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SOURCES = """
sources:
  - {title: "Un", publisher: "P", year: 2024, url: "https://exemple.fr/un"}
  - {title: "Deux", publisher: "P", year: 2024, url: "https://exemple.fr/deux"}
"""
WORDS = """
words:
  - {term: "a", meaning: "b"}
  - {term: "c", meaning: "d"}
  - {term: "e", meaning: "f"}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key_ideas: [un, deux, trois]\n" + WORDS + SOURCES, "« debate_question » : obligatoire"),
        (
            "key_ideas: [un, deux]\ndebate_question: q\n" + WORDS + SOURCES,
            "« key_ideas » : entre 3 et 6",
        ),
        (
            "key_ideas: [un, deux, trois]\ndebate_question: q\n" + WORDS
            + "sources:\n  - {title: a, publisher: b, year: 1, url: 'http://x.fr'}\n"
            + "  - {title: a, publisher: b, year: 1, url: 'https://x.fr'}\n",
            "« sources[1].url » : doit commencer par https://",
        ),
        (
            "key_ideas: [un, deux, trois]\ndebate_question: q\nwords:\n  - {term: a}\n" + SOURCES,
            "« words[1].meaning » : obligatoire",
        ),
        ("- une liste\n", "« fiche.yaml » : doit être un ensemble de champs"),
    ],
)  # fmt: skip
def test_the_loader_refuses_a_broken_sheet_naming_the_field(tmp_path, text, message):
    with pytest.raises(ContentError, match=re.escape(message)):
        load_sheet(write_sheet(tmp_path, text))


def test_weasyprint_reports_no_problem(app, caplog):
    # What would break PDF/UA (a font not loaded, a missing language) is logged as a warning.
    module = app.extensions["courses"].module("ia-travail")
    module.sheet.pdf = None  # drawn again, here
    with app.test_request_context(), caplog.at_level(logging.WARNING, logger="weasyprint"):
        sheets.sheet_pdf(module)
    assert not caplog.records, [record.getMessage() for record in caplog.records]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_the_sheet_reads_in_french_typography(module):
    sheet = module.sheet
    texts = [*sheet.key_ideas, sheet.debate_question]
    texts += [text for word in sheet.words for text in (word.term, word.meaning)]
    texts += [source.title for source in sheet.sources]
    for text in texts:
        assert "'" not in text and '"' not in text, text
        for sign in "?;!:%»":
            assert f" {sign}" not in text, f"espace ordinaire avant {sign} : {text}"
        assert "« " not in text, text
