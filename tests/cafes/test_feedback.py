"""The participants' word: an anonymous form by an unguessable link, one answer per device,
open from the café's start until CAFE_FEEDBACK_DAYS after, shown to the animateur only from
five answers; nothing in the database ties an answer to a device."""

import hashlib
import html
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import String, Text, select

from cafes.models import FeedbackAnswer, FeedbackDevice, FeedbackForm
from lms.extensions import db
from tests.cafes.helpers import announced
from tests.cafes.test_reports import held
from tests.helpers import at_once, count, on


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def feedback_link(client, cafe) -> str:
    page = text(client.get(f"/mes-cafes/{cafe.id}/avis"))
    return re.search(r'id="lien-avis">http://cafeia\.test(/cafes/avis/[^<]+)<', page)[1]


def device(app):
    """Another phone in the room: a client with its own cookies."""
    return app.test_client()


def give(tab, link, learned=4, expressed=5, next_steps=3, comment=""):
    token = tab.get(link)
    if token.status_code != 200:
        return token
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text(token))[1]
    return tab.post(
        link,
        data={
            "csrf_token": csrf,
            "learned": str(learned),
            "expressed": str(expressed),
            "next_steps": str(next_steps),
            "comment": comment,
        },
    )


@pytest.fixture
def cafe_and_link(client, animateur):
    cafe = held(client, days_ago=1)
    return cafe, feedback_link(client, cafe)


def test_the_link_is_unguessable_and_shown_with_a_qr_code(client, animateur):
    cafe = held(client)
    page = text(client.get(f"/mes-cafes/{cafe.id}/avis"))
    assert 'src="data:image/svg+xml' in page and "QR code" in page
    token = db.session.get(FeedbackForm, cafe.id).token
    assert len(token) >= 43 and str(cafe.id) != token
    assert feedback_link(client, cafe) == f"/cafes/avis/{token}"  # the same link each time
    assert client.get("/cafes/avis/" + "x" * 43).status_code == 404


def test_one_answer_per_device(app, cafe_and_link):
    _, link = cafe_and_link
    phone = device(app)
    form = text(phone.get(link))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
    assert give(phone, link).status_code == 302
    again = give(phone, link)
    assert again.status_code == 409 and "déjà donné votre avis" in text(again)
    # The form sent again, as a double click would, without reading the page: still one.
    marks = {"learned": "1", "expressed": "1", "next_steps": "1"}
    assert phone.post(link, data={"csrf_token": csrf, **marks}).status_code == 409
    assert count(FeedbackAnswer) == 1 and count(FeedbackDevice) == 1
    assert give(device(app), link).status_code == 302
    assert count(FeedbackAnswer) == 2


def test_the_answers_are_hidden_under_five_then_counted_exactly(app, client, cafe_and_link):
    cafe, link = cafe_and_link
    answers = [(5, 4, 3, "Très clair"), (4, 4, 2, ""), (3, 5, 5, "Merci"), (5, 2, 1, "")]
    for learned, expressed, next_steps, comment in answers:
        assert give(device(app), link, learned, expressed, next_steps, comment).status_code == 302
    page = text(client.get(f"/mes-cafes/{cafe.id}/avis"))
    assert "4 réponses pour l'instant" in page
    assert "Très clair" not in page and 'id="avis-notes"' not in page
    give(device(app), link, 1, 1, 4, "Un peu court")
    page = text(client.get(f"/mes-cafes/{cafe.id}/avis"))
    assert "5 réponses." in page
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th>((?:<td>[^<]*</td>)+)</tr>", page)
    table = {label: re.findall(r"<td>([^<]*)</td>", cells) for label, cells in rows}
    # learned: 5, 4, 3, 5, 1 → one 1, no 2, one 3, one 4, two 5; mean 3.6
    assert table["J'ai appris des choses"] == ["1", "0", "1", "1", "2", "3,6"]
    # expressed: 4, 4, 5, 2, 1 → mean 3.2
    assert table["J'ai pu m'exprimer"] == ["1", "1", "0", "2", "1", "3,2"]
    # next steps: 3, 2, 5, 1, 4 → mean 3
    assert table["Je sais quoi faire ensuite"] == ["1", "1", "1", "1", "1", "3,0"]
    words = re.search(r'<ul id="avis-mots">(.*?)</ul>', page, re.S)[1]
    assert re.findall(r"<li>([^<]+)</li>", words) == ["Merci", "Très clair", "Un peu court"]


def test_open_from_the_start_until_n_days_after(app, client, animateur):
    coming = announced(client)
    link = feedback_link(client, coming)
    assert give(device(app), link).status_code == 409  # not started
    coming.day, coming.starts = date.today(), time(0, 0)
    coming.ends = time(23, 59)
    db.session.commit()
    assert give(device(app), link).status_code == 302  # during the café
    coming.day = date.today() - timedelta(days=8)  # CAFE_FEEDBACK_DAYS = 7 after its end
    db.session.commit()
    closed = give(device(app), link)
    assert closed.status_code == 409 and "pas ouvert" in text(closed)
    assert count(FeedbackAnswer) == 1


@pytest.mark.parametrize(
    "changes",
    [{"learned": 6}, {"expressed": 0}, {"next_steps": "beaucoup"}, {"comment": "x" * 301}],
)
def test_bad_answers_are_refused_and_keep_nothing(app, cafe_and_link, changes):
    _, link = cafe_and_link
    response = give(device(app), link, **changes)
    assert response.status_code == 422 and "n'est pas enregistré" in text(response)
    assert count(FeedbackAnswer) == 0 and count(FeedbackDevice) == 0


def test_an_answer_without_its_token_is_refused(app, cafe_and_link):
    _, link = cafe_and_link
    response = device(app).post(link, data={"learned": "4", "expressed": "4", "next_steps": "4"})
    assert response.status_code == 400
    assert count(FeedbackAnswer) == 0


def test_nothing_in_the_database_ties_an_answer_to_a_device(app, cafe_and_link):
    cafe, link = cafe_and_link
    phones = [device(app) for _ in range(3)]
    for phone in phones:
        give(phone, link, comment="Bien")
    keys = [phone.get_cookie("cafeia_avis", path="/cafes/avis").value for phone in phones]
    assert len(set(keys)) == 3 and all(len(k) >= 43 for k in keys)
    # The answers' table: no column points at a device or a person, none holds a time.
    answers = FeedbackAnswer.__table__
    assert {c.name for c in answers.columns} == {
        "id",
        "cafe_id",
        "learned",
        "expressed",
        "next_steps",
        "comment",
    }
    assert {fk.column.table.name for fk in answers.foreign_keys} == {"cafes"}
    assert {fk.column.table.name for fk in FeedbackDevice.__table__.foreign_keys} == {"cafes"}
    # No device key is kept in clear, anywhere: only keyed hashes, none equal to a plain hash.
    for table in db.metadata.sorted_tables:
        texts = [c for c in table.columns if isinstance(c.type, String | Text)]
        for row in db.session.execute(select(*texts)).all() if texts else []:
            assert not any(key in str(value) for value in row for key in keys), table.name
    hashes = set(db.session.scalars(select(FeedbackDevice.device_hash)))
    assert len(hashes) == 3
    assert not hashes & {hashlib.sha256(k.encode()).hexdigest() for k in keys}
    assert all(f"{cafe.id}" != h for h in hashes)


def test_nobody_else_sees_the_answers(app, client, cafe_and_link, auth, create_user):
    cafe, _ = cafe_and_link
    auth.logout()
    create_user(email="curieux@exemple.fr")
    auth.login("curieux@exemple.fr")
    assert client.get(f"/mes-cafes/{cafe.id}/avis").status_code == 404
    auth.logout()
    assert client.get(f"/mes-cafes/{cafe.id}/avis").status_code == 302  # to log in


def test_a_cafe_erased_takes_its_answers(app, client, animateur, cafe_and_link):
    from lms.accounts.services import delete_account

    _, link = cafe_and_link
    give(device(app), link, comment="Super")
    delete_account(db.session.merge(animateur))
    assert count(FeedbackAnswer) == 0 and count(FeedbackDevice) == 0 and count(FeedbackForm) == 0


@pytest.mark.parametrize(
    "database", ["suite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_one_device_sending_its_answer_four_times_at_once_is_counted_once(
    app, cafe_and_link, database
):
    on(database)
    _, link = cafe_and_link
    phone = device(app)
    form = text(phone.get(link))  # the form gives the device its key
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
    key = phone.get_cookie("cafeia_avis", path="/cafes/avis").value
    session = phone.get_cookie("session").value
    taps = []
    for _ in range(4):
        tab = app.test_client()
        tab.set_cookie("session", session)
        tab.set_cookie("cafeia_avis", key, path="/cafes/avis")
        taps.append(tab)
    marks = {"csrf_token": csrf, "learned": "4", "expressed": "4", "next_steps": "4"}
    responses = at_once(taps, lambda tab: tab.post(link, data=marks))
    assert sorted(r.status_code for r in responses) == [302, 409, 409, 409]
    assert count(FeedbackAnswer) == 1 and count(FeedbackDevice) == 1
