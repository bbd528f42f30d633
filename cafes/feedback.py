"""The participants' word: an anonymous form per café, reached by an unguessable link (and its
QR code), open from the café's start until CAFE_FEEDBACK_DAYS after its end.

No account and nothing about the person. One answer per device as far as a browser allows: the
device keeps a random cookie; the table of devices that answered holds only a keyed hash of it
(HMAC with the app's secret, per café, so two cafés' hashes cannot be matched), in a table that
has no link to the answers. Clearing one's cookies gives another answer: the form asks nothing
that would stop it, on purpose.

The animateur sees the answers only once THRESHOLD (5) answered, the platform's small-cell rule
(lms/secrecy.py): before, a mark or a free line could point at one person in the room.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import segno
from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.secrecy import THRESHOLD

from .models import Cafe, FeedbackAnswer, FeedbackDevice, FeedbackForm
from .services import end_of, start_of

COOKIE = "cafeia_avis"
QUESTIONS = {
    "learned": "J'ai appris des choses",
    "expressed": "J'ai pu m'exprimer",
    "next_steps": "Je sais quoi faire ensuite",
}
MARKS = range(1, 6)


def form_of(cafe: Cafe) -> FeedbackForm:
    """The café's feedback link, made the first time the animateur asks for it."""
    existing = db.session.get(FeedbackForm, cafe.id)
    if existing:
        return existing
    try:
        with db.session.begin_nested():
            form = FeedbackForm(cafe_id=cafe.id, token=secrets.token_urlsafe(32))
            db.session.add(form)
        db.session.commit()
        return form
    except IntegrityError:  # another tab made it first
        db.session.rollback()
        return db.session.get(FeedbackForm, cafe.id)


def cafe_by_token(token: str) -> Cafe | None:
    form = db.session.scalar(select(FeedbackForm).where(FeedbackForm.token == token))
    return db.session.get(Cafe, form.cafe_id) if form else None


def closes_at(cafe: Cafe) -> datetime:
    return end_of(cafe) + timedelta(days=current_app.config["CAFE_FEEDBACK_DAYS"])


def is_open(cafe: Cafe, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return cafe.cancelled_at is None and start_of(cafe) <= now < closes_at(cafe)


def new_device_key() -> str:
    return secrets.token_urlsafe(32)


def device_hash(cafe: Cafe, device_key: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"cafe-avis:{cafe.id}:{device_key}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def has_answered(cafe: Cafe, device_key: str | None) -> bool:
    return (
        bool(device_key)
        and db.session.get(FeedbackDevice, (cafe.id, device_hash(cafe, device_key))) is not None
    )


def answer(cafe: Cafe, device_key: str, marks: dict[str, int], comment: str) -> bool:
    """Keep one answer, unless this device already gave one (False). The device row and the
    answer are written in one transaction, through Core: no ORM identity ties them together."""
    try:
        with db.session.begin_nested():
            connection = db.session.connection()
            connection.execute(
                insert(FeedbackDevice.__table__),
                {"cafe_id": cafe.id, "device_hash": device_hash(cafe, device_key)},
            )
            connection.execute(
                insert(FeedbackAnswer.__table__),
                {"cafe_id": cafe.id, "comment": comment, **marks},
            )
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def summary(cafe: Cafe) -> dict:
    """How many answered; with at least THRESHOLD answers, each question's distribution and
    mean, and the free lines (in alphabetical order, not the order they came in)."""
    count = db.session.scalar(select(func.count()).where(FeedbackAnswer.cafe_id == cafe.id))
    if count < THRESHOLD:
        return {"count": count, "shown": False, "threshold": THRESHOLD}
    questions = []
    for column, label in QUESTIONS.items():
        marks = dict(
            db.session.execute(
                select(getattr(FeedbackAnswer, column), func.count())
                .where(FeedbackAnswer.cafe_id == cafe.id)
                .group_by(getattr(FeedbackAnswer, column))
            ).all()
        )
        total = sum(mark * n for mark, n in marks.items())
        questions.append(
            {
                "label": label,
                "counts": [marks.get(mark, 0) for mark in MARKS],
                "mean": total / count,
            }
        )
    comments = db.session.scalars(
        select(FeedbackAnswer.comment)
        .where(FeedbackAnswer.cafe_id == cafe.id, FeedbackAnswer.comment != "")
        .order_by(FeedbackAnswer.comment)
    ).all()
    return {"count": count, "shown": True, "questions": questions, "comments": comments}


def qr_svg(url: str) -> str:
    """The link as a QR code (segno, as the certificate's): an SVG data URI for an <img>."""
    return segno.make_qr(url, error="m").svg_data_uri(scale=8, border=4)
