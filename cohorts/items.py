"""Item statistics for a cohort: per question, answers and the share answered right.

Counted by quizzes.question_stats over the cohort's members. A share drawn from fewer than
THRESHOLD people could single someone out (lms.secrecy, the rule of the national figures too),
so it is shown as « < 5 » instead.
"""

from dataclasses import dataclass

from sqlalchemy import select

from courses import progress
from lms.secrecy import THRESHOLD
from quizzes import results
from quizzes.services import question_stats, quizzes

from .models import CohortMember


@dataclass
class Item:
    prompt: str
    answers: int
    right: float | None  # None: nobody answered, or too few people to show it


@dataclass
class QuizItems:
    title: str
    people: int  # how many members handed this quiz in
    items: list[Item]

    @property
    def small(self) -> bool:
        return self.people < THRESHOLD


def _members(cohort):
    return select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)


def by_quiz(cohort) -> list[QuizItems]:
    """Each quiz of the training in order, its questions weakest first (two queries)."""
    stats = {(r["module"], r["question"]): r for r in question_stats(user_ids=_members(cohort))}
    people, banks = results.people_per_quiz(_members(cohort)), quizzes()
    result = []
    for module in progress.catalogue().modules:
        quiz = banks.get(module.slug)
        if quiz:
            result.append(_quiz_items(quiz, people.get(quiz.module_slug, 0), stats))
    return result


def _quiz_items(quiz, people: int, stats: dict) -> QuizItems:
    hidden = people < THRESHOLD
    items = []
    for question in quiz.questions:
        row = stats.get((quiz.module_slug, question.id), {"answers": 0, "right": None})
        right = None if hidden or not row["answers"] else row["right"]
        items.append(Item(question.prompt, row["answers"], right))
    if not hidden:  # hidden shares keep the bank's order, which reveals nothing
        items.sort(key=lambda item: (item.right is None, item.right))
    return QuizItems(quiz.title, people, items)
