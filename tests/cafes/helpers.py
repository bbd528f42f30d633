"""A valid café form, and ways to announce and join one."""

from datetime import date, timedelta

from sqlalchemy import func, select

from cafes.models import Cafe, Registration
from lms.extensions import db


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


CAFE = {
    "title": "L'IA au quotidien",
    "day": in_days(10),
    "starts": "18:00",
    "ends": "20:00",
    "format": "presentiel",
    "structure": "Centre social Les Minimes",
    "address": "3 rue des Minimes",
    "commune": "Toulouse",
    "departement": "31",
    "online_link": "",
    "audience": "seniors",
    "animation": "recette",
    "animation_other": "",
    "capacity": "12",
    "description": "On parle d'IA autour d'un café.",
}
# One payload per free-text field, so that a leak names the field it came from.
PAYLOADS = {
    field: f'</script><script>alert("{field}")</script><img src=x onerror=alert(1)>'[:100]
    for field in ("title", "structure", "address", "commune", "animation_other", "description")
}


def announce(client, **changes):
    return client.submit("/mes-cafes/nouveau", {**CAFE, **changes})


def announced(client, **changes) -> Cafe:
    response = announce(client, **changes)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.scalar(select(Cafe).order_by(Cafe.id.desc()))


def join(client, cafe_id, name="Jeanne", email="jeanne@exemple.fr", **extra):
    return client.submit(
        f"/cafes/{cafe_id}/inscription", {"name": name, "email": email, "consent": "y", **extra}
    )


def statuses(cafe_id) -> list[tuple[str, str]]:
    return db.session.execute(
        select(Registration.email, Registration.status)
        .where(Registration.cafe_id == cafe_id)
        .order_by(Registration.id)
    ).all()


def count_registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def text_of(mail) -> str:
    """The plain text of an e-mail, with or without attachments."""
    return mail.get_body(("plain",)).get_content()
