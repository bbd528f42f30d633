"""Reading a submission and grading it, on the server only.

A submission that names an unknown id, misses an answer, gives an item twice or carries a
question from another quiz raises SubmissionError with a French message: nothing is stored.
"""

from dataclasses import dataclass

from .bank import Question, Quiz

TRUE_FALSE = {"vrai": True, "faux": False}


def field_name(question: Question, item=None) -> str:
    """Form field of a question, or of one item of it; ids never contain a dot."""
    return f"q-{question.id}" + (f".{item.id}" if item else "")


class SubmissionError(ValueError):
    """An incomplete or inconsistent answer: the person corrects it on the page."""

    status = 422


class UnknownIdError(SubmissionError):
    """An id the quiz never offered: only a stale page or a forged form sends one."""

    status = 400


@dataclass
class Graded:
    question: Question
    response: object  # str | list[str] | bool | dict[str, str]
    score: float  # 0 to 1: partly right answers earn part of the point

    @property
    def correct(self) -> bool:
        return self.score == 1


def _one(form, name: str, question: Question) -> str:
    values = form.getlist(name)
    if not values or values == [""]:
        raise SubmissionError(f"Répondez à la question « {question.prompt} ».")
    if len(values) > 1:
        raise SubmissionError(f"Une seule réponse est attendue à « {question.prompt} ».")
    return values[0]


def _known(value: str, ids: set[str], question: Question) -> str:
    if value not in ids:
        raise UnknownIdError(f"Réponse inconnue pour « {question.prompt} » : rechargez la page.")
    return value


def read_response(question: Question, form):
    """The person's answer to one question, checked against what the question offers."""
    name = field_name(question)
    if question.kind == "single":
        return _known(_one(form, name, question), {c.id for c in question.choices}, question)
    if question.kind == "truefalse":
        return TRUE_FALSE[_known(_one(form, name, question), set(TRUE_FALSE), question)]
    if question.kind == "multiple":
        values = [v for v in form.getlist(name) if v]
        if not values:
            raise SubmissionError(f"Cochez au moins une réponse à « {question.prompt} ».")
        if len(set(values)) != len(values):
            raise SubmissionError(f"Une réponse est donnée deux fois à « {question.prompt} ».")
        return sorted(_known(v, {c.id for c in question.choices}, question) for v in values)
    if question.kind == "ordering":
        positions = {
            item.id: _one(form, field_name(question, item), question) for item in question.items
        }
        allowed = {str(n) for n in range(1, len(question.items) + 1)}
        for value in positions.values():
            _known(value, allowed, question)
        if len(set(positions.values())) != len(positions):
            raise SubmissionError(
                f"Deux éléments ont la même place dans « {question.prompt} » : "
                "donnez une place différente à chacun."
            )
        return sorted(positions, key=lambda item_id: int(positions[item_id]))
    categories = {c.id for c in question.categories}
    return {
        item.id: _known(_one(form, field_name(question, item), question), categories, question)
        for item in question.items
    }


def score(question: Question, response) -> float:
    if question.kind == "single":
        return float(next(c for c in question.choices if c.id == response).correct)
    if question.kind == "truefalse":
        return float(response == question.answer)
    if question.kind == "multiple":
        right = {c.id for c in question.choices if c.correct}
        hits, false_alarms = len(right & set(response)), len(set(response) - right)
        return max(0.0, (hits - false_alarms) / len(right))
    if question.kind == "ordering":
        expected = [item.id for item in question.items]
        return sum(a == b for a, b in zip(expected, response, strict=True)) / len(expected)
    return sum(response[item.id] == item.category for item in question.items) / len(question.items)


def _fields(question: Question) -> set[str]:
    if question.kind in ("ordering", "classification"):
        return {field_name(question, item) for item in question.items}
    return {field_name(question)}


def _check_fields(quiz: Quiz, form) -> None:
    """Refuse any answer field the quiz did not show, rather than grade around it."""
    questions = {field_name(q): q for q in quiz.questions}
    expected = set().union(*(_fields(q) for q in quiz.questions))
    for key in form:
        if not key.startswith("q-") or key in expected:
            continue
        question = questions.get(key.split(".")[0])
        if question is None:
            raise UnknownIdError(
                "Cette réponse ne correspond à aucune question de ce quiz : "
                "rechargez la page et recommencez."
            )
        raise UnknownIdError(
            f"La réponse envoyée pour « {question.prompt} » contient un élément inconnu : "
            "rechargez la page et recommencez."
        )


def grade(quiz: Quiz, form) -> list[Graded]:
    """Every question of the quiz answered, and no field from elsewhere."""
    _check_fields(quiz, form)
    return [
        Graded(q, response := read_response(q, form), score(q, response)) for q in quiz.questions
    ]


def ratio(graded: list[Graded]) -> float:
    return sum(g.score for g in graded) / len(graded)


def percentage(graded: list[Graded]) -> float:
    """For display and storage only: the pass decision uses the unrounded ratio."""
    return round(100 * ratio(graded), 1)


# Sums of thirds and quarters can land a hair under an exact mark (0.29 * 100 < 29); this is far
# below any real difference between two scores.
EPSILON = 1e-9


def passes(graded: list[Graded], pass_mark: float) -> bool:
    """Unrounded: 79.96 % shows as 80.0 % but does not pass at 80."""
    return 100 * ratio(graded) + EPSILON >= pass_mark
