"""The `question` activity: a short check inside a lesson, written like a quiz question (single
or multiple choice, quizzes/bank.py), graded on the server (quizzes/grading.py).

The page names each choice by an opaque value, a keyed digest of the person, the block and the
choice: it tells nothing of the answer, differs from one person to the next, and a value from
another block or person matches nothing. The last answer is kept per person and block
(courses.activities.save_answer) and recorded as xAPI « answered », the lesson as parent; it
never counts toward a lesson, a module or the status.
"""

import hashlib
import hmac
from functools import cache
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup
from tincan import LanguageMap

from courses import activities, progress
from lms.extensions import db
from lms.xapi import activity, record

from .bank import Question, _Reader
from .grading import Graded, score
from .statements import INTERACTION_TYPES, _components, answer_result, correct_pattern

FIELD = "reponse"
KINDS = ("single", "multiple")
FIELDS = {"kind", "prompt", "choices", "explanation"}


class _BlockReader(_Reader):
    """The quiz bank's reader, its messages without a file (the lesson names it)."""

    def fail(self, field_name: str, message: str):
        raise ValueError(f"champ « {field_name} » : {message}")


def read_question(data: dict) -> Question:
    unknown = set(data) - FIELDS
    if unknown:
        raise ValueError(f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}")
    if data.get("kind") not in KINDS:
        raise ValueError(f"champ « kind » : « single » ou « multiple » ({data.get('kind')!r})")
    for choice in data.get("choices") or []:
        if isinstance(choice, dict) and not str(choice.get("feedback") or "").strip():
            raise ValueError(f"choix « {choice.get('id')} » : « feedback » obligatoire")
    return _BlockReader(Path("activité")).question_from({"id": "verification", **data})


@cache
def question_of(block) -> Question:
    return read_question(block.data)  # blocks live as long as the catalogue: read once


def _value(user, lesson, block, option_id: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = "/".join((str(user.id), lesson.module_slug, lesson.slug, block.id, option_id))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:16]


def shown_choices(user, lesson, block) -> list[tuple]:
    """(choice, value), in an order of its own for each person (by value)."""
    question = question_of(block)
    pairs = [(c, _value(user, lesson, block, c.id)) for c in question.choices]
    return sorted(pairs, key=lambda pair: pair[1])


def _response(question: Question, chosen: list) -> str | list[str]:
    return chosen[0].id if question.kind == "single" else sorted(c.id for c in chosen)


def check_activity(lesson, block, question: Question):
    return activity(
        "cmi.interaction",
        question.prompt[:200],
        "modules",
        lesson.module_slug,
        "lecons",
        lesson.slug,
        "activites",
        block.id,
        interaction_type=INTERACTION_TYPES[question.kind],
        correct_responses_pattern=[correct_pattern(question)],
        description=LanguageMap({"fr-FR": question.prompt}),
        choices=_components(question.choices),
    )


class QuestionKind:
    name = "question"

    @staticmethod
    def validate(data: dict) -> None:
        read_question(data)

    @staticmethod
    def render(block, lesson, user) -> Markup:
        question = question_of(block)
        saved = activities.saved_answer(block, lesson, user)
        response = (saved or {}).get("response")
        chosen = {response} if isinstance(response, str) else set(response or ())
        return Markup(
            render_template(
                "quizzes/activities/question.html",
                block=block,
                question=question,
                choices=shown_choices(user, lesson, block),
                chosen=chosen,
                saved=saved,
                action=activities.action_url(block, lesson),
                field=FIELD,
            )
        )

    @staticmethod
    def answered_anchor(block) -> str:
        return f"{block.anchor}-retour"

    @staticmethod
    def submit(block, lesson, user, form) -> None:
        question = question_of(block)
        by_value = {value: choice for choice, value in shown_choices(user, lesson, block)}
        values = [v for v in form.getlist(FIELD) if v]
        if not values:
            raise activities.AnswerError(
                "Choisissez une réponse avant de la vérifier."
                if question.kind == "single"
                else "Cochez au moins une réponse avant de la vérifier."
            )
        if question.kind == "single" and len(values) > 1:
            raise activities.AnswerError("Une seule réponse est attendue à cette question.")
        if len(set(values)) != len(values) or not all(v in by_value for v in values):
            raise activities.AnswerError(
                "Réponse inconnue : elle ne correspond pas à cette question. Rechargez la page.",
                status=400,
            )
        response = _response(question, [by_value[v] for v in values])
        graded = Graded(question, response, score(question, response))
        activities.save_answer(block, lesson, user, {"response": response, "score": graded.score})
        module = progress.catalogue().module(lesson.module_slug)
        record(
            user,
            "answered",
            check_activity(lesson, block, question),
            result=answer_result(graded),
            parent=progress.lesson_activity(module, lesson),
        )


def demo_answer(find_user) -> None:
    """The demo learner answered the first check of the training, rightly."""
    learner = find_user("apprenant@exemple.fr")
    found = next(
        (
            (lesson, b)
            for lesson in progress.catalogue().lessons()
            for b in lesson.blocks
            if b.kind == QuestionKind.name
        ),
        None,
    )
    if found is None or activities.saved_answer(found[1], found[0], learner):
        return
    lesson, block = found
    right = [value for choice, value in shown_choices(learner, lesson, block) if choice.correct]
    QuestionKind.submit(block, lesson, learner, _Form({FIELD: right}))
    db.session.commit()


class _Form(dict):
    def getlist(self, name):
        return self.get(name, [])
