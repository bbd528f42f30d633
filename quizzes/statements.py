"""How quiz events read in xAPI: cmi.interaction definitions and responses in xAPI's format."""

from tincan import InteractionComponent, LanguageMap, Result, Score

from lms.xapi import activity

from .bank import Question, Quiz

INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "truefalse": "true-false",
    "ordering": "sequencing",
    "classification": "matching",
    "matching": "matching",
}


def _components(options, text=lambda option: option.text) -> list[InteractionComponent]:
    return [
        InteractionComponent(id=o.id, description=LanguageMap({"fr-FR": text(o)})) for o in options
    ]


def quiz_activity(quiz: Quiz):
    return activity("assessment", quiz.title, "modules", quiz.module_slug, "quiz")


def correct_pattern(question: Question) -> str:
    if question.kind in ("single", "multiple"):
        return "[,]".join(c.id for c in question.choices if c.correct)
    if question.kind == "truefalse":
        return "true" if question.answer else "false"
    if question.kind == "ordering":
        return "[,]".join(item.id for item in question.items)
    if question.kind == "matching":  # xAPI 1.0.3 Data 2.4.4.1: source[.]target pairs
        return "[,]".join(f"{pair.id}[.]{pair.id}" for pair in question.pairs)
    return "[,]".join(f"{item.id}[.]{item.category}" for item in question.items)


def response_string(question: Question, response) -> str:
    if question.kind == "single":
        return response
    if question.kind == "truefalse":
        return "true" if response else "false"
    if question.kind in ("multiple", "ordering"):
        return "[,]".join(response)
    return "[,]".join(f"{item}[.]{category}" for item, category in response.items())


def question_activity(quiz: Quiz, question: Question):
    definition = {
        "interaction_type": INTERACTION_TYPES[question.kind],
        "correct_responses_pattern": [correct_pattern(question)],
        "description": LanguageMap({"fr-FR": question.prompt}),
    }
    if question.kind == "classification":
        definition |= {
            "source": _components(question.items),
            "target": _components(question.categories),
        }
    elif question.kind == "matching":  # each prompt (source) and its match (target) share an id
        definition |= {
            "source": _components(question.pairs),
            "target": _components(question.pairs, lambda pair: pair.match),
        }
    elif question.kind != "truefalse":
        definition["choices"] = _components(question.choices or question.items)
    return activity(
        "cmi.interaction",
        question.prompt[:200],
        "modules",
        quiz.module_slug,
        "quiz",
        "questions",
        question.id,
        **definition,
    )


def answer_result(graded) -> Result:
    return Result(
        response=response_string(graded.question, graded.response),
        success=graded.correct,
        score=Score(scaled=graded.score),
    )


def quiz_result(percentage: float, passed: bool) -> Result:
    # scaled is raw / max; rounded so 16.7 gives 0.167, not 0.16699999999999998.
    return Result(
        score=Score(scaled=round(percentage / 100, 4), raw=percentage, min=0, max=100),
        success=passed,
        completion=True,
    )
