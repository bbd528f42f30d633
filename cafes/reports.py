"""The café report (compte rendu): written by the animateur or a co-animateur once the café is
over, saved as a draft, then submitted; still editable CAFE_REPORT_EDIT_DAYS after. A café held
without having been announced is declared here, with its report.

The figures are what the national reach counts (models.CafeReport says how); the synthesis and
the free words belong to the animateur and go with their account (`forget`).
"""

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select, update

from annuaire.models import Listing
from lms.concurrency import claim, retry_on_conflict
from lms.departements import departement
from lms.extensions import db
from lms.mail import send_notice
from lms.models import User, as_utc, utcnow

from . import statements
from .models import (
    ACTION_PATHS,
    DRAFT,
    FREE,
    SUBMITTED,
    THEMES,
    Cafe,
    CafeReport,
    CoAnimateur,
    ReportActionPath,
    ReportCount,
    ReportTheme,
)
from .services import end_of, french_date, own_cafes

# The reminder goes the day after; a café older than this is not reminded (a first run of the
# command on an old database must not send a year of reminders).
REMIND_WITHIN = timedelta(days=7)


# --- who, when --------------------------------------------------------------------------------


def is_author(user, cafe: Cafe) -> bool:
    """The café's animateur, or one of its co-animateurs (by their annuaire listing)."""
    if cafe.animateur_id == user.id:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CoAnimateur.cafe_id == cafe.id,
                    CoAnimateur.listing_id == Listing.id,
                    Listing.user_id == user.id,
                )
            )
        )
    )


def authored_cafe(user, cafe_id: int) -> Cafe | None:
    cafe = db.session.get(Cafe, cafe_id)
    return cafe if cafe is not None and is_author(user, cafe) else None


def is_over(cafe: Cafe, now: datetime | None = None) -> bool:
    return (now or datetime.now(UTC)) >= end_of(cafe)


def report_of(cafe: Cafe) -> CafeReport | None:
    return db.session.scalar(select(CafeReport).where(CafeReport.cafe_id == cafe.id))


def edit_window() -> timedelta:
    return timedelta(days=current_app.config["CAFE_REPORT_EDIT_DAYS"])


def editable_until(report: CafeReport) -> datetime | None:
    """None while a draft: a draft is always editable."""
    return as_utc(report.submitted_at) + edit_window() if report.submitted_at else None


def is_editable(report: CafeReport | None, now: datetime | None = None) -> bool:
    until = editable_until(report) if report else None
    return until is None or (now or utcnow()) < until


def refusal(cafe: Cafe, report: CafeReport | None) -> str | None:
    """Why the report cannot be written now, in French; None when it can."""
    if cafe.cancelled_at:
        return "Ce café a été annulé : il n'a pas de compte rendu."
    if not is_over(cafe):
        return "Le compte rendu s'ouvre à la fin du café."
    if not is_editable(report):
        return (
            f"Ce compte rendu n'est plus modifiable : il l'était {edit_window().days} jours "
            "après son envoi."
        )
    return None


# --- saving -----------------------------------------------------------------------------------


def save(user, cafe: Cafe, form, submit: bool) -> CafeReport:
    """Write the form into the café's report (created if need be); `submit` sends it. The first
    submission, and any later change of the participants, is the author's xAPI statement.
    Two sends at once: the second meets the report's unique café, and is rerun as an edit."""
    return retry_on_conflict(lambda: _save(user, cafe.id, form, submit))


def _save(user, cafe_id: int, form, submit: bool) -> CafeReport:
    cafe = db.session.get(Cafe, cafe_id)
    report = report_of(cafe) or CafeReport(cafe_id=cafe.id, status=DRAFT)
    before = (report.status, report.participants)
    _copy_cafe(report, cafe)
    report.participants = form.participants.data
    report.synthesis = form.synthesis.data or ""
    report.to_change = form.to_change.data or ""
    report.share_synthesis = bool(form.share_synthesis.data)
    _sync(
        report.themes,
        ReportTheme,
        ("code", "label"),
        _choices(form.themes.data, form.free_themes_list()),
    )
    _sync(
        report.action_paths,
        ReportActionPath,
        ("code", "label"),
        _choices(form.action_paths.data, form.free_action_paths_list()),
    )
    counts = {(d, c): n for d, c, n in form.counts()}
    _sync(report.counts, ReportCount, ("dimension", "category"), list(counts))
    for row in report.counts:
        row.count = counts[row.dimension, row.category]
    if submit and report.status == DRAFT:
        report.status, report.submitted_at = SUBMITTED, utcnow()
    db.session.add(report)
    db.session.flush()
    _tell_the_lrs(user, cafe, report, before)
    db.session.commit()
    return report


def _copy_cafe(report: CafeReport, cafe: Cafe) -> None:
    """The café's dimensions, which the reach groups by and which outlive the café."""
    report.animateur_id = cafe.animateur_id
    report.held_on = cafe.day
    report.departement_code = cafe.departement_code
    report.region = cafe.region
    report.audience = cafe.audience
    report.format = cafe.format


def _choices(codes: list[str], free: list[str]) -> list[tuple[str, str]]:
    return [(code, "") for code in codes] + [(FREE, label) for label in free]


def _sync(rows: list, model, fields: tuple[str, ...], wanted: list[tuple]) -> None:
    """Make the child rows those `wanted`, keeping the rows that stay: a row deleted and
    inserted again in one flush would meet its own unique key."""
    present = {tuple(getattr(row, f) for f in fields): row for row in rows}
    rows[:] = [present.get(key) or model(**dict(zip(fields, key, strict=True))) for key in wanted]


def _tell_the_lrs(user, cafe: Cafe, report: CafeReport, before: tuple) -> None:
    status, participants = before
    if report.status != SUBMITTED:
        return
    if status == DRAFT:
        statements.reported(user, cafe, report.participants)
    elif participants != report.participants:
        statements.report_corrected(user, cafe, report.participants)


# --- a café held without having been announced -----------------------------------------------


def declare(user, form, submission: str) -> Cafe:
    """A past café, never in the agenda: what the report needs to know of it. The page's token
    (unique per animateur, as for an announcement) makes the page sent twice declare once."""
    return retry_on_conflict(lambda: _declare(user, form, submission))


def _declare(user, form, submission: str) -> Cafe:
    known = db.session.scalar(
        select(Cafe).where(Cafe.animateur_id == user.id, Cafe.submission == submission)
    )
    if known:
        return known
    cafe = Cafe(
        animateur_id=user.id,
        submission=submission,
        title=form.title.data,
        day=form.day.data,
        starts=form.starts.data,
        ends=form.ends.data,
        format=form.format.data,
        structure=form.structure.data,
        address=form.address.data or "",
        commune=form.commune.data,
        departement_code=form.departement.data,
        region=departement(form.departement.data).region,
        audience=form.audience.data,
        animation=form.animation.data,
        animation_other=form.animation_other.data or "",
        capacity=0,
        declared_at=utcnow(),
    )
    db.session.add(cafe)
    db.session.commit()
    return cafe


# --- « Mes cafés » -----------------------------------------------------------------------------


def reports_by_cafe(cafes: list[Cafe]) -> dict[int, CafeReport]:
    ids = [c.id for c in cafes]
    rows = db.session.scalars(select(CafeReport).where(CafeReport.cafe_id.in_(ids))) if ids else []
    return {r.cafe_id: r for r in rows}


def co_animated_past(user) -> list[Cafe]:
    """Past cafés the person co-animates: they may write the report too."""
    return db.session.scalars(
        select(Cafe)
        .join(CoAnimateur, CoAnimateur.cafe_id == Cafe.id)
        .join(Listing, Listing.id == CoAnimateur.listing_id)
        .where(Listing.user_id == user.id, Cafe.day <= date.today(), Cafe.cancelled_at.is_(None))
        .order_by(Cafe.day.desc())
        .limit(50)
    ).all()


# --- the reminder, the day after ---------------------------------------------------------------


def send_report_reminders(today: date | None = None) -> int:
    """The day after a café (up to REMIND_WITHIN later), its animateur is asked once for the
    report if none was submitted; claimed first, so two runs never send it twice."""
    today = today or date.today()
    submitted = exists().where(CafeReport.cafe_id == Cafe.id, CafeReport.status == SUBMITTED)
    due = db.session.scalars(
        select(Cafe.id).where(
            Cafe.day < today,
            Cafe.day >= today - REMIND_WITHIN,
            Cafe.cancelled_at.is_(None),
            Cafe.hidden_at.is_(None),
            Cafe.report_reminded_at.is_(None),
            ~submitted,
        )
    ).all()
    sent = 0
    for cafe_id in due:
        won = claim(
            update(Cafe)
            .where(Cafe.id == cafe_id, Cafe.report_reminded_at.is_(None))
            .values(report_reminded_at=utcnow())
        )
        db.session.commit()
        if won:
            _remind(db.session.get(Cafe, cafe_id))
            sent += 1
    return sent


def _remind(cafe: Cafe) -> None:
    from lms.urls import absolute_url

    animateur = db.session.get(User, cafe.animateur_id)
    send_notice(
        animateur.email,
        f"Comment s'est passé votre café « {cafe.title} » ?",
        f"Bonjour {animateur.first_name},\n\nVotre Café IA « {cafe.title} » a eu lieu "
        f"{french_date(cafe.day)}. Quelques minutes suffisent pour en faire le compte rendu : "
        "combien de personnes sont venues, les thèmes abordés, les suites choisies.\n\n"
        f"{absolute_url('cafes.report', cafe_id=cafe.id)}\n\n"
        "Ces chiffres, anonymes, montrent au programme combien de personnes les Cafés IA "
        "touchent. Merci !\n",
        kind="compte rendu café",
    )


# --- personal data -----------------------------------------------------------------------------


def _labels(rows, names: dict) -> list[str]:
    return [row.label if row.code == FREE else names[row.code] for row in rows]


def personal_reports(user) -> list[dict]:
    """« Télécharger mes données »: the reports of the person's cafés."""
    reports = db.session.scalars(
        select(CafeReport).where(CafeReport.animateur_id == user.id).order_by(CafeReport.held_on)
    )
    return [
        {
            "cafe": r.cafe_id,
            "date": r.held_on.isoformat(),
            "etat": r.status,
            "participants": r.participants,
            "repartition": {f"{c.dimension}:{c.category}": c.count for c in r.counts},
            "themes": _labels(r.themes, THEMES),
            "suites": _labels(r.action_paths, ACTION_PATHS),
            "synthese": r.synthesis,
            "a_changer": r.to_change,
            "synthese_partagee": r.share_synthesis,
            "envoye_le": r.submitted_at.isoformat() if r.submitted_at else None,
            "modifie_le": r.updated_at.isoformat(),
        }
        for r in reports
    ]


def forget(user) -> None:
    """ACCOUNT_ERASING: the person's cafés go with the account, their reports stay as anonymous
    figures (participants, breakdown, the listed themes and action paths, the café's date and
    territory); the synthesis, what they would change and their free words go."""
    reports = db.session.scalars(
        select(CafeReport).where(
            (CafeReport.animateur_id == user.id)
            | CafeReport.cafe_id.in_([c.id for c in own_cafes(user)])
        )
    ).all()
    for report in reports:
        report.cafe_id = report.animateur_id = None
        report.synthesis = report.to_change = ""
        report.share_synthesis = False
        report.themes = [t for t in report.themes if t.code != FREE]
        report.action_paths = [a for a in report.action_paths if a.code != FREE]
    db.session.flush()
