"""Reading a submission and grading it, on the server only.

The page names each answer by the opaque values its attempt drew (quizzes/draw.py); they are
read back here into the bank's ids, which the score, the stored answers and the statements use.
A submission that misses an answer or gives an item's place twice raises SubmissionError,
listing every such question at once; a value the attempt never showed (another attempt's,
another question's, another person's) or a question it did not ask raises UnknownIdError.
Either way nothing is stored.
"""

from dataclasses import dataclass

from .bank import Question
from .draw import Shown

TRUE_FALSE = {"vrai": True, "faux": False}
WITH_ITEMS = ("ordering", "classification", "matching")  # one field per item (or pair)


def field_name(question: Question, item_value: str | None = None) -> str:
    """Form field of a question, or of one of its items (by the item's value: values never
    contain a dot)."""
    return f"q-{question.id}" + (f".{item_value}" if item_value else "")


class SubmissionError(ValueError):
    """An incomplete or inconsistent answer: the person corrects it on the page.

    `errors` maps each question to correct to its message, for the page to list them all.
    """

    status = 422

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class UnknownIdError(SubmissionError):
    """A value the attempt never offered: only a stale page or a forged form sends one."""

    status = 400


@dataclass
class Graded:
    question: Question
    response: object  # str | list[str] | bool | dict[str, str], in the bank's ids
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


def _unknown(question: Question) -> UnknownIdError:
    return UnknownIdError(
        f"Réponse inconnue pour « {question.prompt} » : elle ne correspond pas au quiz qui vous a "
        "été présenté. Rechargez la page."
    )


def _known(option, question: Question):
    if option is None:
        raise _unknown(question)
    return option


def read_response(shown: Shown, form):
    """The person's answer to one question, in the bank's ids, checked against what the attempt
    showed."""
    question = shown.question
    name = field_name(question)
    if question.kind == "single":
        return _known(shown.option(_one(form, name, question)), question).id
    if question.kind == "truefalse":
        value = _one(form, name, question)
        if value not in TRUE_FALSE:
            raise _unknown(question)
        return TRUE_FALSE[value]
    if question.kind == "multiple":
        values = [v for v in form.getlist(name) if v]
        if not values:
            raise SubmissionError(f"Cochez au moins une réponse à « {question.prompt} ».")
        if len(set(values)) != len(values):
            raise SubmissionError(f"Une réponse est donnée deux fois à « {question.prompt} ».")
        return sorted(_known(shown.option(v), question).id for v in values)
    given = {item.id: _one(form, field_name(question, v), question) for item, v in shown.options}
    answers = {item.id: given[item.id] for item in question.shuffled}  # in the bank's order
    if question.kind == "ordering":
        allowed = {str(n) for n in range(1, len(question.items) + 1)}
        if not set(answers.values()) <= allowed:
            raise _unknown(question)
        if len(set(answers.values())) != len(answers):
            raise SubmissionError(
                f"Deux éléments ont la même place dans « {question.prompt} » : "
                "donnez une place différente à chacun."
            )
        return sorted(answers, key=lambda item_id: int(answers[item_id]))
    # classification and matching: each item (each pair's prompt) put into a target
    return {item: _known(shown.target(value), question).id for item, value in answers.items()}


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
    if question.kind == "matching":
        return sum(response[pair.id] == pair.id for pair in question.pairs) / len(question.pairs)
    return sum(response[item.id] == item.category for item in question.items) / len(question.items)


def _fields(shown: Shown) -> set[str]:
    if shown.question.kind in WITH_ITEMS:
        return {field_name(shown.question, value) for _, value in shown.options}
    return {field_name(shown.question)}


def expected_fields(asked: list[Shown]) -> set[str]:
    return set().union(*(_fields(s) for s in asked))


def _check_fields(asked: list[Shown], form) -> None:
    """Refuse any answer field the attempt did not show, rather than grade around it."""
    questions = {field_name(s.question): s.question for s in asked}
    expected = expected_fields(asked)
    for key in form:
        if not key.startswith("q-") or key in expected:
            continue
        question = questions.get(key.split(".")[0])
        if question is None:
            raise UnknownIdError(
                "Cette réponse ne correspond à aucune question de cette tentative du quiz : "
                "rechargez la page et recommencez."
            )
        raise UnknownIdError(
            f"La réponse envoyée pour « {question.prompt} » contient un élément inconnu : "
            "rechargez la page et recommencez."
        )


def grade(asked: list[Shown], form) -> list[Graded]:
    """Every question the attempt asked answered, and no field from elsewhere.

    A forged value stops at once; the person's own omissions are all listed together.
    """
    _check_fields(asked, form)
    graded, errors = [], {}
    for shown in asked:
        try:
            response = read_response(shown, form)
        except UnknownIdError:
            raise
        except SubmissionError as error:
            errors[shown.question.id] = str(error)
            continue
        graded.append(Graded(shown.question, response, score(shown.question, response)))
    if errors:
        raise SubmissionError(" ".join(errors.values()), errors)
    return graded


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
