"""The plug-in contract: what the features connect is what the platform shows, per app."""

from cafeia import create_app
from lms import hooks
from tests.conftest import make_config


def test_each_app_has_its_own_receivers(app):
    other = create_app(make_config("sqlite://"))
    before = len(hooks.entries(hooks.DASHBOARD, other))

    def panel(user):
        return {}

    hooks.connect(app, hooks.DASHBOARD, panel, template="x.html")
    hooks.connect(app, hooks.DASHBOARD, panel, template="x.html")  # twice: kept once
    assert [r for r, _ in hooks.entries(hooks.DASHBOARD, app)].count(panel) == 1
    assert len(hooks.entries(hooks.DASHBOARD, other)) == before
    hooks.disconnect(app, hooks.DASHBOARD, panel)


def test_every_feature_plugs_in_through_init_app(app):
    sections = {facts["section"] for _, facts in hooks.entries(hooks.PERSONAL_DATA, app)}
    assert sections == {
        "traces_xapi",
        "progression",
        "quiz",
        "positionnement_et_statut",
        "annuaire",
        "proconnect",
        "modules",
        "activites",
        "cohortes",
        "cafes_ia",
        "cafes_ia_participation",
        "cafes_ia_comptes_rendus",
        "plan_de_cafe",
        "lti",
        "referent_local",
        "statistiques_nationales",
    }
    assert len(hooks.entries(hooks.COHORT_OF, app)) == 1
    menu = [facts["endpoint"] for _, facts in hooks.entries(hooks.MENU, app)]
    assert "courses.catalogue" in menu and "stats.overview" in menu
    assert "referents.territory" in menu


def test_the_admin_page_links_what_features_add(client, login_as):
    login_as("admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/statistiques"' in page and "Statistiques nationales" in page
