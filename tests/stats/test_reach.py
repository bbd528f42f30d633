"""The reach of the cafés, every figure checked against a hand-built set of reports.

    Ille-et-Vilaine (35, Bretagne), présentiel:
      March 2026, tout public: 4 cafés, 10 + 12 + 8 + 15 = 45 people; themes « prise en main »
        (and one free theme), suite « aucune suite »; the first by a1, shared synthesis
      April 2026, seniors: 2 cafés, 9 + 6 = 15 people, « prise en main »
    Finistère (29, Bretagne), April, seniors, présentiel: 1 café, 7 people (a synthesis NOT
      shared), « enjeux de société »; age breakdown: 7 aged 75 or more
    Paris (75, Île-de-France), jeunes:
      March, hybride: 5 cafés of 20 people (a5–a9), « prise en main », « atelier pratique »;
        ages 15 (18–29) and 5 (30–44) each
      May, en ligne: 5 cafés of 2 people, « avenir du travail », « atelier pratique »; the first
        by a2, shared synthesis (and one shared but empty)
      a draft of 50 people, shared: never counted
    Total: 17 cafés, 177 people.

Animateurs (apprenants, certified on): a1 1 Feb, a2 10 Jan (café in May: too late),
a3 1 Mar (no café), a6–a9 15 Feb (March cafés: in time), a4 15 Nov (too recent), a5 revoked.
"""

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from frictionless import Resource, Schema
from openpyxl import load_workbook
from sqlalchemy import func, select

from cafes.models import SUBMITTED, CafeReport, ReportActionPath, ReportCount, ReportTheme
from certificates.demo import certify
from certificates.models import Certificate
from cohorts.models import Cohort, CohortMember, CohortTrainer
from lms.extensions import db
from lms.models import User
from lms.secrecy import HIDDEN, SMALL
from stats.models import ErasedLearner
from stats.reach import ReachFilters, totals
from tests.cafes.helpers import announced
from tests.conftest import PASSWORD

TODAY = date.today()


def report(dep, region, day, people, audience, fmt, themes=(), paths=(), **extra):
    row = CafeReport(
        held_on=day, departement_code=dep, region=region, audience=audience, format=fmt,
        participants=people, status=extra.pop("status", SUBMITTED), **extra,
    )  # fmt: skip
    row.themes = [ReportTheme(code=c, label=label) for c, label in themes]
    row.action_paths = [ReportActionPath(code=c, label="") for c in paths]
    db.session.add(row)
    return row


def certified(create_user, name, issued: date, revoked=False):
    user = create_user(email=f"{name}@exemple.fr", last_name=f"Secret-{name}")
    at = datetime.combine(issued, datetime.min.time(), tzinfo=UTC)
    db.session.add(
        Certificate(
            user_id=user.id, code=f"code-{name}", issued_at=at, revoked_at=at if revoked else None
        )
    )
    return user


@pytest.fixture
def cafes(app, create_user):
    people = {
        name: certified(create_user, name, day, revoked=name == "a5")
        for name, day in [
            ("a1", date(2026, 2, 1)), ("a2", date(2026, 1, 10)), ("a3", date(2026, 3, 1)),
            ("a4", date(2026, 11, 15)), ("a5", date(2026, 2, 15)), ("a6", date(2026, 2, 15)),
            ("a7", date(2026, 2, 15)), ("a8", date(2026, 2, 15)), ("a9", date(2026, 2, 15)),
        ]
    }  # fmt: skip
    ids = {name: user.id for name, user in people.items()}
    handy = [("prise_en_main", "")]
    for n, size in enumerate((10, 12, 8, 15)):
        report(
            "35",
            "Bretagne",
            date(2026, 3, 2 + n),
            size,
            "tout_public",
            "presentiel",
            handy + ([("autre", "Une mairie secrète")] if n == 0 else []),
            ["aucune_suite"],
            animateur_id=ids["a1"] if n == 0 else None,
            share_synthesis=n == 0,
            synthesis="On a pris en main un assistant conversationnel." if n == 0 else "",
        )
    for size in (9, 6):
        report("35", "Bretagne", date(2026, 4, 8), size, "seniors", "presentiel", handy)
    finistere = report(
        "29",
        "Bretagne",
        date(2026, 4, 9),
        7,
        "seniors",
        "presentiel",
        [("enjeux_societe", "")],
        synthesis="Secret du Finistère",
        share_synthesis=False,
    )
    finistere.counts = [ReportCount(dimension="age", category="75_plus", count=7)]
    for name in ("a5", "a6", "a7", "a8", "a9"):
        row = report(
            "75",
            "Île-de-France",
            date(2026, 3, 20),
            20,
            "jeunes",
            "hybride",
            handy,
            ["atelier_pratique"],
            animateur_id=ids[name],
        )
        row.counts = [
            ReportCount(dimension="age", category="18_29", count=15),
            ReportCount(dimension="age", category="30_44", count=5),
        ]
    for n in range(5):
        report(
            "75",
            "Île-de-France",
            date(2026, 5, 12 + n),
            2,
            "jeunes",
            "en_ligne",
            [("avenir_travail", "")],
            ["atelier_pratique"],
            animateur_id=ids["a2"] if n == 0 else None,
            share_synthesis=n < 2,
            synthesis="Les jeunes craignent pour leurs futurs métiers." if n == 0 else "  ",
        )
    report(
        "75",
        "Île-de-France",
        date(2026, 3, 21),
        50,
        "jeunes",
        "hybride",
        handy,
        status="brouillon",
        share_synthesis=True,
        synthesis="Brouillon partagé",
    )
    report(
        "75",
        "Île-de-France",
        date(2026, 11, 20),
        30,
        "jeunes",
        "hybride",
        animateur_id=ids["a4"],
        status="brouillon",
    )
    db.session.commit()
    return people  # fmt: skip


@pytest.fixture
def admin(client, login_as):
    login_as("admin", email="anct@exemple.fr")
    return client


def read_csv(response) -> list[dict]:
    """As a spreadsheet reads it: the BOM, the delimiter the Sniffer finds; decimals written
    with a point here, whichever mark the file uses."""
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    dialect = csv.Sniffer().sniff(text.split("\r\n", 1)[0], delimiters=";,")
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    return [{k: re.sub(r"^(\d+),(\d+)$", r"\1.\2", v) for k, v in row.items()} for row in rows]


def rows_of(client, name, query="") -> list[dict]:
    return read_csv(client.get(f"/admin/statistiques/cafes/export/{name}.csv{query}"))


def by(rows, key):
    return {row[key]: row for row in rows}


# --- the figures -------------------------------------------------------------------------------


def test_totals_count_submitted_reports_only(admin, cafes):
    rows = rows_of(admin, "cafes_indicateurs")
    assert [row["indicateur"][:18] for row in rows[:3]] == [
        "Cafés tenus (compt",
        "Personnes touchées",
        "Personnes par café",
    ]
    # 17 cafés, 177 people (10.4 a café); 177 in France; 177 / 2 000 000 = 0.00885 %.
    assert [row["valeur"] for row in rows] == ["17", "177", "10.4", "177", "2000000", "0.01"]


def test_months_with_the_small_cell_rule(admin, cafes):
    rows = by(rows_of(admin, "cafes_mois"), "mois")
    assert (rows["2026-03"]["cafes"], rows["2026-03"]["personnes"]) == ("9", "145")
    # April: 3 cafés; May would give April back by difference with the total: hidden too.
    assert (rows["2026-04"]["cafes"], rows["2026-04"]["personnes"]) == (SMALL, HIDDEN)
    assert (rows["2026-05"]["cafes"], rows["2026-05"]["personnes"]) == (HIDDEN, HIDDEN)
    assert (rows[""]["cafes"], rows[""]["personnes"]) == ("17", "177")  # the total
    assert list(rows)[:3] == ["2026-03", "2026-04", "2026-05"]


def test_regions_and_departements(admin, cafes):
    regions = by(rows_of(admin, "cafes_regions"), "region")
    assert (regions["Bretagne"]["cafes"], regions["Bretagne"]["personnes"]) == ("7", "67")
    assert (regions["Île-de-France"]["cafes"], regions["Île-de-France"]["personnes"]) == ("10", "110")  # fmt: skip
    assert regions["Occitanie"]["cafes"] == SMALL and regions["Occitanie"]["personnes"] == HIDDEN
    deps = by(rows_of(admin, "cafes_departements"), "code")
    assert (deps["35"]["cafes"], deps["35"]["personnes"]) == ("6", "60")
    # One café in Finistère would point at its animateur: neither it nor its 7 people show.
    assert (deps["29"]["cafes"], deps["29"]["personnes"]) == (SMALL, HIDDEN)
    assert (deps["75"]["cafes"], deps["75"]["personnes"]) == ("10", "110")
    assert len(deps) == 102  # 101 départements and the total


def test_audiences_and_formats(admin, cafes):
    audiences = by(rows_of(admin, "cafes_publics"), "cle")
    assert (audiences["jeunes"]["cafes"], audiences["jeunes"]["personnes"]) == ("10", "110")
    assert audiences["tout_public"]["cafes"] == SMALL and audiences["seniors"]["cafes"] == SMALL
    formats = by(rows_of(admin, "cafes_formats"), "cle")
    assert {k: (r["cafes"], r["personnes"]) for k, r in formats.items()} == {
        "presentiel": ("7", "67"),
        "en_ligne": ("5", "10"),
        "hybride": ("5", "100"),
        "": ("17", "177"),
    }


def test_the_most_frequent_themes_and_action_paths(admin, cafes):
    themes = rows_of(admin, "cafes_themes")
    assert [(r["cle"], r["cafes"], r["part"]) for r in themes[:2]] == [
        ("prise_en_main", "11", "64.7"),
        ("avenir_travail", "5", "29.4"),
    ]
    assert by(themes, "cle")["enjeux_societe"]["cafes"] == SMALL
    assert by(themes, "cle")["autre"]["cafes"] == SMALL
    paths = by(rows_of(admin, "cafes_suites"), "cle")
    assert paths["atelier_pratique"]["cafes"] == "10" and paths["aucune_suite"]["cafes"] == SMALL


def test_the_anonymous_breakdown(admin, cafes):
    ages = by(rows_of(admin, "cafes_ages"), "cle")
    assert (ages["18_29"]["personnes"], ages["18_29"]["cafes"]) == ("75", "5")
    assert ages["30_44"]["personnes"] == "25"
    assert ages["75_plus"]["personnes"] == HIDDEN  # one café's report
    assert "Une mairie secrète" not in admin.get("/admin/statistiques/cafes").get_data(as_text=True)


def test_filters_by_period_territory_and_theme(admin, cafes):
    rows = by(rows_of(admin, "cafes_formats", "?du=2026-04-01&au=2026-04-30"), "cle")
    assert rows[""]["cafes"] == SMALL  # 3 cafés in April
    rows = by(rows_of(admin, "cafes_regions", "?region=Bretagne"), "region")
    assert rows["Bretagne"]["cafes"] == "7" and rows["Île-de-France"]["cafes"] == SMALL
    rows = by(rows_of(admin, "cafes_formats", "?departement=75"), "cle")
    assert (rows[""]["cafes"], rows[""]["personnes"]) == ("10", "110")
    rows = by(rows_of(admin, "cafes_formats", "?theme=prise_en_main"), "cle")
    assert (rows[""]["cafes"], rows[""]["personnes"]) == ("11", "160")
    indicators = [row["valeur"] for row in rows_of(admin, "cafes_indicateurs", "?region=Bretagne")]
    # The goal is measured on every café, whatever the filters.
    assert indicators == ["7", "67", "9.6", "177", "2000000", "0.01"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("?du=2026-05-01&au=2026-04-01", "La fin de la période doit suivre son début."),
        ("?region=Atlantide", "Région inconnue"),
        ("?departement=99", "Département inconnu"),
        ("?region=Bretagne&departement=75", "Ce département est en Île-de-France"),
        ("?theme=cuisine", "Thème inconnu"),
        ("?du=2026-13-01", "Date non reconnue"),
    ],
)
def test_bad_filters_are_explained(admin, cafes, query, message):
    for path in ("/admin/statistiques/cafes", "/admin/statistiques/syntheses"):
        response = admin.get(path + query)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    response = admin.get("/admin/statistiques/cafes/export/cafes_mois.csv" + query)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_the_page_states_the_method_and_the_goal(admin, cafes):
    page = admin.get("/admin/statistiques/cafes").get_data(as_text=True)
    assert "Une personne venue à deux cafés compte deux fois" in page
    assert "(ou reste en brouillon) n'est pas compté" in html.unescape(page)
    assert "2\u202f000\u202f000 de personnes d'ici 2027" in page
    assert 'href="https://cnnumerique.fr/annonce/cafe-ia-une-dynamique-citoyenne-inedite-en-pleine-expansion"' in page  # fmt: skip
    assert page.count('<path d="') == 96  # the annuaire's map of the départements
    assert "Secret-" not in page


def test_an_unknown_table_is_a_404(admin, cafes):
    assert admin.get("/admin/statistiques/cafes/export/inconnu.csv").status_code == 404
    assert admin.get("/admin/statistiques/cafes/export/cafes_mois.pdf").status_code == 404


# --- exports -----------------------------------------------------------------------------------


def test_xlsx_holds_the_same_figures_and_its_notes(admin, cafes):
    response = admin.get("/admin/statistiques/cafes/export/cafes_regions.xlsx?du=2026-01-01")
    assert "cafes-regions-du-2026-01-01" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["cafes_regions"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Bretagne"] == (7, 67) and rows["Occitanie"] == (SMALL, HIDDEN)
    notes = " ".join(str(cell) for row in book["notes"].iter_rows(values_only=True) for cell in row)
    assert "compte deux fois" in notes and "à partir du 01/01/2026" in notes
    produced = {row[0].value: row[1] for row in book["notes"].iter_rows(min_row=2)}["Produit le"]
    assert produced.is_date and produced.value.date() == date.today()
    assert produced.number_format == "dd/mm/yyyy"


def test_xlsx_shares_are_fractions_shown_as_percents(admin, cafes):
    """« 64,7 % » of the cafés named a theme: a number stored 0.647, not the text or 64.7."""
    response = admin.get("/admin/statistiques/cafes/export/cafes_themes.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["cafes_themes"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[header.index("Code")].value: row for row in sheet.iter_rows(min_row=2)}
    share = rows["prise_en_main"][header.index("Part des cafés tenus (%)")]
    assert share.data_type == "n" and share.number_format == "0.0 %"
    assert share.value == pytest.approx(0.647, abs=0.0005)
    count = rows["prise_en_main"][header.index("Cafés qui l'ont nommé")]
    assert (count.value, count.data_type, count.number_format) == (11, "n", "#,##0")


def test_open_data_is_valid_against_its_table_schema(client, cafes):
    data = client.get("/statistiques/cafes.json").json
    schema = Schema.from_descriptor(client.get(data["schema"]).json)
    fields = [field.name for field in schema.fields]
    table = [fields] + [[row[name] for name in fields] for row in data["lignes"]]
    report = Resource(data=table, schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = {(row["dimension"], row["cle"]): row for row in data["lignes"]}
    assert rows["departement", "35"]["cafes"] == 6 and rows["departement", "29"]["cafes"] == SMALL
    assert rows["mois", "2026-03"]["personnes"] == 145
    assert (data["cafes_tenus"], data["personnes_touchees"]) == (17, 177)
    assert data["objectif"]["personnes"] == 2_000_000 and "Licence Ouverte" in data["licence"]
    # The check can fail: a small number of cafés written out is refused by the schema.
    broken = [fields, ["departement", "29", "Finistère", 1, 7]]
    assert not Resource(data=broken, schema=schema).validate().valid


def test_the_national_open_data_carries_the_same_numbers(client, cafes):
    national = client.get("/statistiques.json").json["cafes_ia"]
    reach = client.get("/statistiques/cafes.json").json
    assert (national["cafes_tenus"], national["personnes_touchees"]) == (17, 177)
    assert national["themes"] == reach["themes"] and national["themes"]["prise_en_main"] == 11
    regions = {row["region"]: row for row in national["regions"]}
    assert (regions["Bretagne"]["cafes"], regions["Ensemble"]["personnes"]) == (7, 177)


def test_open_data_names_nobody(client, cafes):
    for path in ("/statistiques/cafes.json", "/statistiques.json"):
        text = client.get(path).get_data(as_text=True)
        assert "Secret-" not in text and "Secret du" not in text and "@" not in text
        assert "mairie" not in text.lower()


# --- training -> impact ------------------------------------------------------------------------


def test_certified_animateurs_who_held_a_cafe_within_three_months(admin, cafes):
    values = [row["valeur"] for row in read_csv(admin.get("/admin/statistiques/export/impact.csv"))]
    # Certified 3 months ago or more, not revoked: a1, a2, a3, a6–a9 (not a4, not a5).
    # In time: a1 (1 Feb → 2 March) and a6–a9 (15 Feb → 20 March); a2's café came in May.
    assert values == ["7", "5", "71.4"]
    page = admin.get("/admin/statistiques").get_data(as_text=True)
    assert "au moins 3 mois" in page and "71,4" in page


def test_the_impact_follows_the_overview_filters(admin, cafes):
    response = admin.get("/admin/statistiques/export/impact.csv?du=2030-01-01")
    values = [row["valeur"] for row in read_csv(response)]
    assert values == [SMALL, SMALL, ""]


def cohort_of(names, people, create_user) -> tuple[Cohort, object]:
    trainer = create_user(role="formateur", email=f"formateur-{len(names)}@exemple.fr")
    cohort = Cohort(name=f"Promo {len(names)}", invite_code=f"code-{len(names)}")
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=trainer.id))
    for name in names:
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=people[name].id))
    db.session.commit()
    return cohort, trainer


def test_the_cohort_page_shows_its_animateurs_cafes(client, auth, cafes, create_user):
    cohort, trainer = cohort_of(["a1", "a2", "a3", "a5", "a6", "a7", "a8", "a9"], cafes, create_user)  # fmt: skip
    auth.login(trainer.email)
    page = client.get(f"/formateur/cohortes/{cohort.id}").get_data(as_text=True)
    section = page.split('id="cohorte-cafes"')[1].split("</section>")[0]
    figures = [dd.split("</dd>")[0] for dd in section.split("<dd>")[1:]]
    # 7 certified now (a5 revoked); 6 held a café: a1 (10 people), a2 (2), a6–a9 (4 × 20).
    assert figures == ["7", "6", "6", "92"]


def test_a_cohort_with_few_active_animateurs_shows_no_cafe_figure(client, auth, cafes, create_user):
    cohort, trainer = cohort_of(["a1", "a3"], cafes, create_user)
    auth.login(trainer.email)
    page = client.get(f"/formateur/cohortes/{cohort.id}").get_data(as_text=True)
    section = page.split('id="cohorte-cafes"')[1].split("</section>")[0]
    figures = [dd.split("</dd>")[0] for dd in section.split("<dd>")[1:]]
    assert figures == ["2", "&lt; 5", HIDDEN, HIDDEN]
    assert "ne sont pas affichés" in section


# --- the syntheses -----------------------------------------------------------------------------


def test_only_consented_submitted_syntheses_are_shown(admin, cafes):
    page = admin.get("/admin/statistiques/syntheses").get_data(as_text=True)
    assert "On a pris en main un assistant conversationnel." in page
    assert "Les jeunes craignent pour leurs futurs métiers." in page
    assert "Secret du Finistère" not in page and "Brouillon partagé" not in page
    assert "2 synthèses partagées" in page
    assert "Secret-" not in page and "Une mairie secrète" not in page


def test_syntheses_are_filtered(admin, cafes):
    page = admin.get("/admin/statistiques/syntheses?region=Bretagne").get_data(as_text=True)
    assert "assistant conversationnel" in page and "futurs métiers" not in page
    page = admin.get("/admin/statistiques/syntheses?theme=avenir_travail").get_data(as_text=True)
    assert "assistant conversationnel" not in page and "futurs métiers" in page
    page = admin.get("/admin/statistiques/syntheses?du=2026-06-01").get_data(as_text=True)
    assert "Aucune synthèse partagée pour ces filtres." in page


def test_syntheses_export_without_personal_data(admin, cafes):
    response = admin.get("/admin/statistiques/syntheses.csv")
    text = response.get_data(as_text=True)
    rows = read_csv(response)
    assert [row["synthese"] for row in rows] == [
        "Les jeunes craignent pour leurs futurs métiers.",
        "On a pris en main un assistant conversationnel.",
    ]
    assert rows[1]["themes"] == "La prise en main des outils ; un autre thème"
    assert rows[1]["date"] in ("02/03/2026", "2026-03-02") and rows[1]["departement"] == "35"
    assert "Secret" not in text and "@" not in text and "mairie" not in text.lower()
    book = load_workbook(io.BytesIO(admin.get("/admin/statistiques/syntheses.xlsx?departement=35").data))  # fmt: skip
    sheet = book["syntheses"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == 1 and str(values[0][0])[:10] == "2026-03-02" and values[0][6] == 10
    day, participants = sheet["A2"], sheet["G2"]
    assert day.is_date and day.number_format == "dd/mm/yyyy"
    assert participants.data_type == "n" and participants.number_format == "#,##0"
    produced = {row[0].value: row[1] for row in book["notes"].iter_rows(min_row=2)}["Produit le"]
    assert produced.is_date and produced.number_format == "dd/mm/yyyy"


def test_an_animateur_who_erases_their_account_is_still_counted(app, admin, cafes):
    """a1 held a café in time: their report stays (without them) and their certificate's
    outcome is kept among the anonymous facts, so no figure drops."""
    impact = "/admin/statistiques/export/impact.csv"
    before = [read_csv(admin.get(impact)), read_csv(admin.get("/admin/statistiques/cafes/export/cafes_formats.csv"))]  # fmt: skip
    person = app.test_client()
    person.submit("/connexion", {"email": "a1@exemple.fr", "password": PASSWORD})
    response = person.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(User.email == "a1@exemple.fr")) == 0
    after = [read_csv(admin.get(impact)), read_csv(admin.get("/admin/statistiques/cafes/export/cafes_formats.csv"))]  # fmt: skip
    assert after == before and [row["valeur"] for row in after[0]] == ["7", "5", "71.4"]
    kept = db.session.scalars(select(ErasedLearner)).one()
    assert kept.held_cafe_in_time is True and kept.impact_until == date(2026, 5, 1)


def test_a_report_sent_through_its_form_is_counted_and_its_synthesis_shared(client, auth, login_as):
    """The real path: a certified animateur announces a café, it takes place, they send its
    report through the form; the national team reads its figures and its synthesis only."""
    animateur = login_as(last_name="Secret-Animatrice", departement_code="31")
    certify(animateur)
    cafe = announced(client)
    cafe.day = date.today() - timedelta(days=1)
    db.session.commit()
    response = client.submit(
        f"/mes-cafes/{cafe.id}/compte-rendu",
        {
            "participants": "14",
            "themes": ["regles_usage", "prise_en_main"],
            "free_themes": "Secret-thème libre",
            "action_paths": ["atelier_pratique"],
            "synthesis": "Beaucoup de questions sur les arnaques.",
            "to_change": "Secret-à changer",
            "share_synthesis": "y",
            "action": "envoyer",
        },
    )
    assert response.status_code == 302
    auth.logout()
    assert totals(ReachFilters()) == {"cafes": 1, "personnes": 14}
    assert client.get("/statistiques/cafes.json").json["cafes_tenus"] == SMALL  # one café
    login_as("admin", email="anct-form@exemple.fr")
    rows = read_csv(client.get("/admin/statistiques/syntheses.csv"))
    assert [(row["synthese"], row["participants"]) for row in rows] == [
        ("Beaucoup de questions sur les arnaques.", "14")
    ]
    assert rows[0]["themes"] == "Les règles d'usage ; La prise en main des outils ; un autre thème"
    text = client.get("/admin/statistiques/syntheses").get_data(as_text=True)
    assert "arnaques" in text and "Secret-" not in text
