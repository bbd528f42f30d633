"""Browser journeys: Debian's Chromium driven by Playwright, axe-core on every page visited,
and the Nu HTML checker on every HTML document the server sent to the browser."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cafeia import create_app
from lms.extensions import db
from quizzes.demo import half_right_answers, right_answers
from tests.conftest import SmtpServer, free_port, make_config
from tests.vnu import html_errors, require_checker

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.long)


# Browser journeys run on the real training content and question banks.
REAL_CONTENT = {"COURSES_CONTENT": None, "QUIZ_BANKS": None}


@pytest.fixture
def app_config():
    return REAL_CONTENT


@pytest.fixture(scope="session")
def smtp_server():
    smtp = SmtpServer()
    smtp.controller.start()
    yield smtp
    smtp.controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    """What the live server e-mailed during this test."""
    smtp_server.messages.clear()
    return smtp_server.messages


def read_whole(app):
    """Each response read and closed before the development server writes it. When the
    browser drops a connection mid-response (a favicon it no longer needs), Werkzeug's
    server skips closing the response, the static file stays open, and its ResourceWarning
    then fails whichever test the garbage collector happens to run in."""

    def serve(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return serve


@pytest.fixture(scope="session")
def live_server(database_uri, smtp_server):
    """The platform served on 127.0.0.1 from a thread, on the test database."""
    app = create_app(
        make_config(
            database_uri,
            LOGIN_RATE_LIMIT="1000 per minute",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=smtp_server.port,
            **REAL_CONTENT,
        )
    )
    server = make_server("127.0.0.1", free_port(), read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which("chromium") and AXE.exists()):
        reason = "Chromium (apt-get install chromium) et axe-core (npm ci) sont requis : make test"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served_html():
    """Every HTML document the module's tests loaded, checked at once when the module ends
    (the checker's JVM takes a second or two to start)."""
    require_checker()
    documents: dict[str, str] = {}
    yield documents
    assert documents, "aucune page HTML relevée : le relevé des réponses ne marche plus"
    if errors := html_errors(documents):
        pytest.fail(f"Nu HTML checker, {len(errors)} erreurs :\n" + "\n".join(errors))


@pytest.fixture
def page(request, app, browser, live_server, served_html):
    """A fresh browser tab on the live server; `app` empties the database after the test."""
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    finish_reading = keep_served_html(page, served_html, request.node.name)
    yield page
    finish_reading()
    context.close()


def keep_served_html(page, documents: dict[str, str], label: str):
    """Keep the raw body of each page the tab loads (by goto, link, form or redirect) for the
    checker, as the server sent it: the DOM afterwards is the DSFR's scripts' work too.
    A tab opened by hand (another context) calls this with the `served_html` fixture, and
    calls the function it returns before closing the tab."""
    reading = []

    def keep(request):
        """Once a document has fully loaded: one the test left while it loaded was not seen."""
        if not (request.is_navigation_request() and request.frame == page.main_frame):
            return
        response = request.response()
        redirect = response is None or 300 <= response.status < 400
        if redirect or "text/html" not in response.headers.get("content-type", ""):
            return
        name = f"{label} #{len(documents) + 1} {response.url}"
        reading.append(name)
        try:
            documents[name] = response.text()
        except Exception as error:  # noqa: BLE001 — reported below, unless the page moved on
            if page.main_frame.url == response.url:
                documents[name] = f"corps illisible : {error}"
        finally:
            reading.remove(name)

    def finish_reading():
        """The last page loaded, and its body read, before the tab closes."""
        if page.is_closed():
            return
        page.wait_for_load_state()
        for _ in range(500):  # ten seconds at most
            if not reading:
                return
            page.wait_for_timeout(20)

    page.on("requestfinished", keep)
    return finish_reading


def assert_accessible(page) -> None:
    """axe-core finds no violation on the page as it is now."""
    # Injected through the DevTools protocol: the page's CSP rightly forbids inline scripts.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"{page.url}:\n" + "\n".join(violations)


def visit(page, path: str):
    """Open a page, check that it answered and that axe finds nothing on it."""
    response = page.goto(path)
    assert response.ok, f"{path} → {response.status}"
    assert_accessible(page)
    return response


def tab_to(page, element_id: str, limit: int = 300) -> None:
    """Press Tab until the element has the focus: proof that the keyboard alone reaches it."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def log_in(page, email, password):
    visit(page, "/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_label("Mot de passe").press("Enter")


def answer_with_keyboard(page, quiz, right: bool) -> None:
    """Fill the quiz with the Tab, arrow and space keys only, then send it with Enter.

    The page names its options by values drawn for its attempt: the answers to give are read
    from that attempt on the server (right, or wrong on the first half of its questions)."""
    attempt = page.locator("input[name='attempt']").get_attribute("value")
    form = (right_answers if right else half_right_answers)(quiz, attempt)
    for name in dict.fromkeys(form):  # the questions in the page's order
        fields = page.locator(f"[name='{name}']")
        if fields.first.evaluate("field => field.tagName") == "SELECT":
            values = fields.locator("option").evaluate_all("options => options.map(o => o.value)")
            tab_to(page, name)
            for _ in range(values.index(form[name])):
                page.keyboard.press("ArrowDown")
            continue
        ids = [fields.nth(i).get_attribute("id") for i in range(fields.count())]
        wanted = [f"{name}-{value}" for value in form.getlist(name)]
        if fields.first.get_attribute("type") == "radio":
            tab_to(page, ids[0])  # a group with nothing checked is entered on its first radio
            steps = ids.index(wanted[0])
            for _ in range(steps):
                page.keyboard.press("ArrowDown")  # moves the focus and checks
            if steps == 0:
                page.keyboard.press("Space")
        else:
            for element_id in wanted:
                tab_to(page, element_id)
                page.keyboard.press("Space")
    page.get_by_role("button", name="Valider mes réponses").focus()
    page.keyboard.press("Enter")
