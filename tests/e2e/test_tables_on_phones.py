"""Tables on a phone and a desktop: the row header and the key columns (class cafeia-key) of
every table are inside the screen, and the page itself never scrolls sideways; on a desktop the
cohort's table shows its last column too."""

import pytest
from sqlalchemy import select

from cafes.models import Cafe, Registration
from certificates.demo import ANIMATRICE
from cohorts.models import Cohort
from lms.demo import DEMO_PASSWORD, load_demo
from lms.extensions import db
from lms.models import User
from quizzes import services as quizzes
from quizzes.demo import half_right_answers
from tests.e2e.conftest import log_in, visit

PUBLIC = ["/annuaire"]
ADMIN = ["/admin/statistiques", "/admin/statistiques/territoires", "/admin/xapi"]

# For each table, the boxes of its row headers and key cells in the first rows, in CSS pixels.
KEY_BOXES = """() => [...document.querySelectorAll('table')].map(table => ({
  caption: table.caption ? table.caption.textContent.trim() : '(sans légende)',
  boxes: [...table.querySelectorAll('tr')].slice(0, 6).flatMap(row =>
    [...row.querySelectorAll('th[scope=row], .cafeia-key')].map(cell => {
      const box = cell.getBoundingClientRect();
      return {text: cell.textContent.trim().slice(0, 30), left: box.left, right: box.right,
              key: cell.classList.contains('cafeia-key')};
    })),
}))"""


# The boxes of the last cells of the first rows of each table, read by the formateur at 1280 px.
LAST_BOXES = """() => [...document.querySelectorAll('table')].map(table => ({
  caption: table.caption ? table.caption.textContent.trim() : '(sans légende)',
  boxes: [...table.querySelectorAll('tr')].slice(0, 6).map(row => {
    const box = row.lastElementChild.getBoundingClientRect();
    return {text: row.lastElementChild.textContent.trim().slice(0, 30), left: box.left, right: box.right};
  }),
}))"""


def assert_key_columns_on_screen(
    page, width: int, boxes: str = KEY_BOXES, with_keys: bool = False
) -> None:
    """Every row header and key cell inside the screen (and, `with_keys`, every table has key
    cells: the page follows the convention)."""
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url} : la page déborde ({overflow} px pour {width})"
    tables = page.evaluate(boxes)
    assert tables, f"{page.url} : aucun tableau"
    for table in tables:
        if with_keys:
            assert any(box["key"] for box in table["boxes"]), f"{page.url} « {table['caption']} »"
        for box in table["boxes"]:
            inside = box["left"] >= 0 and box["right"] <= width + 0.5
            assert inside, f"{page.url} « {table['caption']} » : {box} hors de l'écran"


@pytest.mark.parametrize("width", [360, 1280])
def test_key_columns_stay_on_screen(app, page, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    for path in PUBLIC:
        visit(page, path)
        assert_key_columns_on_screen(page, width)
    log_in(page, "admin@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/admin**")
    for path in ADMIN:
        visit(page, path)
        assert_key_columns_on_screen(page, width)


def graded_results(learner_email: str, kinds=("classification", "matching")) -> list[str]:
    """The result pages of attempts whose questions include each of `kinds`: attempts at the
    second module's quiz, handed in until the draw has asked them (a draw is random)."""
    learner = db.session.scalar(select(User).where(User.email == learner_email))
    pages, wanted = [], set(kinds)
    for module_slug, quiz in list(quizzes.quizzes().items())[1:]:
        for _ in range(30):
            if not wanted:
                return pages
            attempt = quizzes.current_attempt(learner, quiz)
            asked = {shown.question.kind for shown in quizzes.asked(quiz, attempt)}
            quizzes.submit(learner, quiz, attempt, half_right_answers(quiz, attempt))
            if asked & wanted:
                pages.append(f"/modules/{module_slug}/quiz/tentatives/{attempt.id}")
                wanted -= asked
    assert not wanted, f"aucun quiz ne pose {wanted}"
    return pages


@pytest.mark.parametrize("width", [360, 1280])
def test_the_cohort_and_quiz_tables_show_their_key_columns(app, page, width):
    load_demo()
    cohort = db.session.scalar(select(Cohort).order_by(Cohort.id))
    results = graded_results("apprenant@exemple.fr")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "formateur@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/connexion" not in url)
    for path in (f"/formateur/cohortes/{cohort.id}", f"/formateur/cohortes/{cohort.id}/questions"):
        visit(page, path)
        assert_key_columns_on_screen(page, width, with_keys=True)
        if width == 1280:  # nothing cut on a desktop: the last column is on screen too
            assert_key_columns_on_screen(page, width, LAST_BOXES)
    page.context.clear_cookies()
    log_in(page, "apprenant@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/connexion" not in url)
    for path in results:
        visit(page, path)
        assert_key_columns_on_screen(page, width, with_keys=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_territory_tables_show_their_key_columns(app, page, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "referente@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/connexion" not in url)
    visit(page, "/mon-territoire")
    assert_key_columns_on_screen(page, width, with_keys=True)
    page.context.clear_cookies()
    log_in(page, "admin@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/admin**")
    visit(page, "/admin/referents")
    assert_key_columns_on_screen(page, width, with_keys=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_cafe_tables_show_their_key_columns(app, page, width):
    """The animatrice's cafés, one café's participants and the national moderation: the buttons
    named after a café (aria-label, not a hidden span) leave the page its width."""
    load_demo()
    listed = select(Cafe.id).join(User, Cafe.animateur_id == User.id).join(Registration)
    cafe_id = db.session.scalar(listed.where(User.email == ANIMATRICE["email"]).limit(1))
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, ANIMATRICE["email"], DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/connexion" not in url)
    for path in ("/mes-cafes", f"/mes-cafes/{cafe_id}/participants"):
        visit(page, path)
        assert_key_columns_on_screen(page, width)
    page.context.clear_cookies()
    log_in(page, "admin@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/admin**")
    visit(page, "/admin/cafes")
    assert_key_columns_on_screen(page, width)
