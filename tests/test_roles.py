"""Every route says who may use it: the others get 403, anonymous visitors a login redirect."""

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import User
from referents.models import Assignment

# « referent »: not a role of its own but a territory given to a person who keeps theirs (an
# apprenant here, who follows Bretagne): see log_in below.
ALL_ROLES = ("apprenant", "formateur", "admin", "referent")

# (method, url, roles allowed); public routes are checked separately.
PROTECTED = [
    ("GET", "/tableau-de-bord", ALL_ROLES),
    ("GET", "/mon-compte", ALL_ROLES),
    ("GET", "/mon-compte/mot-de-passe", ALL_ROLES),
    ("GET", "/mon-compte/donnees.json", ALL_ROLES),
    ("GET", "/mon-compte/supprimer", ALL_ROLES),
    ("GET", "/mon-compte/traces-xapi.json", ALL_ROLES),
    ("GET", "/reprendre", ALL_ROLES),
    ("GET", "/modules/module-un", ALL_ROLES),
    ("GET", "/modules/module-un/lecon-1", ALL_ROLES),
    ("POST", "/modules/module-un/lecon-1/terminer", ALL_ROLES),
    ("GET", "/modules/module-un/fiche", ALL_ROLES),
    ("GET", "/modules/module-un/fiche.pdf", ALL_ROLES),
    ("POST", "/modules/module-un/lecon-1/activites/verif-1", ALL_ROLES),
    ("GET", "/mes-notes", ALL_ROLES),
    ("GET", "/mes-notes.csv", ALL_ROLES),
    ("POST", "/mes-notes/1/effacer", ALL_ROLES),
    ("POST", "/mes-notes/effacer", ALL_ROLES),
    ("GET", "/modules/module-un/quiz", ALL_ROLES),
    ("POST", "/modules/module-un/quiz", ALL_ROLES),
    ("GET", "/modules/module-un/quiz/tentatives/1", ALL_ROLES),
    ("GET", "/positionnement", ALL_ROLES),
    ("GET", "/positionnement/avant-apres", ALL_ROLES),
    ("GET", "/mon-statut", ALL_ROLES),
    ("GET", "/mon-statut/attestation.pdf", ALL_ROLES),
    ("GET", "/mon-statut/badge.jwt", ALL_ROLES),
    ("GET", "/admin/animateurs/{person}", ("admin",)),
    ("GET", "/formateur/cohortes/nouvelle", ("formateur", "admin")),
    ("GET", "/admin/statistiques", ("admin",)),
    ("GET", "/admin/statistiques/territoires", ("admin",)),
    ("GET", "/admin/statistiques/publics", ("admin",)),
    ("GET", "/admin/statistiques/positionnement", ("admin",)),
    ("GET", "/admin/statistiques/questions", ("admin",)),
    ("GET", "/admin/statistiques/export/entonnoir.csv", ("admin",)),
    ("GET", "/admin/statistiques/cafes", ("admin",)),
    ("GET", "/admin/statistiques/cafes/export/cafes_mois.csv", ("admin",)),
    ("GET", "/admin/statistiques/syntheses", ("admin",)),
    ("GET", "/admin/statistiques/syntheses.csv", ("admin",)),
    ("GET", "/annuaire/ma-fiche", ()),  # certified animateurs only: tested in tests/annuaire
    ("POST", "/annuaire/ma-fiche/visibilite", ALL_ROLES),
    ("POST", "/annuaire/ma-fiche/retirer", ALL_ROLES),
    ("POST", "/admin/animateurs/{person}/revoquer", ("admin",)),
    ("GET", "/formateur", ("formateur", "admin")),
    ("GET", "/admin/", ("admin",)),
    ("GET", "/admin/utilisateurs", ("admin",)),
    ("GET", "/admin/xapi", ("admin",)),
    ("POST", "/admin/utilisateurs/{person}/role", ("admin",)),
    ("POST", "/proconnect/delier", ALL_ROLES),
    # « Préparer mon premier café »: anyone's own plan, 404 to anybody else (tests/cafes).
    ("GET", "/preparer-mon-cafe", ALL_ROLES),
    ("POST", "/preparer-mon-cafe", ALL_ROLES),
    ("GET", "/preparer-mon-cafe/1", ALL_ROLES),
    ("POST", "/preparer-mon-cafe/1", ALL_ROLES),
    ("GET", "/preparer-mon-cafe/1/imprimer", ALL_ROLES),
    ("GET", "/preparer-mon-cafe/1/plan.pdf", ALL_ROLES),
    ("GET", "/preparer-mon-cafe/1/annoncer", ALL_ROLES),
    # The cafés: certified animateurs only (tested in tests/cafes), and the admins' moderation.
    ("GET", "/mes-cafes", ()),
    ("GET", "/mes-cafes/nouveau", ()),
    ("POST", "/mes-cafes/nouveau", ()),
    ("GET", "/mes-cafes/1/modifier", ()),
    ("GET", "/mes-cafes/1/dupliquer", ()),
    ("POST", "/mes-cafes/1/annuler", ()),
    ("GET", "/mes-cafes/1/participants", ()),
    ("POST", "/mes-cafes/1/participants/1/retirer", ()),
    ("GET", "/mes-cafes/declarer", ()),
    ("POST", "/mes-cafes/declarer", ()),
    # A café's report and feedback: its animateur and co-animateurs, 404 to anybody else.
    ("GET", "/mes-cafes/1/compte-rendu", ALL_ROLES),
    ("POST", "/mes-cafes/1/compte-rendu", ALL_ROLES),
    ("GET", "/mes-cafes/1/avis", ALL_ROLES),
    ("GET", "/admin/cafes", ("admin",)),
    ("POST", "/admin/cafes/1/masquer", ("admin",)),
    ("POST", "/admin/cafes/1/afficher", ("admin",)),
    # Local référents: given by admins; their territory's page (only its cafés: tests/referents).
    ("GET", "/admin/referents", ("admin",)),
    ("POST", "/admin/referents", ("admin",)),
    ("POST", "/admin/referents/1/retirer", ("admin",)),
    ("GET", "/mon-territoire", ("referent",)),
    ("POST", "/mon-territoire/cafes/1/masquer", ("referent",)),
    ("POST", "/mon-territoire/cafes/1/afficher", ("referent",)),
    ("GET", "/mon-territoire/message", ("referent",)),
    ("POST", "/mon-territoire/message", ("referent",)),
    # LTI: the platforms (admins), the LMS courses and their rosters (their formateurs).
    ("GET", "/lti/plateformes", ("admin",)),
    ("POST", "/lti/plateformes/supprimer", ("admin",)),
    ("GET", "/lti/cours", ("formateur", "admin")),
    ("POST", "/lti/cohortes/1/liste", ("formateur", "admin")),
]
# An API answers 401/403 instead of redirecting: tested in test_xapi.py.
API = ["/xapi/statements"]
# Public addresses of things that may not exist: a French 404, never a login.
PUBLIC_UNKNOWN = [
    "/annuaire/1",
    "/verifier/code-inconnu",
    "/badges/statut/inconnu",
    "/cafes/1",
    "/cafes/animateurs/1",
    "/cafes/animateurs/1.ics",
    "/cafes/desinscription/" + "x" * 43,
    "/cafes/avis/" + "x" * 43,
    "/cafes/avis/" + "x" * 43 + "/merci",
]
PUBLIC = [
    "/statistiques.json",
    "/statistiques/cafes.json",
    "/statistiques/cafes/schema.json",
    "/xapi/about",  # xAPI: open to any client
    "/annuaire",
    "/annuaire/1",
    "/annuaire.csv",
    "/annuaire.json",
    "/annuaire/schema.json",
    "/cafes",
    "/cafes/1",
    "/cafes/animateurs/1",
    "/cafes/animateurs/1.ics",
    "/cafes/desinscription/" + "x" * 43,
    "/cafes/avis/" + "x" * 43,  # the participants' anonymous word
    "/cafes/avis/" + "x" * 43 + "/merci",
    "/cafes.ics",
    "/cafes/departements/2A.ics",
    "/cafes.csv",
    "/cafes.json",
    "/cafes/schema.json",
    "/lti/jwks.json",
    "/verifier",
    "/verifier/code-inconnu",
    "/badges/emetteur",
    "/badges/emetteur/cle-2",
    "/badges/animateur-cafe-ia",
    "/badges/verification",
    "/badges/statut/inconnu",
    "/",
    "/modules",
    "/inscription",
    "/connexion",
    "/mot-de-passe-oublie",
    "/mentions-legales",
    "/donnees-personnelles",
    "/accessibilite",
]


@pytest.fixture
def log_in(login_as):
    """login_as(role), and log_in("referent"): an apprenant who follows Bretagne (région 53)."""

    def as_role(role):
        if role != "referent":
            return login_as(role)
        person = login_as("apprenant")
        db.session.add(Assignment(user_id=person.id, kind="region", code="53", reason="Test."))
        db.session.commit()
        return person

    return as_role


def request(client, method, url):
    return client.submit(url, {"role": "apprenant"}) if method == "POST" else client.get(url)


@pytest.mark.parametrize("method, url, allowed", PROTECTED)
def test_anonymous_visitors_are_sent_to_log_in(client, method, url, allowed):
    response = request(client, method, url.format(person=1))
    assert response.status_code == 302 and "/connexion" in response.location


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("method, url, allowed", PROTECTED)
def test_each_role_gets_exactly_its_routes(client, log_in, create_user, role, method, url, allowed):
    log_in(role)
    person = create_user()  # somebody for the admin's role form to act on
    response = request(client, method, url.format(person=person.id))
    if role in allowed:
        # 404: no such attempt for this person; 422: a form refused for its content, not the role
        assert response.status_code in (200, 302, 404, 422)
        assert "/connexion" not in (response.location or "")
    else:
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert "Accès refusé" in page or "Accès réservé" in page


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_need_no_account(client, url):
    response = client.get(url)
    if url in PUBLIC_UNKNOWN:
        page = response.get_data(as_text=True)
        assert response.status_code == 404 and ("introuvable" in page or "inconnue" in page)
    else:
        assert response.status_code == 200


def test_every_route_is_in_the_access_matrix(app):
    urls = [(m, url.format(person=1)) for m, url, _ in PROTECTED]
    urls += [("GET", url) for url in PUBLIC + API]
    adapter = app.url_map.bind("cafeia.test")
    covered = {adapter.match(url, method=method)[0] for method, url in urls}
    covered |= {
        "accounts.logout",
        "accounts.reset_password",
        "static",
        "dsfr",  # tested elsewhere
        "certificates.badge_verify",
        "annuaire.contact",
        "cafes.register",  # public, per café: tested in tests/cafes
        "cafes.static",
        "courses.static",  # the manipulations' script and style: tests/courses
        # LTI: the platform's login, launch and new-window hand-over are public by design
        # (the id_token is the key); registration (admins) and deep linking (formateurs)
        # answer from what the LMS sends: all tested in tests/lti.
        "lti.login",
        "lti.launch",
        "lti.handoff",
        "lti.register",
        "lti.deep_link",
        "lti.static",
    }
    # ProConnect's sign-in routes are public; their answers are tested in tests/proconnect.
    covered |= {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("proconnect.")
    }
    # Cohort routes answer per cohort (its formateurs, admins): their matrix is in tests/cohorts.
    covered |= {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("cohorts.")}
    assert {rule.endpoint for rule in app.url_map.iter_rules()} - covered == set()


def test_admin_grants_a_role(client, login_as, create_user):
    login_as("admin")
    person = create_user()
    response = client.submit(f"/admin/utilisateurs/{person.id}/role", {"role": "formateur"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.role).where(User.id == person.id)) == "formateur"


def test_admin_role_form_refuses_unknown_role_and_forged_id(client, login_as, create_user):
    login_as("admin")
    person = create_user()
    forged = client.submit(f"/admin/utilisateurs/{person.id}/role", {"role": "roi"})
    assert forged.status_code == 303
    assert db.session.scalar(select(User.role).where(User.id == person.id)) == "apprenant"
    assert client.submit("/admin/utilisateurs/999999/role", {"role": "admin"}).status_code == 404


def test_admin_finds_people(client, login_as, create_user):
    login_as("admin")
    create_user(email="trouvez-moi@exemple.fr")
    page = client.get("/admin/utilisateurs?q=TROUVEZ").get_data(as_text=True)
    assert "trouvez-moi@exemple.fr" in page


MENU = {
    None: ["Accueil", "Les modules", "L'annuaire des animateurs", "L'agenda des Cafés IA"],
    "apprenant": ["Accueil", "Mon tableau de bord", "Les modules", "L'annuaire des animateurs", "L'agenda des Cafés IA"],
    "formateur": [
        "Accueil", "Mon tableau de bord", "Les modules", "L'annuaire des animateurs", "L'agenda des Cafés IA",
        "Espace formateur",
    ],
    "admin": [
        "Accueil", "Mon tableau de bord", "Les modules", "L'annuaire des animateurs", "L'agenda des Cafés IA",
        "Espace formateur", "Administration", "Statistiques nationales",
    ],
    "referent": [
        "Accueil", "Mon tableau de bord", "Les modules", "L'annuaire des animateurs", "L'agenda des Cafés IA",
        "Mon territoire",
    ],
}  # fmt: skip


@pytest.mark.parametrize("role", MENU)
def test_the_main_menu_shows_what_the_role_opens(client, log_in, role):
    if role:
        log_in(role)
    html = client.get("/").get_data(as_text=True)
    menu = html[html.index('id="navigation-principale"') :]
    menu = menu[: menu.index("</nav>")]
    labels = [
        re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<a [^>]*>.*?</a>", menu, re.S)
    ]
    assert [label.replace("&#39;", "'") for label in labels] == MENU[role]


def test_flash_messages_are_dsfr_alerts(client, login_as, create_user):
    login_as("admin")
    person = create_user()
    response = client.submit(
        f"/admin/utilisateurs/{person.id}/role", {"role": "formateur"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert re.search(r'<div class="fr-alert fr-alert--success[^"]*" role="status">', html)
