"""The `scene` activity of module 4: situations that go wrong, played over HTTP. Every reaction
of every step is tried; the feedback and verdict come from the server after the choice, never
before; a forged step or reaction is refused (400) and saves nothing, as does a missing token."""

import json
import re

import pytest
from sqlalchemy import select

from courses import scenes
from courses.models import ActivityAnswer, LessonProgress
from lms.extensions import db
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from tests.helpers import count
from tests.lrs.models import ralph_errors

LESSON = "/modules/animer-cafe-ia/situations-delicates"
SCENES = ("scene-monopole", "scene-hostile", "scene-sans-reponse")


@pytest.fixture
def app_config():
    return {"COURSES_CONTENT": None, "QUIZ_BANKS": None}  # module 4 as published


def block_of(app, block_id):
    lesson = app.extensions["courses"].module("animer-cafe-ia").lesson("situations-delicates")
    return next(b for b in lesson.blocks if b.id == block_id)


def play(client, block_id, step, choice):
    return client.submit(f"{LESSON}/activites/{block_id}", {"etape": step, "choix": choice})


def section(page: str, block_id: str) -> str:
    start = page.index(f'id="activite-{block_id}"')
    return page[start : page.index("</section>", start)]


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def paths(block) -> list[list[tuple[str, str]]]:
    """Every way through the scene, from its first step to an end."""
    steps = {step["id"]: step for step in block.data["steps"]}

    def walk(step_id, taken):
        for choice in steps[step_id]["choices"]:
            here = [*taken, (step_id, choice["id"])]
            if choice.get("next"):
                yield from walk(choice["next"], here)
            else:
                yield here

    return list(walk(block.data["steps"][0]["id"], []))


def test_module_4_has_the_three_scenes_each_with_branches(app):
    for block_id in SCENES:
        block = block_of(app, block_id)
        assert block.kind == "scene"
        assert len(paths(block)) >= 3  # more than one way through
        for step in block.data["steps"]:
            assert 2 <= len(step["choices"]) <= 4


@pytest.mark.parametrize("block_id", SCENES)
def test_every_branch_gives_its_feedback_then_its_follow_up(app, client, login_as, block_id):
    login_as()
    block = block_of(app, block_id)
    steps = {step["id"]: step for step in block.data["steps"]}
    for path in paths(block):
        client.submit(f"{LESSON}/activites/{block_id}", {"recommencer": "1"})
        for n, (step_id, choice_id) in enumerate(path):
            before = section(client.get(LESSON).get_data(as_text=True), block_id)
            choice = next(c for c in steps[step_id]["choices"] if c["id"] == choice_id)
            # The page offers the step, but tells nothing of the verdicts before the choice.
            assert f'name="etape" value="{step_id}"' in before
            assert feedback_of(choice) not in words(before)
            response = play(client, block_id, step_id, choice_id)
            assert response.status_code == 303
            assert response.location.endswith(f"#activite-{block_id}-retour")
            after = text(section(client.get(LESSON).get_data(as_text=True), block_id))
            assert scenes.VERDICTS[choice["verdict"]] in after
            assert feedback_of(choice) in words(after)
            saved = db.session.scalar(select(ActivityAnswer.value).filter_by(block_id=block_id))
            assert saved == {"path": [list(pair) for pair in path[: n + 1]]}
        end = section(client.get(LESSON).get_data(as_text=True), block_id)
        assert "Fin de la scène." in end and 'name="recommencer"' in end


def test_the_feedback_shown_is_the_one_of_the_reaction_chosen(app, client, login_as):
    login_as()
    block = block_of(app, "scene-monopole")
    first = block.data["steps"][0]
    for choice in first["choices"]:
        client.submit(f"{LESSON}/activites/scene-monopole", {"recommencer": "1"})
        play(client, "scene-monopole", first["id"], choice["id"])
        shown = text(section(client.get(LESSON).get_data(as_text=True), "scene-monopole"))
        others = [c for c in first["choices"] if c is not choice]
        # Typography changes spaces, not words: compare a run of words from each feedback.
        assert feedback_of(choice) in words(shown)
        assert all(feedback_of(other) not in words(shown) for other in others)


def words(value: str) -> str:
    return " ".join(re.findall(r"\w+", value))


def feedback_of(choice) -> str:
    """The first words of a reaction's feedback, as the page must show them."""
    return " ".join(re.findall(r"\w+", choice["feedback"])[:8])


@pytest.mark.parametrize(
    "form",
    [
        {"etape": "debut", "choix": "inventee"},  # no such reaction
        {"etape": "inconnue", "choix": "couper"},  # no such step
        {"etape": "toujours-lui", "choix": "objet"},  # a follow-up not reached
        {"etape": "apres-coupure", "choix": "ironiser"},  # another step's reaction
    ],
)
def test_a_forged_reaction_is_refused_and_saves_nothing(client, login_as, form):
    login_as()
    response = client.submit(f"{LESSON}/activites/scene-monopole", form)
    assert response.status_code == 400
    assert "Réaction inconnue" in response.get_data(as_text=True)
    assert count(ActivityAnswer) == 0


def test_no_reaction_chosen_is_said_and_saves_nothing(client, login_as):
    login_as()
    response = client.submit(f"{LESSON}/activites/scene-monopole", {"etape": "debut"})
    assert response.status_code == 422
    assert "Choisissez une réaction avant de valider." in response.get_data(as_text=True)
    assert count(ActivityAnswer) == 0


def test_without_the_form_token_nothing_is_saved(client, login_as):
    login_as()
    response = client.post(
        f"{LESSON}/activites/scene-monopole", data={"etape": "debut", "choix": "reformuler"}
    )
    assert response.status_code == 400
    assert count(ActivityAnswer) == 0


def test_playing_counts_for_nothing_in_the_progress_and_can_start_again(client, login_as):
    login_as()
    play(client, "scene-monopole", "debut", "couper")
    play(client, "scene-monopole", "apres-coupure", "excuser")
    assert count(LessonProgress) == 0
    # Answering the first step again replays the scene from there.
    play(client, "scene-monopole", "debut", "reformuler")
    saved = db.session.scalar(select(ActivityAnswer.value))
    assert saved == {"path": [["debut", "reformuler"]]}
    client.submit(f"{LESSON}/activites/scene-monopole", {"recommencer": "1"})
    assert count(ActivityAnswer) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        ({"situation": "s", "steps": [{"id": "a", "prompt": "p", "choices": []}]}, "« title »"),
        (
            {"title": "t", "situation": "s", "steps": [{"id": "a", "prompt": "p", "choices": [
                {"id": "x", "text": "x", "feedback": "f", "verdict": "juste"}]}]},
            "de 2 à 4 choix",
        ),
        (
            {"title": "t", "situation": "s", "steps": [{"id": "a", "prompt": "p", "choices": [
                {"id": "x", "text": "x", "feedback": "f", "verdict": "juste", "next": "z"},
                {"id": "y", "text": "y", "feedback": "f", "verdict": "a-eviter"}]}]},
            "l'étape suivante « z » n'existe pas",
        ),
        (
            {"title": "t", "situation": "s", "steps": [{"id": "a", "prompt": "p", "choices": [
                {"id": "x", "text": "x", "feedback": "f", "verdict": "bof"},
                {"id": "y", "text": "y", "feedback": "f", "verdict": "juste"}]}]},
            "« verdict »",
        ),
        (
            {"title": "t", "situation": "s", "steps": [{"id": "a", "prompt": "p", "choices": [
                {"id": "x", "text": "x", "feedback": "f", "verdict": "partiel"},
                {"id": "y", "text": "y", "feedback": "f", "verdict": "a-eviter"}]}]},
            "au moins un choix « juste »",
        ),
    ],
)  # fmt: skip
def test_a_badly_written_scene_is_refused_in_french(data, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        scenes.validate(data)


# --- xAPI ---------------------------------------------------------------------------------------


def answered_statements() -> list[dict]:
    rows = db.session.scalars(
        select(StoredStatement.payload)
        .where(StoredStatement.verb == VERBS["answered"][0])
        .order_by(StoredStatement.stored)
    )
    return [json.loads(payload) for payload in rows]


def test_each_reaction_is_recorded_as_answered_with_the_lesson_as_parent(app, client, login_as):
    login_as()
    play(client, "scene-monopole", "debut", "couper")
    play(client, "scene-monopole", "apres-coupure", "excuser")
    by_step = {s["object"]["id"].rsplit("/", 1)[1]: s for s in answered_statements()}
    first, second = by_step["debut"], by_step["apres-coupure"]
    lesson = (
        app.config["BASE_URL"] + "/formation/modules/animer-cafe-ia/lecons/situations-delicates"
    )
    assert first["object"]["id"] == lesson + "/activites/scene-monopole/etapes/debut"
    definition = first["object"]["definition"]
    assert definition["interactionType"] == "choice"
    assert definition["correctResponsesPattern"] == ["reformuler"]
    assert [c["id"] for c in definition["choices"]] == ["couper", "reformuler", "laisser"]
    assert first["result"] == {"response": "couper", "success": False}
    assert second["result"] == {"response": "excuser", "success": True}
    assert [p["id"] for p in first["context"]["contextActivities"]["parent"]] == [lesson]


@pytest.mark.lrs
def test_the_answered_statement_passes_ralphs_xapi_model(client, login_as):
    login_as()
    play(client, "scene-hostile", "debut", "accueillir")
    (statement,) = answered_statements()
    assert ralph_errors([statement]) == [None]
