"""The last seat, raced: people register at the same instant, one gets it, the others wait.

Released together by a barrier from one thread each; on PostgreSQL (marker `postgres`) their
transactions truly overlap, and the conditional UPDATE of services.register decides.
"""

import pytest
from sqlalchemy import func, select

from cafes.models import CONFIRMED, WAITING, Cafe, Registration
from lms.extensions import db
from tests.cafes.helpers import announced, join
from tests.helpers import at_once, on

PEOPLE = 6
ON_BOTH = pytest.mark.parametrize(
    "database", ["suite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)


def by_status(cafe_id) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.cafe_id == cafe_id)
        .group_by(Registration.status)
    )
    return dict(rows.all())


def seats_taken(cafe_id) -> int:
    db.session.expire_all()
    return db.session.get(Cafe, cafe_id).seats_taken


@ON_BOTH
def test_people_racing_for_the_last_seat_get_it_once(app, client, auth, animateur, database):
    on(database)
    cafe = announced(client, capacity="3")
    auth.logout()
    join(client, cafe.id, email="premiere@exemple.fr")
    join(client, cafe.id, email="deuxieme@exemple.fr")
    visitors = [app.test_client() for _ in range(PEOPLE)]
    responses = at_once(
        list(enumerate(visitors)),
        lambda pair: join(pair[1], cafe.id, name=f"P{pair[0]}", email=f"p{pair[0]}@exemple.fr"),
    )
    assert {r.status_code for r in responses} == {302}
    assert by_status(cafe.id) == {CONFIRMED: 3, WAITING: PEOPLE - 1}
    assert seats_taken(cafe.id) == 3


@ON_BOTH
def test_cancellations_at_once_move_the_waiting_list_up_one_each(
    app, client, auth, animateur, database
):
    on(database)
    cafe = announced(client, capacity="2")
    auth.logout()
    for n in range(5):
        join(client, cafe.id, email=f"p{n}@exemple.fr")
    tokens = db.session.scalars(
        select(Registration.token)
        .where(Registration.cafe_id == cafe.id, Registration.status == CONFIRMED)
    ).all()  # fmt: skip
    visitors = [app.test_client() for _ in tokens]
    for visitor in visitors:
        visitor.csrf_token()
    at_once(
        list(zip(visitors, tokens, strict=True)),
        lambda pair: pair[0].submit(f"/cafes/desinscription/{pair[1]}"),
    )
    assert by_status(cafe.id) == {CONFIRMED: 2, WAITING: 1}
    assert seats_taken(cafe.id) == 2
    first_waiting = db.session.scalar(
        select(Registration.email).where(Registration.status == WAITING)
    )
    assert first_waiting == "p4@exemple.fr"  # the list moved up in its order


@ON_BOTH
def test_an_announcement_sent_from_tabs_at_once_is_one_cafe(app, client, animateur, database):
    from tests.cafes.helpers import CAFE
    from tests.helpers import tabs

    on(database)
    page = {**CAFE, "envoi": "jeton-de-la-page-0123456789"}
    responses = at_once(tabs(app, client), lambda tab: tab.submit("/mes-cafes/nouveau", page))
    assert {r.status_code for r in responses} == {302}
    assert len({r.location for r in responses}) == 1
    assert db.session.scalar(select(func.count()).select_from(Cafe)) == 1
    client.submit("/mes-cafes/nouveau", page)  # and once more, later
    assert db.session.scalar(select(func.count()).select_from(Cafe)) == 1
    client.submit("/mes-cafes/nouveau", {**page, "envoi": "une-autre-page-0123456789"})
    assert db.session.scalar(select(func.count()).select_from(Cafe)) == 2
