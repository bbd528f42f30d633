"""Local référents over HTTP: granted and withdrawn by an admin, their territory only."""

import json
import logging
import re

import pytest
from sqlalchemy import select

from annuaire.models import Listing
from cafes.models import DRAFT, Cafe
from certificates.models import Certificate
from lms.extensions import db
from lms.models import User, utcnow
from referents.models import Assignment, SentMessage
from tests.conftest import PASSWORD
from tests.helpers import certify, count, write_listing
from tests.vnu import html_errors, require_checker

from .conftest import grant, make_cafe, make_report

# --- granting and withdrawing -------------------------------------------------------------------


def test_an_admin_grants_a_region_the_person_keeps_their_role_and_is_told(
    client, login_as, create_user, mailbox
):
    person = create_user(role="formateur", email="gwenola@exemple.fr")
    login_as("admin")
    response = client.submit(
        "/admin/referents",
        {"email": "GWENOLA@exemple.fr", "territory": "region:53", "reason": "Coordination."},
    )
    assert response.status_code == 302
    assignment = db.session.scalar(select(Assignment))
    assert (assignment.user_id, assignment.kind, assignment.code) == (person.id, "region", "53")
    assert db.session.get(User, person.id).role == "formateur"
    [mail] = mailbox
    assert mail["To"] == "gwenola@exemple.fr"
    assert "Région Bretagne" in mail.get_content() and "Coordination." in mail.get_content()
    page = client.get("/admin/referents").get_data(as_text=True)
    assert "Région Bretagne" in page and person.full_name in page


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"territory": "region:99"}, 400, "Ce territoire n&#39;existe pas"),
        ({"territory": "departement:2C"}, 400, "Ce territoire n&#39;existe pas"),
        ({"territory": "canton:29"}, 400, "Ce territoire n&#39;existe pas"),
        ({"email": "personne@ailleurs.fr"}, 422, "Aucun compte n&#39;a cette adresse."),
        ({"reason": " "}, 422, "Indiquez le motif"),
    ],
)
def test_a_grant_refused_says_why_in_french_and_changes_nothing(
    client, login_as, create_user, data, status, message
):
    create_user(email="gwenola@exemple.fr")
    login_as("admin")
    sent = {"email": "gwenola@exemple.fr", "territory": "departement:29", "reason": "Oui."}
    response = client.submit("/admin/referents", {**sent, **data})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert count(Assignment) == 0


def test_several_departements_or_one_region_never_both(client, login_as, create_user):
    person = create_user(email="gwenola@exemple.fr")
    login_as("admin")

    def give(territory):
        return client.submit(
            "/admin/referents",
            {"email": person.email, "territory": territory, "reason": "Oui."},
        )

    assert give("departement:29").status_code == 302
    assert give("departement:56").status_code == 302
    for refused in ("region:53", "departement:29"):
        response = give(refused)
        assert response.status_code == 409
    assert "pas les deux" in give("region:76").get_data(as_text=True)
    assert count(Assignment) == 2


def test_an_admin_withdraws_a_territory_with_a_reason(client, login_as, create_user, mailbox):
    person = create_user(email="gwenola@exemple.fr")
    assignment = grant(person, "departement", "29")
    login_as("admin")
    url = f"/admin/referents/{assignment.id}/retirer"
    assert client.submit(url, {"reason": ""}).status_code == 303
    assert count(Assignment) == 1 and mailbox == []
    assert client.submit("/admin/referents/999999/retirer", {"reason": "Non."}).status_code == 404
    assert client.submit(url, {"reason": "Fin de mission."}).status_code == 302
    assert count(Assignment) == 0
    [mail] = mailbox
    assert "Finistère (29)" in mail.get_content() and "Fin de mission." in mail.get_content()


def test_the_role_is_refused_to_whoever_has_no_territory(client, login_as):
    login_as("admin")  # even an admin: the territory is the key, not the role
    assert client.get("/mon-territoire").status_code == 403


# --- a référente for Bretagne sees Bretagne only -----------------------------------------------


def test_the_territory_page_shows_bretagne_and_nothing_of_occitanie(
    client, referente, cafes_both, animateurs, create_user
):
    unlisted = create_user(departement_code="35")
    certify(unlisted)
    page = client.get("/mon-territoire").get_data(as_text=True)
    assert "Café de Brest" in page and "Café passé de Brest" in page
    assert "Anim Brest" in page
    assert "Toulouse" not in page
    assert "1 autre animateur certifié" in page
    assert unlisted.last_name not in page


def test_the_menu_and_the_dashboard_lead_to_the_territory(client, referente):
    home = client.get("/tableau-de-bord").get_data(as_text=True)
    assert 'href="/mon-territoire"' in home and "Mon territoire" in home
    assert "Région Bretagne" in home


def moderation_routes(cafe_id):
    return [
        (f"/mon-territoire/cafes/{cafe_id}/masquer", {"reason": "Café payant."}),
        (f"/mon-territoire/cafes/{cafe_id}/afficher", {}),
    ]


def test_every_route_refuses_occitanie_s_cafes(client, referente, cafes_both, mailbox):
    for key in ("occitan", "occitan_passe"):
        cafe = cafes_both[key]
        cafe.hidden_at = utcnow() if key == "occitan_passe" else None
        db.session.commit()
        for url, data in moderation_routes(cafe.id):
            assert client.submit(url, data).status_code == 404
    db.session.expire_all()
    assert db.session.get(Cafe, cafes_both["occitan"].id).hidden_at is None
    assert db.session.get(Cafe, cafes_both["occitan_passe"].id).hidden_at is not None
    assert mailbox == []
    for url, data in moderation_routes(999999):
        assert client.submit(url, data).status_code == 404


def test_a_referent_hides_a_cafe_of_the_territory_and_its_animateur_is_told(
    client, referente, cafes_both, animateurs, mailbox
):
    cafe = cafes_both["breton"]
    assert (
        client.submit(f"/mon-territoire/cafes/{cafe.id}/masquer", {"reason": ""}).status_code == 303
    )
    assert mailbox == []
    response = client.submit(f"/mon-territoire/cafes/{cafe.id}/masquer", {"reason": "Payant."})
    assert response.status_code == 302
    db.session.expire_all()
    hidden = db.session.get(Cafe, cafe.id)
    assert hidden.hidden_by_id == referente.id and hidden.hidden_reason == "Payant."
    [mail] = mailbox
    assert mail["To"] == animateurs["29"].email and "Payant." in mail.get_content()
    assert client.get(f"/cafes/{cafe.id}").status_code == 404
    assert client.submit(f"/mon-territoire/cafes/{cafe.id}/afficher").status_code == 302
    db.session.expire_all()
    assert db.session.get(Cafe, cafe.id).hidden_at is None


def test_a_cafe_hidden_by_a_national_admin_stays_hidden(client, referente, cafes_both, create_user):
    cafe = cafes_both["breton"]
    cafe.hidden_at, cafe.hidden_by_id = utcnow(), create_user(role="admin").id
    db.session.commit()
    assert "Masqué par l'administration nationale." in client.get("/mon-territoire").text
    response = client.submit(f"/mon-territoire/cafes/{cafe.id}/afficher")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Cafe, cafe.id).hidden_at is not None


def test_the_reach_counts_submitted_reports_of_the_territory_with_the_small_cell_rule(
    client, referente, cafes_both, animateurs
):
    make_report(cafes_both["breton_passe"], 3)
    other = make_cafe(animateurs["29"], "35", -5)
    make_report(other, 12)
    make_report(make_cafe(animateurs["29"], "22", -3), 9)
    make_report(make_cafe(animateurs["29"], "56", -2), 40, status=DRAFT)
    make_report(
        cafes_both["occitan_passe"], 30, synthesis="Secret toulousain", share_synthesis=True
    )
    page = client.get("/mon-territoire").get_data(as_text=True)
    reach = page[page.index('id="portee"') : page.index('id="comptes-rendus"')]
    cells = {row.split("</th>")[0].rsplit(">", 1)[-1]: row for row in reach.split("<tr>")[1:]}
    assert "<td>&lt; 5</td>" in cells["Finistère (29)"]  # 3 people: under 5
    assert "<td>&lt; 5</td>" in cells["Morbihan (56)"]  # a draft is no figure yet: 0 people
    assert "<td>9</td>" in cells["Côtes-d&#39;Armor (22)"]
    assert "<td>12</td>" in cells["Ille-et-Vilaine (35)"]
    assert ">3</td><td>24</td>" in cells["Total"]  # 3 cafés held, 24 people
    assert "Secret toulousain" not in page  # Occitanie's report is not there
    reports = page[page.index('id="comptes-rendus"') : page.index('id="animateurs"')]
    assert '<td class="cafeia-key">&lt; 5</td>' in reports  # nor 29's 3 people, in its report
    assert '<td class="cafeia-key">3</td>' not in reports


def test_one_hidden_cell_beside_its_total_hides_another(client, login_as, animateurs):
    person = login_as()
    grant(person, "departement", "29")
    grant(person, "departement", "35")
    make_report(make_cafe(animateurs["29"], "29", -3), 3)
    make_report(make_cafe(animateurs["29"], "35", -3), 12)
    page = client.get("/mon-territoire").get_data(as_text=True)
    reach = page[page.index('id="portee"') : page.index('id="comptes-rendus"')]
    assert "<td>&lt; 5</td>" in reach and ">15</td>" in reach
    assert "<td>12</td>" not in reach and "<td>n. d.</td>" in reach  # 15 − 12 would give 3


def test_a_synthesis_shows_only_when_its_animateur_shared_it(
    client, referente, cafes_both, animateurs
):
    make_report(
        cafes_both["breton_passe"], 8, synthesis="On veut un atelier.", share_synthesis=True
    )
    cafe = make_cafe(animateurs["29"], "29", -4)
    make_report(cafe, 7, synthesis="Gardé pour moi.", share_synthesis=False)
    page = client.get("/mon-territoire").get_data(as_text=True)
    assert "On veut un atelier." in page and "Gardé pour moi." not in page


# --- writing to the territory's animateurs ----------------------------------------------------


def test_a_message_reaches_the_listed_animateurs_of_the_territory_only(
    client, referente, animateurs, create_user, mailbox, caplog
):
    hidden = create_user(departement_code="22")
    certify(hidden)
    write_listing(hidden, departement_code="22", region="Bretagne", visible=False)
    page = client.get("/mon-territoire/message").get_data(as_text=True)
    assert "part à 1 animateur" in page
    for person in (*animateurs.values(), hidden):
        assert person.email not in page
    with caplog.at_level(logging.INFO):
        response = client.submit(
            "/mon-territoire/message",
            {"subject": "Rencontre en janvier", "body": "Venez nombreux le 12 à Rennes."},
        )
    assert response.status_code == 302
    [mail] = mailbox
    assert mail["To"] == animateurs["29"].email
    assert mail["Reply-To"] == referente.email
    assert "Venez nombreux le 12 à Rennes." in mail.get_content()
    assert animateurs["29"].email not in client.get("/mon-territoire").get_data(as_text=True)
    # The platform's log, not the test SMTP server's (aiosmtpd logs as « mail.log »).
    logged = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    assert "message référent" in logged
    for secret in (referente.email, animateurs["29"].email, "Rencontre", "Venez"):
        assert secret not in logged
    sent = db.session.scalar(select(SentMessage))
    assert (sent.subject, sent.recipients) == ("Rencontre en janvier", 1)


def test_a_revoked_status_is_no_recipient(client, referente, animateurs, mailbox):
    db.session.execute(
        Certificate.__table__.update()
        .where(Certificate.user_id == animateurs["29"].id)
        .values(revoked_at=utcnow())
    )
    db.session.commit()
    client.submit("/mon-territoire/message", {"subject": "Bonjour", "body": "Texte."})
    assert mailbox == []


def test_messages_are_limited_per_day_and_a_refused_one_sends_nothing(
    client, referente, animateurs, mailbox
):
    form = {"subject": "Bonjour", "body": "Texte."}
    assert client.submit("/mon-territoire/message", {"subject": "", "body": ""}).status_code == 422
    assert mailbox == []
    for _ in range(3):
        assert client.submit("/mon-territoire/message", form).status_code == 302
    response = client.submit("/mon-territoire/message", form)
    assert response.status_code == 429
    assert "réessayez demain" in response.get_data(as_text=True)
    assert len(mailbox) == 3 and count(SentMessage) == 3


def test_the_same_page_sent_twice_sends_once(client, referente, animateurs, mailbox):
    page = client.get("/mon-territoire/message").get_data(as_text=True)
    token = re.search(r'name="envoi" type="hidden" value="([^"]+)"', page)
    form = {"subject": "Bonjour", "body": "Texte.", "envoi": token[1]}
    assert client.submit("/mon-territoire/message", form).status_code == 302
    again = client.submit("/mon-territoire/message", form, follow_redirects=True)
    assert "Ce message est déjà parti." in again.get_data(as_text=True)
    assert len(mailbox) == 1 and count(SentMessage) == 1


def test_a_subject_on_two_lines_is_refused(client, referente, animateurs, mailbox):
    response = client.submit(
        "/mon-territoire/message", {"subject": "Objet\r\nBcc: x@exemple.fr", "body": "Texte."}
    )
    assert response.status_code == 422 and mailbox == []


# --- personal data -----------------------------------------------------------------------------


def test_territories_and_messages_are_in_the_download_and_go_with_the_account(
    client, referente, animateurs, auth
):
    client.submit("/mon-territoire/message", {"subject": "Rencontre", "body": "Texte."})
    data = json.loads(client.get("/mon-compte/donnees.json").get_data(as_text=True))
    section = data["referent_local"]
    assert section["territoires"][0]["territoire"] == "Région Bretagne"
    assert section["messages_envoyes"][0]["objet"] == "Rencontre"
    assert "Texte." not in json.dumps(section)
    response = client.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code in (302, 303)
    assert count(Assignment) == 0 and count(SentMessage) == 0
    assert count(Listing) == 2  # the animateurs' listings stay


# --- refused forms are valid HTML too --------------------------------------------------------


def test_refused_forms_pass_the_nu_html_checker(client, login_as, referente, animateurs, auth):
    require_checker()
    pages = {}
    response = client.submit("/mon-territoire/message", {"subject": "", "body": ""})
    pages["message refusé"] = response.get_data(as_text=True)
    pages["territoire"] = client.get("/mon-territoire").get_data(as_text=True)
    auth.logout()
    login_as("admin")
    response = client.submit("/admin/referents", {"email": "x", "territory": "", "reason": ""})
    assert response.status_code == 422
    pages["octroi refusé"] = response.get_data(as_text=True)
    assert html_errors(pages) == []


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_referente_follows_bretagne_once(runner, client, auth):
    for _ in range(2):
        assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    referente = db.session.scalar(select(User).where(User.email == "referente@exemple.fr"))
    assert [(a.kind, a.code) for a in db.session.scalars(select(Assignment))] == [("region", "53")]
    assert count(Cafe, Cafe.title == "Café IA des parents") == 1
    auth.login(referente.email, "cafeia-demo")
    page = client.get("/mon-territoire").get_data(as_text=True)
    assert "Parents, enfants et IA" in page and "Café IA des parents" in page
    assert "Toulouse" not in page and "Roubaix" not in page
    assert ">14</td>" in page  # the Brest report's 14 participants, in the reach
