"""What the national statistics keep of a learner who erased their account: anonymous facts.

Erasing an account deletes the person, but the published figures for past periods must not
change: that someone signed up on a given day, in a département, with a profile, in a cohort,
started, completed, was certified. One `erased_learners` row per erased learner holds exactly
what the statistics read of them, and nothing that names them: no id, e-mail, name, pseudonym,
structure, commune or listing; no timestamp either, only the day of sign-up (the period filters
are by day), the week of the certificate (the weekly series) and the delay between the two (the
median). Their latest readiness answers and their quiz counts hang off that row, so that
filtered figures stay the same too.
"""

from datetime import date

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cafes.models import CafeReport, ReportActionPath, ReportTheme
from lms.extensions import db


class ErasedLearner(db.Model):
    __tablename__ = "erased_learners"

    id: Mapped[int] = mapped_column(primary_key=True)  # its own sequence, not the account's id
    registered_on: Mapped[date] = mapped_column(index=True)  # UTC day of sign-up
    departement_code: Mapped[str] = mapped_column(String(3))
    profile: Mapped[str] = mapped_column(String(20))
    started: Mapped[bool]
    completed: Mapped[bool]
    certified: Mapped[bool]  # a certificate not revoked when the account was erased
    certified_week: Mapped[date | None]  # its Monday (UTC)
    days_to_certificate: Mapped[float | None] = mapped_column(index=True)
    # From the training to the cafés (stats.reach.impact): the day the 3 months after the
    # certificate end, and whether a café of theirs was reported within them.
    impact_until: Mapped[date | None]
    held_cafe_in_time: Mapped[bool | None]


class ErasedCohortMember(db.Model):
    """The cohorts the learner belonged to: a cohort deleted takes its rows with it."""

    __tablename__ = "erased_cohort_members"

    erased_id: Mapped[int] = mapped_column(
        ForeignKey("erased_learners.id", ondelete="CASCADE"), primary_key=True
    )
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ErasedReadiness(db.Model):
    """The latest answer of each phase and statement: the only one the statistics count."""

    __tablename__ = "erased_readiness"

    erased_id: Mapped[int] = mapped_column(
        ForeignKey("erased_learners.id", ondelete="CASCADE"), primary_key=True
    )
    phase: Mapped[str] = mapped_column(String(10), primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int]


class ErasedQuizResult(db.Model):
    """Per quiz: attempts handed in and attempts passed (not the answers, nor when)."""

    __tablename__ = "erased_quiz_results"

    erased_id: Mapped[int] = mapped_column(
        ForeignKey("erased_learners.id", ondelete="CASCADE"), primary_key=True
    )
    module_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    attempts: Mapped[int]
    passed: Mapped[int]


class ErasedQuestionResult(db.Model):
    """Per question: answers given (every attempt) and answers right."""

    __tablename__ = "erased_question_results"

    erased_id: Mapped[int] = mapped_column(
        ForeignKey("erased_learners.id", ondelete="CASCADE"), primary_key=True
    )
    module_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    answers: Mapped[int]
    correct: Mapped[int]


# The reach's aggregates (stats.reach) read only these columns of the reports: covering
# indexes, so that the database groups them from the index without visiting each row.
Index(
    "ix_cafe_reports_reach",
    CafeReport.status,
    CafeReport.held_on,
    CafeReport.departement_code,
    CafeReport.audience,
    CafeReport.format,
    CafeReport.participants,
)
Index("ix_cafe_report_themes_reach", ReportTheme.code, ReportTheme.report_id)
Index("ix_cafe_report_action_paths_reach", ReportActionPath.code, ReportActionPath.report_id)


class ReadinessTally(db.Model):
    """Every account's latest readiness answers, added up per phase and statement: kept by the
    database's own triggers on `readiness_answers` (migration 3b8f1d6c2a47), whoever writes, so
    that the national figures read a few rows instead of every answer. Exact: each write moves
    the tally by the difference between the group's latest answer after and before it."""

    __tablename__ = "readiness_tallies"

    phase: Mapped[str] = mapped_column(String(10), primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    respondents: Mapped[int]
    ready: Mapped[int]  # latest answer READY (4) or more
    total: Mapped[int]  # the sum of the latest answers


class QuizTally(db.Model):
    """Every account's quiz attempts handed in, per quiz: kept by triggers on `quiz_attempts`
    (migration 9c4e2a7f5d13), as ReadinessTally is."""

    __tablename__ = "quiz_tallies"

    module_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    people: Mapped[int]  # who handed in at least one attempt
    attempts: Mapped[int]
    passed: Mapped[int]


class QuestionTally(db.Model):
    """Every account's graded answers, per question: kept by triggers on `quiz_answers`."""

    __tablename__ = "question_tallies"

    module_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    answers: Mapped[int]
    correct: Mapped[int]


class FunnelModule(db.Model):
    """The catalogue's modules the learner rows were counted against (« completed » means all
    of them): the app rewrites them, and recounts every learner, when its catalogue differs."""

    __tablename__ = "funnel_modules"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)


class LearnerFunnel(db.Model):
    """One row per apprenant: the groups they count in and their steps of the funnel, as
    stats.services.facts() counts them; recounted by triggers on users, module_progress,
    certificates and annuaire_listings (migration a4e7c1f9b382)."""

    __tablename__ = "learner_funnel"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[str] = mapped_column(String(10))  # the Monday of sign-up (UTC), YYYY-MM-DD
    departement_code: Mapped[str] = mapped_column(String(3))
    profile: Mapped[str] = mapped_column(String(20))
    structure: Mapped[str] = mapped_column(String(200))
    structure_key: Mapped[str] = mapped_column(String(200))  # lower(trim(structure))
    started: Mapped[int]
    completed: Mapped[int]
    certified: Mapped[int]
    listed: Mapped[int]
    certified_week: Mapped[str | None] = mapped_column(String(10))
    days_to_certificate: Mapped[float | None] = mapped_column(index=True)


# The largest structures are named by their spelling that sorts first: read from the index.
Index("ix_learner_funnel_structure", LearnerFunnel.structure_key, LearnerFunnel.structure)


class FunnelTally(db.Model):
    """The sums of the learner rows per dimension (semaine, departement, profil, structure,
    certification: the week of the certificate, cohorte: the cohort's id) and group: kept by
    triggers on learner_funnel and cohort_members. Groups emptied stay, with zeros."""

    __tablename__ = "funnel_tallies"

    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    registered: Mapped[int]
    started: Mapped[int]
    completed: Mapped[int]
    certified: Mapped[int]
    listed: Mapped[int]
