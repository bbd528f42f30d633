"""A café announced by a certified animateur, its co-animateurs, and the people registered.

A registration holds the only personal data of the feature (a name, an e-mail or a phone
number): it is erased ERASE_AFTER the café (services.erase_past_participants).
"""

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annuaire.models import AUDIENCES
from lms.extensions import db
from lms.models import timestamp, utcnow

FORMATS = {"presentiel": "En présentiel", "en_ligne": "En ligne", "hybride": "Hybride"}
ANIMATIONS = {
    "recette": "La recette en cinq étapes",
    "mallette": "Les séquences de la Mallette IA",
    "autre": "Un autre format",
}
CONFIRMED, WAITING = "inscrit", "attente"


class Cafe(db.Model):
    __tablename__ = "cafes"
    __table_args__ = (
        Index("ix_cafes_day_departement", "day", "departement_code"),
        # The announcement page's one-time token: that page sent twice announces one café.
        UniqueConstraint("animateur_id", "submission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    animateur_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    format: Mapped[str] = mapped_column(String(20))
    structure: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(200), default="")
    commune: Mapped[str] = mapped_column(String(100))
    departement_code: Mapped[str] = mapped_column(String(3))
    region: Mapped[str] = mapped_column(String(60))
    online_link: Mapped[str] = mapped_column(String(500), default="")  # registered people only
    audience: Mapped[str] = mapped_column(String(30))
    animation: Mapped[str] = mapped_column(String(20))
    animation_other: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int]
    # Seats taken by confirmed registrations: a conditional UPDATE takes the last one once.
    seats_taken: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    updated_at: Mapped[datetime] = timestamp(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = timestamp()
    hidden_at: Mapped[datetime | None] = timestamp()  # moderation
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_recorded_at: Mapped[datetime | None] = timestamp()  # the « hosted » statement, once
    participants_erased_at: Mapped[datetime | None] = timestamp()
    # What is left once the participants are erased: how many came registered.
    participants_count: Mapped[int | None]
    submission: Mapped[str | None] = mapped_column(String(64))
    # Declared once held, never announced: it was not in the agenda (cafes/reports.py).
    declared_at: Mapped[datetime | None] = timestamp()
    report_reminded_at: Mapped[datetime | None] = timestamp()  # « write your report », once

    co_animateurs: Mapped[list["CoAnimateur"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class CoAnimateur(db.Model):
    """An animateur of the annuaire who animates with the author: a listing, never an address."""

    __tablename__ = "cafe_co_animateurs"
    __table_args__ = (UniqueConstraint("cafe_id", "listing_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafes.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("annuaire_listings.id", ondelete="CASCADE"))


class Registration(db.Model):
    """One person for one café, confirmed or waiting; deleted when they cancel."""

    __tablename__ = "cafe_registrations"
    __table_args__ = (
        UniqueConstraint("cafe_id", "email"),
        Index("ix_cafe_registrations_cafe_status", "cafe_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))  # entered by the animateur
    status: Mapped[str] = mapped_column(String(10))
    # 256 random bits: the cancellation link is the only key a participant holds.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    consented_at: Mapped[datetime] = timestamp(default=utcnow)
    reminded_at: Mapped[datetime | None] = timestamp()


# The café report (compte rendu), what the national reach statistics count.
DRAFT, SUBMITTED = "brouillon", "envoye"
AGE_BANDS = {
    "moins_18": "Moins de 18 ans",
    "18_29": "18 à 29 ans",
    "30_44": "30 à 44 ans",
    "45_59": "45 à 59 ans",
    "60_74": "60 à 74 ans",
    "75_plus": "75 ans et plus",
}
# The breakdown's dimensions: age bands, and the audience categories of the agenda
# (annuaire.models.AUDIENCES, the keys of Cafe.audience).
BY_AGE, BY_AUDIENCE = "age", "public"
BREAKDOWNS = {BY_AGE: AGE_BANDS, BY_AUDIENCE: AUDIENCES}  # dimension: {category: label}
FREE = "autre"  # the code of a free theme or action path; its words are in `label`
THEMES = {
    "impact_environnemental": "L'impact environnemental",
    "avenir_travail": "L'avenir du travail",
    "regles_usage": "Les règles d'usage",
    "prise_en_main": "La prise en main des outils",
    "enjeux_societe": "Les enjeux de société",
}
ACTION_PATHS = {
    "atelier_pratique": "Un atelier pratique",
    "charte_usage": "Une charte d'usage",
    "serie_rencontres": "Une série de rencontres",
    "expert_invite": "Un expert invité",
    "aucune_suite": "Aucune suite, et c'est très bien",
}


class CafeReport(db.Model):
    """The compte rendu of one café, written by its animateur (or a co-animateur).

    For the reach statistics (SQL aggregates, the same on SQLite and PostgreSQL):
    - count only `status == SUBMITTED` (a draft is not a figure yet);
    - people reached = SUM(participants); cafés held = COUNT(*);
    - the café's dimensions are copied here when the report is saved (`held_on`,
      `departement_code`, `region`, `audience`, `format`): group by them without a join, and
      they stay when the café goes (its animateur's account erased: `cafe_id` and
      `animateur_id` become NULL, the synthesis and free texts are emptied, the figures stay);
    - themes, action paths and the anonymous breakdown are child rows (ReportTheme,
      ReportActionPath, ReportCount): « the most frequent themes » is a GROUP BY `code`.
    """

    __tablename__ = "cafe_reports"
    __table_args__ = (
        CheckConstraint("participants >= 0", name="participants_positive"),
        Index("ix_cafe_reports_status_held_on", "status", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int | None] = mapped_column(
        ForeignKey("cafes.id", ondelete="SET NULL"), unique=True
    )
    animateur_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )  # the café's animateur: the report is theirs, even when a co-animateur writes it
    held_on: Mapped[date] = mapped_column(Date)
    departement_code: Mapped[str] = mapped_column(String(3), index=True)
    region: Mapped[str] = mapped_column(String(60))
    audience: Mapped[str] = mapped_column(String(30))  # a key of annuaire.models.AUDIENCES
    format: Mapped[str] = mapped_column(String(20))  # a key of FORMATS
    participants: Mapped[int]
    synthesis: Mapped[str] = mapped_column(Text, default="")
    to_change: Mapped[str] = mapped_column(Text, default="")  # what the animateur would change
    share_synthesis: Mapped[bool] = mapped_column(default=False)  # with the national team
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    submitted_at: Mapped[datetime | None] = timestamp()  # first submission
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    updated_at: Mapped[datetime] = timestamp(default=utcnow, onupdate=utcnow)

    themes: Mapped[list["ReportTheme"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ReportTheme.id"
    )
    action_paths: Mapped[list["ReportActionPath"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ReportActionPath.id"
    )
    counts: Mapped[list["ReportCount"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class ReportTheme(db.Model):
    """A theme that came up: `code` is a key of THEMES, or FREE with the words in `label`."""

    __tablename__ = "cafe_report_themes"
    __table_args__ = (UniqueConstraint("report_id", "code", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("cafe_reports.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")


class ReportActionPath(db.Model):
    """An action path chosen: `code` is a key of ACTION_PATHS, or FREE with `label`."""

    __tablename__ = "cafe_report_action_paths"
    __table_args__ = (UniqueConstraint("report_id", "code", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("cafe_reports.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")


class ReportCount(db.Model):
    """The optional anonymous breakdown: how many participants in one category of one
    dimension (BY_AGE: a key of AGE_BANDS; BY_AUDIENCE: a key of AUDIENCES). Only the
    categories entered have a row; a dimension's counts add up to at most `participants`."""

    __tablename__ = "cafe_report_counts"
    __table_args__ = (CheckConstraint("count >= 0", name="count_positive"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("cafe_reports.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    category: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int]


class FeedbackForm(db.Model):
    """The participants' word on a café: the unguessable key of its link and QR code."""

    __tablename__ = "cafe_feedback_forms"

    cafe_id: Mapped[int] = mapped_column(
        ForeignKey("cafes.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)


class FeedbackAnswer(db.Model):
    """One anonymous answer: three marks from 1 to 5 and a free line. No account, no time,
    no device: nothing here points at who answered (FeedbackDevice is not linked to it)."""

    __tablename__ = "cafe_feedback_answers"
    __table_args__ = (
        CheckConstraint(
            "learned BETWEEN 1 AND 5 AND expressed BETWEEN 1 AND 5 AND next_steps BETWEEN 1 AND 5",
            name="marks_1_to_5",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafes.id", ondelete="CASCADE"), index=True)
    learned: Mapped[int] = mapped_column(SmallInteger)  # « J'ai appris des choses »
    expressed: Mapped[int] = mapped_column(SmallInteger)  # « J'ai pu m'exprimer »
    next_steps: Mapped[int] = mapped_column(SmallInteger)  # « Je sais quoi faire ensuite »
    comment: Mapped[str] = mapped_column(String(300), default="")


class FeedbackDevice(db.Model):
    """A device that already answered for a café: a keyed hash (HMAC with the app's secret)
    of the café and the device's random cookie, never the cookie itself; no time, no answer."""

    __tablename__ = "cafe_feedback_devices"

    cafe_id: Mapped[int] = mapped_column(
        ForeignKey("cafes.id", ondelete="CASCADE"), primary_key=True
    )
    device_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
