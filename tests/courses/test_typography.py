"""French typography as the reader gets it: every rendered lesson and every loaded quiz bank.

The checks below are written independently of lms.typography: if the renderer or the bank
loader stopped applying it, a plain space before « ? » or a straight apostrophe would show
here. The terms and the inclusive-writing rule are those of docs/guide-contenu.md.
"""

import html
import re

import pytest

from courses import CONTENT
from courses.content import load_catalogue
from courses.rendering import render_markdown
from lms.typography import typeset, typeset_html
from quizzes import BANKS
from quizzes.bank import load_banks

CATALOGUE = load_catalogue(CONTENT)
LESSONS = [lesson for module in CATALOGUE.modules for lesson in module.lessons]
QUIZZES = list(load_banks(BANKS).values())

# What a French text must not show (the reader's text, never code or a URL).
MISSING = {
    "apostrophe droite (’ attendue)": re.compile(r"[^\W\d_]'"),
    "espace fine insécable manquante avant ; ! ?": re.compile(
        r"(?:[ \u00a0]|(?<=[\w)»]))[;!?](?=\s|$)"
    ),
    "espace insécable manquante avant :": re.compile(r"(?:[ \u202f]|(?<=[\w)»])):(?=\s|$)"),
    "espace insécable manquante avant %": re.compile(r"\d[ \u202f]?%"),
    "espace fine insécable manquante après «": re.compile(r"«(?!\u202f)"),
    "espace fine insécable manquante avant »": re.compile(r"(?<!\u202f)»"),
    "espace insécable manquante dans un nombre": re.compile(r"\d[ \u202f]\d{3}(?!\d)"),
}
# One term per notion (docs/guide-contenu.md): the synonym → the chosen term.
TERMS = {
    r"\bchatbots?\b": "agent conversationnel",
    r"\brobots? conversationnels?\b": "agent conversationnel",
    r"\bassistants? conversationnels?\b": "agent conversationnel",
    r"\be-?mails?\b": "courriel",
    r"\bmails?\b": "courriel",
    r"\bmél\b": "courriel",
    r"\bdata ?cent(?:er|re)s?\b": "centre de données",
}
# The inclusive-writing rule: no abbreviated forms (conseiller·ère, consulté(e), salarié/e).
ABBREVIATED = re.compile(r"[^\W\d_][·•][^\W\d_]|[^\W\d_]\((?:e|ne|le|se|trice|euse)\)s?(?!\w)")


@pytest.fixture
def app_config() -> dict:
    """The real lessons and banks, not the engine tests' small catalogue."""
    return {"COURSES_CONTENT": str(CONTENT), "QUIZ_BANKS": str(BANKS)}


def faults(text: str) -> list[str]:
    found = [
        f"{name} : …{match_context(text, m)}…"
        for name, rule in MISSING.items()
        for m in rule.finditer(text)
    ]
    for synonym, term in TERMS.items():
        found += [f"« {m.group()} » : écrire « {term} »" for m in re.finditer(synonym, text, re.I)]
    found += [f"écriture abrégée « {m.group()} »" for m in ABBREVIATED.finditer(text)]
    return found


def match_context(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 25) : match.end() + 10]


def text_nodes(page: str) -> list[str]:
    """The text a reader reads: outside tags and attributes, outside <code> and <pre>."""
    page = re.sub(r"<(code|pre)\b.*?</\1>", " ", page, flags=re.S)
    return [html.unescape(node) for node in re.split(r"<[^>]*>", page) if node.strip()]


def shown_texts(quiz) -> list[str]:
    texts = [quiz.title, *(o.label for o in quiz.objectives)]
    for question in quiz.questions:
        texts += [question.prompt, question.explanation]
        for option in [*question.shuffled, *question.categories]:
            texts += [option.text, option.feedback, option.match or ""]
    return [text for text in texts if text]


@pytest.mark.parametrize(
    "lesson", LESSONS, ids=lambda lesson: f"{lesson.module_slug}/{lesson.slug}"
)
def test_every_rendered_lesson_has_french_typography(app, lesson):
    with app.test_request_context():
        page = render_markdown(lesson.body)
    problems = [problem for node in text_nodes(page) for problem in faults(node)]
    assert not problems, f"{lesson.path} :\n" + "\n".join(problems)


@pytest.mark.parametrize("quiz", QUIZZES, ids=lambda quiz: quiz.module_slug)
def test_every_loaded_bank_has_french_typography(quiz):
    problems = [problem for text in shown_texts(quiz) for problem in faults(text)]
    assert not problems, f"{quiz.path} :\n" + "\n".join(problems)


def test_the_lesson_page_serves_the_typeset_body(client, login_as):
    login_as()
    lesson = next(lesson for lesson in LESSONS if "?" in lesson.body and "'" in lesson.body)
    page = client.get(f"/modules/{lesson.module_slug}/{lesson.slug}").get_data(as_text=True)
    body = page.split('<div class="cafeia-lesson">', 1)[1]
    assert "\u202f?" in body and "’" in body


@pytest.mark.parametrize(
    "source, expected",
    [
        ("Est-ce qu'il y a des règles ? Oui !", "Est-ce qu’il y a des règles\u202f? Oui\u202f!"),
        ("Attention: voir ; « bonjour »", "Attention\u00a0: voir\u202f; «\u202fbonjour\u202f»"),
        ("90 % de 14 000 000 images", "90\u00a0% de 14\u00a0000\u00a0000 images"),
        ("à 10:30, https://x.fr/?a=b", "à 10:30, https://x.fr/?a=b"),
    ],
)
def test_typeset_gives_the_french_spaces_and_apostrophe(source, expected):
    assert typeset(source) == expected


def test_typeset_html_leaves_code_tags_urls_and_entities_alone():
    source = '<p>l\'IA : <code>a ; b ?</code> &amp; <a href="https://x.fr/?q=1">lien</a> !</p>'
    assert typeset_html(source) == (
        '<p>l’IA\u00a0: <code>a ; b ?</code> &amp; <a href="https://x.fr/?q=1">lien</a>\u202f!</p>'
    )


@pytest.mark.parametrize(
    "text",
    [
        "Une question ? ",
        "l'IA",
        "« bonjour »",
        "environ 14 000 000 images",
        "un chatbot",
        "un e-mail",
        "les salarié·es",
        "consulté(e)",
    ],
)
def test_the_checks_catch_a_missing_space_a_straight_apostrophe_a_synonym(text):
    assert faults(text)
