"""The `scene` activity: a situation that goes wrong during a café, played as a short branching
story. Each step offers 2 to 4 reactions; each reaction gets its feedback and a verdict, and may
lead to a follow-up step. Graded on the server (the verdict is never in the page before the
choice), one plain form per step: it works without JavaScript and with the keyboard.

    ::: scene
    id: scene-monopole
    title: Un participant qui ne lâche plus la parole
    situation: Depuis dix minutes, M. Garnier enchaîne les anecdotes…
    steps:
      - id: debut
        prompt: Que faites-vous ?
        choices:
          - id: couper
            text: Vous l'interrompez : « Bon, ça suffit. »
            verdict: a-eviter
            feedback: Le groupe se tait : chacun craint d'être le suivant.
            next: apres-coupure        # optional: the step that follows this reaction
      - id: apres-coupure
        situation: M. Garnier croise les bras…
        prompt: Comment rattraper la situation ?
        choices: …
    :::

The path taken is kept as the person's answer (courses.activities.save_answer): a list of
[step, choice] pairs. A step may be answered only when it is the first one or the follow-up of
the last reaction chosen; answering an earlier step again replays the scene from there.
Each reaction is recorded as xAPI « answered » (the step a choice interaction, the lesson as
parent); a scene never counts toward a lesson, a module or the status.
"""

from flask import Flask, render_template
from markupsafe import Markup
from tincan import InteractionComponent, LanguageMap, Result

from lms.xapi import activity, record

from . import activities, progress

VERDICTS = {
    "juste": "Bon réflexe",
    "partiel": "Possible, mais incomplet",
    "a-eviter": "À éviter",
}
FIELDS = {"title", "situation", "steps"}
STEP_FIELDS = {"id", "situation", "prompt", "choices"}
CHOICE_FIELDS = {"id", "text", "feedback", "verdict", "next"}
RESTART = "recommencer"


def _check_step(step, ids: set[str]) -> None:
    if not isinstance(step, dict) or not step.get("id"):
        raise ValueError("chaque étape a un « id »")
    where = f"étape « {step['id']} »"
    if set(step) - STEP_FIELDS:
        raise ValueError(
            f"{where} : champ(s) inconnu(s) : {', '.join(sorted(set(step) - STEP_FIELDS))}"
        )
    if not str(step.get("prompt") or "").strip():
        raise ValueError(f"{where} : « prompt » obligatoire")
    choices = step.get("choices") or []
    if not 2 <= len(choices) <= 4:
        raise ValueError(f"{where} : de 2 à 4 choix")
    if len({c.get("id") for c in choices if isinstance(c, dict)}) != len(choices):
        raise ValueError(f"{where} : chaque choix a un « id » unique")
    for choice in choices:
        _check_choice(choice, where, ids)
    if not any(c["verdict"] == "juste" for c in choices):
        raise ValueError(f"{where} : au moins un choix « juste »")


def _check_choice(choice: dict, where: str, ids: set[str]) -> None:
    where = f"{where}, choix « {choice['id']} »"
    if set(choice) - CHOICE_FIELDS:
        unknown = ", ".join(sorted(set(choice) - CHOICE_FIELDS))
        raise ValueError(f"{where} : champ(s) inconnu(s) : {unknown}")
    for name in ("text", "feedback"):
        if not str(choice.get(name) or "").strip():
            raise ValueError(f"{where} : « {name} » obligatoire")
    if choice.get("verdict") not in VERDICTS:
        raise ValueError(f"{where} : « verdict » vaut {', '.join(VERDICTS)}")
    if choice.get("next") is not None and choice["next"] not in ids:
        raise ValueError(f"{where} : l'étape suivante « {choice['next']} » n'existe pas")


def validate(data: dict) -> None:
    if set(data) - FIELDS:
        raise ValueError(f"champ(s) inconnu(s) : {', '.join(sorted(set(data) - FIELDS))}")
    for name in ("title", "situation"):
        if not str(data.get(name) or "").strip():
            raise ValueError(f"champ « {name} » obligatoire")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ValueError("champ « steps » : au moins une étape")
    ids = [step.get("id") for step in steps if isinstance(step, dict)]
    if len(set(ids)) != len(steps):
        raise ValueError("champ « steps » : chaque étape a un « id » unique")
    for step in steps:
        _check_step(step, set(ids))


def _steps(block) -> dict:
    return {step["id"]: step for step in block.data["steps"]}


def _choice(step: dict, choice_id: str) -> dict | None:
    return next((c for c in step["choices"] if c["id"] == choice_id), None)


def played(block, path: list) -> list[dict]:
    """The steps answered, in order, each with the reaction chosen."""
    steps = _steps(block)
    return [{"step": steps[s], "choice": _choice(steps[s], c)} for s, c in path]


def current_step(block, path: list) -> dict | None:
    """The step to answer now: the first, or the follow-up of the last reaction; None at the end."""
    if not path:
        return block.data["steps"][0]
    last_step, last_choice = path[-1]
    follow_up = _choice(_steps(block)[last_step], last_choice).get("next")
    return _steps(block)[follow_up] if follow_up else None


def answerable(block, path: list) -> list[str]:
    """The steps one may answer: the current one, and those played (to replay from there)."""
    played_ids = [s for s, _ in path]
    now = current_step(block, path)
    return [*played_ids, now["id"]] if now else played_ids


def _saved_path(block, lesson, user) -> list:
    saved = activities.saved_answer(block, lesson, user) or {}
    steps = _steps(block)
    path = saved.get("path") or []
    # Content may have changed since: keep the path only while every pair still exists.
    valid = all(s in steps and _choice(steps[s], c) for s, c in path)
    return path if valid else []


class SceneKind:
    name = "scene"

    validate = staticmethod(validate)

    @staticmethod
    def render(block, lesson, user) -> Markup:
        path = _saved_path(block, lesson, user)
        return Markup(
            render_template(
                "courses/activities/scene.html",
                block=block,
                played=played(block, path),
                current=current_step(block, path),
                verdicts=VERDICTS,
                action=activities.action_url(block, lesson),
                restart=RESTART,
            )
        )

    @staticmethod
    def answered_anchor(block) -> str:
        return f"{block.anchor}-retour"  # the last feedback, or the scene played again

    @staticmethod
    def submit(block, lesson, user, form) -> None:
        if form.get(RESTART):
            activities.forget_answer(block, lesson, user)
            return
        path = _saved_path(block, lesson, user)
        steps = _steps(block)
        step_id, choice_id = form.get("etape", ""), form.get("choix", "")
        if not choice_id and step_id in steps:
            raise activities.AnswerError("Choisissez une réaction avant de valider.")
        if step_id not in answerable(block, path) or not _choice(steps[step_id], choice_id):
            raise activities.AnswerError(
                "Réaction inconnue : elle ne correspond pas à cette scène. Rechargez la page.",
                status=400,
            )
        played_ids = [s for s, _ in path]
        kept = path[: played_ids.index(step_id)] if step_id in played_ids else path
        activities.save_answer(block, lesson, user, {"path": [*kept, [step_id, choice_id]]})
        _record(user, lesson, block, steps[step_id], _choice(steps[step_id], choice_id))


def step_activity(lesson, block, step: dict):
    """One step of a scene as an xAPI choice interaction; its « juste » reactions are right."""
    return activity(
        "cmi.interaction",
        f"{block.data['title']} — {step['prompt']}"[:200],
        "modules",
        lesson.module_slug,
        "lecons",
        lesson.slug,
        "activites",
        block.id,
        "etapes",
        step["id"],
        interaction_type="choice",
        correct_responses_pattern=[c["id"] for c in step["choices"] if c["verdict"] == "juste"],
        description=LanguageMap({"fr-FR": step["prompt"]}),
        choices=[
            InteractionComponent(id=c["id"], description=LanguageMap({"fr-FR": c["text"]}))
            for c in step["choices"]
        ],
    )


def _record(user, lesson, block, step: dict, choice: dict) -> None:
    """xAPI « answered », the lesson as parent, in the answer's transaction; never progress."""
    module = progress.catalogue().module(lesson.module_slug)
    record(
        user,
        "answered",
        step_activity(lesson, block, step),
        result=Result(response=choice["id"], success=choice["verdict"] == "juste"),
        parent=progress.lesson_activity(module, lesson),
    )


def register(app: Flask) -> None:
    activities.register(app, SceneKind)
