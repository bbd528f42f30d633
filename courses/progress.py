"""Progress services: each write records its statement in the same transaction."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import and_, bindparam, func, select, update

from lms import hooks
from lms.concurrency import claim, locked, retry_on_conflict
from lms.extensions import db
from lms.models import as_utc, utcnow
from lms.xapi import activity, record

from .content import Catalogue, Lesson, Module
from .models import ActivityAnswer, LessonProgress, ModuleProgress

# Other features add what completing a module needs besides its lessons (the quiz, for one):
# functions (user, module) -> bool.

NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"


def catalogue() -> Catalogue:
    return current_app.extensions["courses"]


def module_activity(module: Module):
    return activity("module", module.title, "modules", module.slug)


def lesson_activity(module: Module, lesson: Lesson):
    return activity("lesson", lesson.title, "modules", module.slug, "lecons", lesson.slug)


def _lesson_row(user, module, lesson) -> LessonProgress | None:
    return db.session.scalar(
        select(LessonProgress).filter_by(
            user_id=user.id, module_slug=module.slug, lesson_slug=lesson.slug
        )
    )


def _module_row(user, module) -> ModuleProgress | None:
    return db.session.scalar(
        select(ModuleProgress).filter_by(user_id=user.id, module_slug=module.slug)
    )


# A reload, a back-and-forth between two tabs, a return within the half hour: the same
# reading, already recorded. A statement per reload would fill the LRS with noise that says
# nothing more (« experienced » is about having read the lesson, not about how often the page
# was drawn), and cost every page view a write. Half an hour is the usual length of a session
# in web analytics: coming back later is a new reading, recorded again.
REVISIT = timedelta(minutes=30)


def open_lesson(user, module: Module, lesson: Lesson) -> bool:
    """A visit: the module is launched the first time, the lesson experienced the first time
    and again when seen after REVISIT; True if the lesson is done.

    Two tabs opening a module's first lesson at once both insert its progress rows: the unique
    constraints keep one, and the other request runs again and finds them (one « launched »,
    one « experienced »).
    """
    return read_lesson(user, module, lesson)[0]


def read_lesson(user, module: Module, lesson: Lesson) -> tuple[bool, dict | None]:
    """open_lesson, and the person's answers to the lesson's blocks read by the same query
    (block id → value; None on a first visit, when the page reads them itself)."""
    return retry_on_conflict(lambda: _open_lesson(user, module, lesson))


def _open_lesson(user, module: Module, lesson: Lesson) -> tuple[bool, dict | None]:
    place = {"user_id": user.id, "module_slug": module.slug, "lesson_slug": lesson.slug}
    # On the session's connection: a select of columns needs none of the ORM's row handling,
    # which cost this query 40 % of its time; nothing is pending to flush before it.
    rows = db.session.connection().execute(_lessons_and_answers(), place).all()
    now = utcnow()
    mine = [r for r in rows if (r.module_slug, r.lesson_slug) == (module.slug, lesson.slug)]
    row = mine[0] if mine else None
    answers = {r.block_id: r.value for r in mine if r.block_id is not None} if mine else None
    if row is None:
        _first_visit(user, module, lesson, rows)
    elif as_utc(row.last_seen_at) <= now - REVISIT:
        if claim(_seen(row.id, now).where(LessonProgress.last_seen_at <= now - REVISIT)):
            _record_experienced(user, module, lesson)
    elif row.last_seen_at < max(r.last_seen_at for r in rows):
        db.session.execute(_seen(row.id, now))  # another lesson was seen since: resume here
    else:
        return row.completed_at is not None, answers  # a reload: nothing to write
    db.session.commit()
    return row is not None and row.completed_at is not None, answers


@cache
def _lessons_and_answers():
    """One query for the person's lessons: this one's row, whether it is the last seen, and
    (joined to this lesson's row only) the answers to its blocks, which the page draws.
    Built once: composing it cost a reload more than running it."""
    here = and_(
        ActivityAnswer.user_id == LessonProgress.user_id,
        ActivityAnswer.module_slug == LessonProgress.module_slug,
        ActivityAnswer.lesson_slug == LessonProgress.lesson_slug,
        LessonProgress.module_slug == bindparam("module_slug"),
        LessonProgress.lesson_slug == bindparam("lesson_slug"),
    )
    return (
        select(
            LessonProgress.id,
            LessonProgress.module_slug,
            LessonProgress.lesson_slug,
            LessonProgress.last_seen_at,
            LessonProgress.completed_at,
            ActivityAnswer.block_id,
            ActivityAnswer.value,
        )
        .outerjoin(ActivityAnswer, here)
        .where(LessonProgress.user_id == bindparam("user_id"))
    )


def _first_visit(user, module: Module, lesson: Lesson, rows) -> None:
    # A lesson of the module seen before means the module row exists (both are written
    # together): the module is looked up only on the way into it.
    if not any(r.module_slug == module.slug for r in rows) and not _module_row(user, module):
        db.session.add(ModuleProgress(user_id=user.id, module_slug=module.slug))
        record(user, "launched", module_activity(module))
    db.session.add(
        LessonProgress(user_id=user.id, module_slug=module.slug, lesson_slug=lesson.slug)
    )
    _record_experienced(user, module, lesson)


def _seen(row_id: int, now):
    return update(LessonProgress).where(LessonProgress.id == row_id).values(last_seen_at=now)


def _record_experienced(user, module: Module, lesson: Lesson) -> None:
    record(user, "experienced", lesson_activity(module, lesson), parent=module_activity(module))


def complete_lesson(user, module: Module, lesson: Lesson) -> bool:
    """Mark the lesson done (once); completes the module if that was the last step.

    False if it was already done: a double click's second request changes nothing and records
    no second « completed », as if it had come later.
    """
    completed = retry_on_conflict(lambda: _complete_lesson(user, module, lesson))
    if completed:
        hooks.send(hooks.LEARNING_PROGRESSED, user=user)
    return completed


def _complete_lesson(user, module: Module, lesson: Lesson) -> bool:
    row = _lesson_row(user, module, lesson)
    if row and row.completed_at:
        return False
    if not row:
        row = LessonProgress(user_id=user.id, module_slug=module.slug, lesson_slug=lesson.slug)
        db.session.add(row)
        db.session.flush()  # a simultaneous first visit conflicts here, and we run again
    now = utcnow()
    won = claim(
        update(LessonProgress)
        .where(LessonProgress.id == row.id, LessonProgress.completed_at.is_(None))
        .values(completed_at=now, last_seen_at=now)
    )
    if not won:
        db.session.rollback()
        return False
    record(user, "completed", lesson_activity(module, lesson), parent=module_activity(module))
    update_module_completion(user, module)
    db.session.commit()
    return True


def _done_lessons(user, module: Module) -> set[str]:
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_slug).where(
                LessonProgress.user_id == user.id,
                LessonProgress.module_slug == module.slug,
                LessonProgress.completed_at.is_not(None),
            )
        )
    )


def _locked_module_row(user, module: Module) -> ModuleProgress:
    """The module's progress row, created if need be, locked until the commit.

    Completing the last two lessons in two tabs: each request would read the other's lesson as
    not done yet, and neither would complete the module. Locking this row first makes the second
    wait for the first's commit, then read it.
    """
    if not _module_row(user, module):
        db.session.add(ModuleProgress(user_id=user.id, module_slug=module.slug))
        db.session.flush()  # a simultaneous insert conflicts here: the caller's retry reads it
    return db.session.scalar(
        locked(select(ModuleProgress).filter_by(user_id=user.id, module_slug=module.slug))
    )


def update_module_completion(user, module: Module) -> bool:
    """Complete the module if every lesson is done and every other requirement met.

    Adds to the caller's transaction; the caller commits. Only the request whose claim wins
    records « completed ».
    """
    row = _locked_module_row(user, module)
    if row.completed_at:
        return False
    lessons_done = {lesson.slug for lesson in module.lessons} <= _done_lessons(user, module)
    if not (
        lessons_done
        and all(
            requirement(user, module)
            for requirement in hooks.receivers(hooks.COMPLETION_REQUIREMENT)
        )
    ):
        return False
    if not claim(
        update(ModuleProgress)
        .where(ModuleProgress.id == row.id, ModuleProgress.completed_at.is_(None))
        .values(completed_at=utcnow())
    ):
        return False
    record(user, "completed", module_activity(module))
    return True


# --- reading -----------------------------------------------------------------------------------


@dataclass
class ModuleState:
    module: Module
    done: int
    states: dict[str, str]
    completed: bool

    @property
    def total(self) -> int:
        return len(self.module.lessons)

    @property
    def status(self) -> str:
        if self.completed:
            return DONE
        return IN_PROGRESS if self.states else NOT_STARTED


def overview(user) -> list[ModuleState]:
    """Each module with the state of each of its lessons for this person: two queries."""
    lesson_rows = db.session.execute(
        select(
            LessonProgress.module_slug, LessonProgress.lesson_slug, LessonProgress.completed_at
        ).where(LessonProgress.user_id == user.id)
    ).all()
    completed_modules = set(
        db.session.scalars(
            select(ModuleProgress.module_slug).where(
                ModuleProgress.user_id == user.id, ModuleProgress.completed_at.is_not(None)
            )
        )
    )
    states: dict[str, dict[str, str]] = {}
    for module_slug, lesson_slug, completed_at in lesson_rows:
        states.setdefault(module_slug, {})[lesson_slug] = DONE if completed_at else IN_PROGRESS
    result = []
    for module in catalogue().modules:
        module_states = {
            slug: state
            for slug, state in states.get(module.slug, {}).items()
            if module.lesson(slug)
        }
        done = sum(state == DONE for state in module_states.values())
        result.append(ModuleState(module, done, module_states, module.slug in completed_modules))
    return result


def resume_target(user) -> tuple[Module, Lesson]:
    """The lesson where the person stopped: the last one seen, or the next one if it is done."""
    sequence = [(module, lesson) for module in catalogue().modules for lesson in module.lessons]
    position = {(m.slug, lesson.slug): i for i, (m, lesson) in enumerate(sequence)}
    rows = db.session.execute(
        select(LessonProgress.module_slug, LessonProgress.lesson_slug, LessonProgress.completed_at)
        .where(LessonProgress.user_id == user.id)
        .order_by(LessonProgress.last_seen_at.desc(), LessonProgress.id.desc())
    ).all()
    done = {(m, lesson) for m, lesson, completed in rows if completed}
    last = next(((m, lesson, c) for m, lesson, c in rows if (m, lesson) in position), None)
    if last is None:
        return sequence[0]
    start = position[last[:2]] + (1 if last[2] else 0)
    remaining = [
        pair
        for pair in sequence[start:] + sequence[:start]
        if (pair[0].slug, pair[1].slug) not in done
    ]
    return remaining[0] if remaining else sequence[position[last[:2]]]


def orphaned_progress() -> list[tuple[str, str, int]]:
    """Progress on lessons that the content no longer has: (module, lesson, people)."""
    rows = db.session.execute(
        select(LessonProgress.module_slug, LessonProgress.lesson_slug, func.count()).group_by(
            LessonProgress.module_slug, LessonProgress.lesson_slug
        )
    ).all()
    known = {(lesson.module_slug, lesson.slug) for lesson in catalogue().lessons()}
    return [(m, lesson, n) for m, lesson, n in rows if (m, lesson) not in known]


def personal_rows(user) -> list[dict]:
    rows = db.session.scalars(
        select(LessonProgress)
        .where(LessonProgress.user_id == user.id)
        .order_by(LessonProgress.started_at)
    )
    return [
        {
            "module": r.module_slug,
            "lecon": r.lesson_slug,
            "commencee": r.started_at.isoformat(),
            "vue_le": r.last_seen_at.isoformat(),
            "terminee": r.completed_at.isoformat() if r.completed_at else None,
        }
        for r in rows
    ]


def is_done(user, module: Module, lesson: Lesson) -> bool:
    row = _lesson_row(user, module, lesson)
    return row is not None and row.completed_at is not None
