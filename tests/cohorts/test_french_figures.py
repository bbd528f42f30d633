"""One French way of writing figures on every page (lms.formatting, Babel): « 1 234 jours »
with a narrow no-break space, « 75,8 % », « 1er décembre 2026 »; the exports of the cohort in a
French spreadsheet's forms. Then a crawl of every page, as every role, for English-style
figures (« 75.8 % », « 11483 personnes »), with the regressions it must catch."""

import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from certificates import status
from certificates.demo import certify
from courses import progress
from lms.extensions import db
from lms.models import utcnow
from lms.xapi.models import StoredStatement
from quizzes.models import QuizAttempt
from referents.models import Assignment
from tests.conftest import PASSWORD
from tests.helpers import enrol, french_decimal, read_people_csv, rules, url, url_for_rule

NARROW = "\u202f"  # Babel's group separator in French
NBSP = "\u00a0"  # before « % » (lms.typography)
IDLE_DAYS = 1234
SCORE = 75.8
ISSUED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def learner(cohort, create_user):
    """A certified member of the cohort, idle for 1 234 days, whose best at a quiz is 75.8 %."""
    person = enrol(cohort, create_user(first_name="Iris", last_name="Inactive"))
    certify(person)
    module = progress.catalogue().modules[0]
    db.session.execute(  # their best score at the first quiz, fractional
        update(QuizAttempt)
        .where(QuizAttempt.user_id == person.id, QuizAttempt.module_slug == module.slug)
        .values(score=SCORE)
    )
    db.session.execute(
        update(StoredStatement)
        .where(StoredStatement.user_id == person.id)
        .values(stored=utcnow() - timedelta(days=IDLE_DAYS))
    )
    status.certificate_of(person).issued_at = ISSUED
    db.session.commit()
    return person


def test_pages_write_figures_the_french_way(client, cohort, learner):
    page = client.get(url(cohort)).get_data(as_text=True)
    assert f"inactif depuis 1{NARROW}234 jours" in page
    sheet = client.get(f"/formateur/cohortes/{cohort.id}/apprenants/{learner.id}").text
    assert f"75,8{NBSP}%" in sheet and "75.8" not in sheet
    code = status.certificate_of(learner).code
    assert "Délivrée le</dt><dd>1er décembre 2026</dd>" in client.get(f"/verifier/{code}").text


def test_the_cohort_csv_is_read_by_a_french_spreadsheet(client, cohort, learner):
    (row,) = read_people_csv(client.get(url(cohort, "/export.csv")))
    assert row["quiz_1"] == "75,8" and french_decimal(row["quiz_1"]) == SCORE
    last = (utcnow() - timedelta(days=IDLE_DAYS)).date()
    assert row["derniere_activite"] == last.strftime("%d/%m/%Y")
    assert int(row["lecons_terminees"]) == sum(len(m.lessons) for m in progress.catalogue().modules)


def test_the_cohort_xlsx_holds_numbers_and_dates(client, cohort, learner):
    sheet = load_workbook(io.BytesIO(client.get(url(cohort, "/export.xlsx")).data)).active
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.bold for cell in sheet[1])
    cells = dict(zip(header, sheet[2], strict=True))
    quiz = cells["quiz_1"]
    assert (quiz.data_type, quiz.number_format) == ("n", "0.0 %")
    assert quiz.value == pytest.approx(SCORE / 100)
    lessons = cells["lecons_terminees"]
    assert (lessons.data_type, lessons.number_format) == ("n", "#,##0")
    day = cells["derniere_activite"]
    assert day.is_date and day.number_format == "dd/mm/yyyy"
    assert day.value.date() == (utcnow() - timedelta(days=IDLE_DAYS)).date()
    assert cells["email"].data_type == "s" and cells["quiz_4"].value in (None, 100 / 100)
    assert sheet.column_dimensions["C"].width >= len(learner.email)


# --- the crawl ---------------------------------------------------------------------------------

ENGLISH_PERCENT = re.compile(r"\d+\.\d+\s?%")
# Four digits or more, not glued to a letter, a dash, a slash, a colon or a decimal part: ids,
# codes, dates, times and URLs are not counts.
BARE_NUMBER = re.compile(r"(?<![\w./:#°-])\d{4,}(?![\w/:-]|[.,]\d)")
COUNTED = re.compile(r"\s*(%|[a-zà-ÿ])")  # « 11483 personnes », « 11483 % »
STATED = re.compile(r"[:=]\s*$")  # « livrées au LRS : 11483 »


def english_numbers(text: str) -> list[str]:
    """Figures written the English way. A year (1900–2100), a postcode before its commune, a
    SIRET after its name or a code are not: only a figure that counts something (a word or
    « % » follows) or that a label states (« … : 11483 ») must be written « 11 483 »."""
    found = ENGLISH_PERCENT.findall(text)
    for match in BARE_NUMBER.finditer(text):
        number, after = match.group(), text[match.end() :]
        if len(number) == 4 and 1900 <= int(number) <= 2100:
            continue
        stated = STATED.search(text[: match.start()]) and not re.match(r"\s*\w", after)
        if COUNTED.match(after) or stated:
            found.append(text[max(match.start() - 20, 0) : match.end() + 20])
    return found


class ShownText(HTMLParser):
    """The text people read, without scripts, styles and <code> (verification codes)."""

    SKIPPED = {"script", "style", "code", "pre"}

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIPPED and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def shown_text(html: str) -> str:
    parser = ShownText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.mark.parametrize(
    "text",
    [
        "livrées au LRS : 11483.",
        "11483 personnes inscrites",
        "inactif depuis 1234 jours",
        "Quiz réussi : 75.8 %",
        f"une part de 16.0{NBSP}%",
        "taux : 12345",
    ],
)
def test_the_scan_finds_english_figures(text):
    assert english_numbers(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Cohorte du 1er décembre 2026, depuis 1998",
        "Mairie, 56100 Lorient",
        "structure : SIRET 13002526500013",
        f"livrées au LRS : 11{NARROW}483.",
        f"75,8{NBSP}% ; 11{NARROW}483 personnes",
        "le 01/12/2026 à 14:30, semaine 2026-W49",
        "cohorte-12345, attestation n° 2026-0042",
        "code K7QM-2345-XWPA",
    ],
)
def test_the_scan_leaves_legitimate_figures_alone(text):
    assert english_numbers(text) == [], text


def crawl(app, people, world, only=None) -> dict[str, str]:
    """The text of every HTML page of the URL map (or of the endpoints in `only`), as each of
    `people`."""
    texts = {}
    for person in people:
        client = app.test_client()
        client.submit("/connexion", {"email": person.email, "password": PASSWORD})
        for endpoint, _, rule in rules(app, ("GET",)):
            if endpoint in ("static", "dsfr") or (only and endpoint not in only):
                continue
            path = url_for_rule(rule, endpoint, world)
            response = client.get(path)
            if response.mimetype == "text/html" and response.status_code == 200:
                texts[f"{person.email} {path}"] = shown_text(response.get_data(as_text=True))
    return texts


@pytest.fixture
def world(cohort, learner):
    module = progress.catalogue().modules[0]
    # A graded attempt (opening a new one would be an activity of today).
    attempt = db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == learner.id, QuizAttempt.module_slug == module.slug
        )
    )
    return {
        "values": {
            "user_id": str(learner.id),
            "cohort_id": str(cohort.id),
            "attempt_id": str(attempt.id),
            "module_slug": module.slug,
            "lesson_slug": module.lessons[0].slug,
        },
        "codes": {
            "cohorts.join": cohort.invite_code,
            "default": status.certificate_of(learner).code,
        },
    }


@pytest.fixture
def people(learner, trainer, create_user):
    # A référent: an apprenant who follows Bretagne (région 53), as tests/test_roles.py's log_in.
    referent = create_user(role="apprenant")
    db.session.add(Assignment(user_id=referent.id, kind="region", code="53", reason="Test."))
    db.session.commit()
    # The learner last: their visits to the lessons are activity, which the cohort page shows.
    return [trainer, create_user(role="admin"), referent, learner]


def test_no_page_writes_a_figure_the_english_way(app, people, world):
    texts = crawl(app, people, world)
    assert len(texts) > 40  # the crawl reached the pages, the cohort's among them
    assert any(page.endswith(" /mon-territoire") for page in texts)  # and the référent's
    assert any(f"inactif depuis 1{NARROW}234 jours" in text for text in texts.values())
    offending = {page: found for page, text in texts.items() if (found := english_numbers(text))}
    assert offending == {}


def test_the_crawl_catches_figures_formatted_by_hand(app, people, world, monkeypatch):
    """The regression: a template writing {{ count }} or {{ score }} % instead of the filters."""
    monkeypatch.setitem(app.jinja_env.filters, "nombre", lambda value, *_, **__: str(value))
    monkeypatch.setitem(app.jinja_env.filters, "pourcentage", lambda value, *_, **__: f"{value} %")
    pages = {"cohorts.show", "cohorts.learner"}
    texts = crawl(app, people[:1], world, only=pages)
    assert len(texts) == 2
    found = [hit for text in texts.values() for hit in english_numbers(text)]
    assert any("1234 jours" in hit for hit in found) and "75.8 %" in found
