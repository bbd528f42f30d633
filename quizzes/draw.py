"""What one attempt asks: the questions it drew and, per question, the order of its options and
an opaque value for each, drawn afresh for every attempt and kept on the server
(QuizAttempt.layout). The page carries only these values, so neither an id, an order nor a value
tells the right answer, and a value from another attempt or question matches nothing.

The layout, as stored:
    {"version": 2,
     "questions": [{"id": question id,
                    "options": [[option id, value], …],   # choices, items or pairs, as shown
                    "targets": [[option id, value], …]}], # categories or matches, as shown
     "draft": {field name: [values]}}                      # answers saved to finish later
"""

import secrets
from dataclasses import dataclass

from .bank import Option, Question, Quiz

VERSION = 2
_random = secrets.SystemRandom()


def _value() -> str:
    return secrets.token_urlsafe(8)  # 64 random bits: another attempt's value matches nothing


@dataclass
class Shown:
    """One question as an attempt shows it."""

    question: Question
    options: list[tuple[Option, str]]  # choices, items or pairs' prompts, each with its value
    targets: list[tuple[Option, str]]  # categories or matches, each with its value

    def option(self, value: str) -> Option | None:
        return next((option for option, v in self.options if v == value), None)

    def target(self, value: str) -> Option | None:
        return next((option for option, v in self.targets if v == value), None)

    def value_of(self, option_id: str) -> str:
        return next(v for option, v in self.options if option.id == option_id)

    def target_value_of(self, option_id: str) -> str:
        return next(v for option, v in self.targets if option.id == option_id)


def draw_questions(quiz: Quiz) -> list[Question]:
    """`quiz.draw` questions: one at random per objective, then the rest at random from what is
    left; shown in the bank's order (the lessons' order)."""
    chosen = []
    for objective in quiz.objectives:
        chosen.append(_random.choice([q for q in quiz.questions if q.objective == objective.id]))
    left = [q for q in quiz.questions if q not in chosen]
    chosen += _random.sample(left, quiz.draw - len(chosen))
    return [q for q in quiz.questions if q in chosen]


def _in_random_order(options: list[Option]) -> list[list[str]]:
    drawn = [[option.id, _value()] for option in options]
    _random.shuffle(drawn)
    return drawn


def new_layout(quiz: Quiz) -> dict:
    return {
        "version": VERSION,
        "questions": [
            {
                "id": q.id,
                "options": _in_random_order(q.shuffled),
                "targets": _in_random_order(q.targets),
            }
            for q in draw_questions(quiz)
        ],
    }


def _resolve(options: list[Option], stored) -> list[tuple[Option, str]] | None:
    by_id = {option.id: option for option in options}
    if sorted(option_id for option_id, _ in stored) != sorted(by_id):
        return None
    return [(by_id[option_id], value) for option_id, value in stored]


def shown(quiz: Quiz, layout) -> list[Shown] | None:
    """The questions a layout shows; None for a layout of the former shape (option ids in the
    bank's terms) or one the bank no longer matches: an open attempt is then drawn again."""
    if not isinstance(layout, dict) or layout.get("version") != VERSION:
        return None
    questions = []
    for entry in layout["questions"]:
        question = quiz.question(entry["id"])
        if question is None:
            return None
        options = _resolve(question.shuffled, entry["options"])
        targets = _resolve(question.targets, entry["targets"])
        if options is None or targets is None:
            return None
        questions.append(Shown(question, options, targets))
    return questions


def draft(layout) -> dict[str, list[str]]:
    return (layout or {}).get("draft") or {}
