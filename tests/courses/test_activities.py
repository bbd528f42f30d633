"""Activity blocks in lessons: the syntax, the checks graded on the server over HTTP, the
reflection notes kept private, exported and erased (fixture lesson module-un/lecon-1)."""

import csv
import io
import json
import re
import shutil

import pytest
from sqlalchemy import select

from courses import activities, progress
from courses.activities import parse
from courses.content import ContentError
from courses.models import ActivityAnswer, LessonProgress
from lms.extensions import db
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from tests.conftest import FIXTURE_CONTENT, PASSWORD, make_config
from tests.helpers import ON_BOTH, at_once, codes, count, on, rendezvous, tabs
from tests.lrs.models import ralph_errors

LESSON = "/modules/module-un/lecon-1"
CHECK = f"{LESSON}/activites/verif-1"
MULTIPLE = f"{LESSON}/activites/verif-2"
NOTE = f"{LESSON}/activites/note-1"


def values(page: str, block: str) -> dict[str, str]:
    """Each choice's label → the opaque value the page gives it."""
    pattern = rf'id="activite-{block}-(\w+)" name="reponse" value="\1">\s*<label[^>]*>([^<]+)<'
    return {label: value for value, label in re.findall(pattern, page)}


def lesson_page(client) -> str:
    return client.get(LESSON).get_data(as_text=True)


def answers(user=None) -> list[ActivityAnswer]:
    query = select(ActivityAnswer)
    if user is not None:
        query = query.filter_by(user_id=user.id)
    return db.session.scalars(query.order_by(ActivityAnswer.id)).all()


def answered_statements() -> list[dict]:
    rows = db.session.scalars(
        select(StoredStatement.payload).where(StoredStatement.verb == VERBS["answered"][0])
    )
    return [json.loads(payload) for payload in rows]


# --- syntax -------------------------------------------------------------------------------------


def test_blocks_are_taken_out_of_the_markdown_in_order():
    source = "Avant.\n\n::: question\nid: a\nprompt: x\n:::\n\nPendant.\n\n::: reflexion\nid: b\n:::\nAprès."
    markdown, blocks = parse(source)
    assert [(b.kind, b.id) for b in blocks] == [("question", "a"), ("reflexion", "b")]
    assert blocks[0].data == {"prompt": "x"}
    assert ":::" not in markdown and "Pendant." in markdown and "Après." in markdown


@pytest.mark.parametrize(
    "source, message",
    [
        ("::: question\nprompt: x\n:::\n", "« id » obligatoire"),
        ("::: question\nid: A B\n:::\n", "« id » obligatoire"),
        ("::: question\nid: a\n:::\n\n::: reflexion\nid: a\n:::\n", "déjà utilisé"),
        ("::: question\nid: a\nprompt: [x\n:::\n", "YAML illisible"),
        ("::: question\n- une liste\n:::\n", "ensemble de champs"),
        ("::: question\nid: a\n", "sans bloc complet"),
    ],
)
def test_a_malformed_block_is_refused_with_its_reason(source, message):
    with pytest.raises(ValueError, match=message):
        parse(source)


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("    correct: true\n    feedback: C'est bien celle-ci.", "    feedback: x", "verif-1"),
        ("kind: multiple", "kind: ordering", "verif-2"),
        ("    feedback: Non, pas la troisième.\n", "", "verif-2"),
        ("prompt: Qu'en pensez-vous ?", "question: x", "note-1"),
    ],
)
def test_a_block_its_kind_refuses_stops_the_platform_at_start_up(
    tree, database_uri, old, new, field
):
    from cafeia import create_app

    lesson = tree / "m1" / "01-lecon-1.md"
    text = lesson.read_text(encoding="utf-8")
    assert old in text
    lesson.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError, match=f"activité « {field} »"):
        create_app(make_config(database_uri, COURSES_CONTENT=str(tree)))


def test_a_kind_no_feature_registers_is_reported_by_courses_check(tree, database_uri):
    from cafeia import create_app

    lesson = tree / "m1" / "01-lecon-1.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n::: sondage\nid: avis\n:::\n", encoding="utf-8"
    )
    app = create_app(make_config(database_uri, COURSES_CONTENT=str(tree)))
    result = app.test_cli_runner().invoke(args=["courses", "check"])
    with app.app_context():
        db.engine.dispose()  # the check read the database: its connection closed, not left to GC
    assert result.exit_code == 1
    assert "activité « avis » de type « sondage », qu'aucune fonction n'enregistre" in result.output


# --- checks graded on the server ----------------------------------------------------------------


def test_a_check_shows_opaque_values_and_no_answer(client, login_as):
    login_as()
    page = lesson_page(client)
    shown = values(page, "verif-1")
    assert set(shown) == {"La réponse juste", "Une réponse fausse"}
    for value in shown.values():
        assert re.fullmatch(r"[0-9a-f]{16}", value)
    assert 'value="juste"' not in page and "C’est bien celle-ci" not in page
    assert '<legend class="fr-fieldset__legend"' in page and 'type="radio"' in page


def test_a_right_answer_is_graded_kept_and_explained(client, login_as):
    user = login_as()
    right = values(lesson_page(client), "verif-1")["La réponse juste"]
    response = client.submit(CHECK, {"reponse": right})
    assert response.status_code == 303
    assert response.location.endswith(f"{LESSON}#activite-verif-1-retour")
    page = lesson_page(client)
    assert "Bonne réponse" in page and "C’est bien celle-ci." in page
    assert "L’explication de la vérification." in page
    assert f'value="{right}" checked' in page
    (kept,) = answers(user)
    assert (kept.block_id, kept.kind, kept.value) == (
        "verif-1",
        "question",
        {"response": "juste", "score": 1.0},
    )


def test_a_wrong_answer_gets_its_feedback_and_the_right_one(client, login_as):
    user = login_as()
    wrong = values(lesson_page(client), "verif-1")["Une réponse fausse"]
    client.submit(CHECK, {"reponse": wrong})
    page = lesson_page(client)
    assert "Ce n’est pas la bonne réponse" in page and "Non, relisez la leçon." in page
    assert "La bonne réponse\u00a0:" in page
    assert answers(user)[0].value == {"response": "fausse", "score": 0.0}


def test_the_last_answer_replaces_the_previous_one(client, login_as):
    user = login_as()
    shown = values(lesson_page(client), "verif-1")
    client.submit(CHECK, {"reponse": shown["Une réponse fausse"]})
    client.submit(CHECK, {"reponse": shown["La réponse juste"]})
    assert [a.value["response"] for a in answers(user)] == ["juste"]
    assert len(answered_statements()) == 2  # each answer is an event


def test_a_multiple_choice_check_gives_part_of_the_point(client, login_as):
    user = login_as()
    shown = values(lesson_page(client), "verif-2")
    client.submit(MULTIPLE, {"reponse": [shown["La première"], shown["La troisième"]]})
    page = lesson_page(client)  # a wrong choice cancels a right one, as in the quizzes
    assert "Ce n’est pas la bonne réponse" in page and "Non, pas la troisième." in page
    assert answers(user)[0].value == {"response": ["trois", "un"], "score": 0.0}
    client.submit(MULTIPLE, {"reponse": [shown["La première"]]})
    assert answers(user)[0].value["score"] == 0.5
    page = lesson_page(client)
    assert "Réponse en partie juste" in page and "Les bonnes réponses\u00a0:" in page


@ON_BOTH
def test_tabs_answering_a_check_at_once_keep_one_answer(
    app, client, login_as, monkeypatch, database
):
    on(database)
    user = login_as()
    right = values(lesson_page(client), "verif-1")["La réponse juste"]
    rendezvous(monkeypatch, activities, "utcnow")  # all find no answer yet, then insert
    responses = at_once(tabs(app, client), lambda tab: tab.submit(CHECK, {"reponse": right}))
    assert codes(responses) == {303}
    assert [a.value["response"] for a in answers(user)] == ["juste"]
    assert len(answered_statements()) == len(responses)  # each answer is an event


def refused_and_nothing_kept(response, status, message=None):
    assert response.status_code == status
    if message:
        assert message in response.get_data(as_text=True)
    assert answers() == [] and answered_statements() == []


def test_a_tampered_value_is_refused(client, login_as):
    login_as()
    right = values(lesson_page(client), "verif-1")["La réponse juste"]
    for forged in ("juste", right[:-1] + "0" if right[-1] != "0" else right[:-1] + "1"):
        refused_and_nothing_kept(client.submit(CHECK, {"reponse": forged}), 400, "Réponse inconnue")


def test_another_persons_value_is_refused(client, login_as, auth, create_user):
    other = create_user(email="autre@exemple.fr")
    auth.login(other.email)
    theirs = values(lesson_page(client), "verif-1")["La réponse juste"]
    auth.logout()
    login_as()
    mine = values(lesson_page(client), "verif-1")["La réponse juste"]
    assert theirs != mine
    refused_and_nothing_kept(client.submit(CHECK, {"reponse": theirs}), 400, "Réponse inconnue")


def test_no_answer_or_two_answers_to_a_single_choice_are_refused(client, login_as):
    login_as()
    shown = values(lesson_page(client), "verif-1")
    refused = client.submit(CHECK, {})
    refused_and_nothing_kept(refused, 422, "Choisissez une réponse avant de la vérifier.")
    assert 'id="activite-verif-1"' in refused.get_data(as_text=True)  # the lesson, drawn again
    refused_and_nothing_kept(
        client.submit(CHECK, {"reponse": list(shown.values())}), 422, "Une seule réponse"
    )


def test_an_answer_without_the_csrf_token_is_refused(client, login_as):
    login_as()
    right = values(lesson_page(client), "verif-1")["La réponse juste"]
    refused_and_nothing_kept(client.post(CHECK, data={"reponse": right}), 400)


@pytest.mark.parametrize(
    "url",
    [
        "/modules/module-un/lecon-2/activites/verif-1",  # another lesson's block
        f"{LESSON}/activites/inconnue",
        "/modules/module-deux/lecon-1/activites/verif-1",
    ],
)
def test_a_block_the_lesson_does_not_have_is_not_found(client, login_as, url):
    login_as()
    right = values(lesson_page(client), "verif-1")["La réponse juste"]
    response = client.submit(url, {"reponse": right})
    refused_and_nothing_kept(response, 404, "existe pas dans cette leçon")


def test_checks_never_count_toward_progress(client, login_as):
    user = login_as()
    page = lesson_page(client)
    client.submit(CHECK, {"reponse": values(page, "verif-1")["La réponse juste"]})
    shown = values(page, "verif-2")
    client.submit(MULTIPLE, {"reponse": [shown["La première"], shown["La deuxième"]]})
    assert all(a.value["score"] == 1 for a in answers(user))
    row = db.session.scalar(select(LessonProgress).filter_by(user_id=user.id))
    assert row.completed_at is None
    assert [state.done for state in progress.overview(user)] == [0, 0]
    assert "J'ai terminé cette leçon" in lesson_page(client)


def test_an_answer_is_recorded_as_answered_with_the_lesson_as_parent(app, client, login_as):
    login_as()
    client.submit(CHECK, {"reponse": values(lesson_page(client), "verif-1")["La réponse juste"]})
    (statement,) = answered_statements()
    base = app.config["BASE_URL"] + "/formation/modules/module-un/lecons/lecon-1"
    assert statement["object"]["id"] == base + "/activites/verif-1"
    definition = statement["object"]["definition"]
    assert definition["interactionType"] == "choice"
    assert definition["correctResponsesPattern"] == ["juste"]
    assert statement["result"] == {"response": "juste", "success": True, "score": {"scaled": 1.0}}
    assert [p["id"] for p in statement["context"]["contextActivities"]["parent"]] == [base]


@pytest.mark.lrs
def test_the_answered_statement_passes_ralphs_xapi_model(client, login_as):
    login_as()
    shown = values(lesson_page(client), "verif-2")
    client.submit(MULTIPLE, {"reponse": [shown["La première"], shown["La troisième"]]})
    (statement,) = answered_statements()
    assert ralph_errors([statement]) == [None]


# --- reflection notes ---------------------------------------------------------------------------


def test_a_note_is_kept_edited_and_listed_by_lesson(client, login_as):
    user = login_as()
    assert 'name="note"' in lesson_page(client)
    response = client.submit(NOTE, {"note": "  Le correcteur de mon téléphone.  "})
    assert response.location.endswith(f"{LESSON}#activite-note-1-retour")
    assert "Le correcteur de mon téléphone.</textarea>" in lesson_page(client)
    client.submit(NOTE, {"note": "Le correcteur, et les suggestions de films."})
    (kept,) = answers(user)
    assert kept.value == {"text": "Le correcteur, et les suggestions de films."}
    notes = client.get("/mes-notes").get_data(as_text=True)
    assert "Leçon 1" in notes and "Qu’en pensez-vous\u202f?" in notes
    assert "Le correcteur, et les suggestions de films." in notes
    assert answered_statements() == []  # private: no statement


@pytest.mark.parametrize("text, message", [("   ", "Écrivez votre note"), ("x" * 5001, "5000")])
def test_an_empty_or_overlong_note_is_refused(client, login_as, text, message):
    login_as()
    refused_and_nothing_kept(client.submit(NOTE, {"note": text}), 422, message)


def test_notes_are_private(client, login_as, auth, create_user):
    other = create_user(email="autre@exemple.fr")
    auth.login(other.email)
    client.submit(NOTE, {"note": "Ma note secrète."})
    (theirs,) = answers(other)
    auth.logout()
    login_as("admin")
    assert "Ma note secrète." not in client.get("/mes-notes").get_data(as_text=True)
    assert "Ma note secrète." not in lesson_page(client)
    assert "Ma note secrète." not in client.get("/mes-notes.csv").get_data(as_text=True)
    assert client.submit(f"/mes-notes/{theirs.id}/effacer").status_code == 404
    client.submit("/mes-notes/effacer", {"confirmer": "oui"})
    client.submit(NOTE, {"note": "La mienne."})  # editing mine leaves theirs alone
    assert [a.value["text"] for a in answers(other)] == ["Ma note secrète."]


def test_notes_are_downloaded_as_a_spreadsheet(client, login_as):
    login_as()
    client.submit(NOTE, {"note": "Première ligne, puis\nune seconde."})
    response = client.get("/mes-notes.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    # the platform's CSV for people: its delimiter, as a spreadsheet would guess it
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    (row,) = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    assert row["lecon"] == "Leçon 1" and row["question"] == "Qu’en pensez-vous\u202f?"
    assert row["note"] == "Première ligne, puis\nune seconde."


def test_notes_are_erased_one_or_all(client, login_as):
    user = login_as()
    client.submit(NOTE, {"note": "Une note."})
    (note,) = answers(user)
    client.submit(CHECK, {"reponse": values(lesson_page(client), "verif-1")["La réponse juste"]})
    assert client.submit(f"/mes-notes/{note.id}/effacer").status_code == 302
    assert [a.kind for a in answers(user)] == ["question"]  # the check's answer stays
    assert "Vous n’avez encore aucune note." in client.get("/mes-notes").get_data(as_text=True)
    client.submit(NOTE, {"note": "Une autre note."})
    refused = client.submit("/mes-notes/effacer")  # without ticking the confirmation
    assert refused.status_code == 422 and "Cochez la case" in refused.get_data(as_text=True)
    assert [a.kind for a in answers(user)] == ["question", "reflexion"]
    assert client.submit("/mes-notes/effacer", {"confirmer": "oui"}).status_code == 302
    assert [a.kind for a in answers(user)] == ["question"]


def test_answers_and_notes_are_in_my_data_and_go_with_the_account(client, login_as):
    user = login_as()
    client.submit(NOTE, {"note": "Une note à exporter."})
    client.submit(CHECK, {"reponse": values(lesson_page(client), "verif-1")["La réponse juste"]})
    data = client.get("/mon-compte/donnees.json").get_json()
    kept = {row["activite"]: row for row in data["activites"]}
    assert kept["note-1"]["reponse"] == {"text": "Une note à exporter."}
    assert kept["verif-1"]["reponse"] == {"response": "juste", "score": 1.0}
    done = client.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 302
    assert count(ActivityAnswer, ActivityAnswer.user_id == user.id) == 0
