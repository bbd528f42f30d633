"""Every figure against the hand-built France of conftest.py, where each one is known."""

from datetime import date

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.secrecy import HIDDEN, SMALL
from quizzes.models import QuestionAnswer, QuizAttempt
from stats import services, tables
from stats.forms import Filters
from tests.helpers import read_people_csv

FUNNEL = ["inscrits", "commence", "termine", "certifies", "annuaire"]


def counts(row: dict) -> list:
    return [row[step] for step in FUNNEL]


def by(rows: list[dict], column: str) -> dict:
    return {row[column]: row for row in rows}


def test_the_funnel_counts_each_step_once(france):
    found = tables.overview(Filters())
    rows = found["entonnoir"].rows
    # b6's revoked status counts as completed, not certified; b5's hidden listing and the
    # formateur count nowhere.
    assert [row["personnes"] for row in rows] == [14, 12, 8, 6, SMALL]
    assert [row["part_inscrits"] for row in rows] == [100.0, 85.7, 57.1, 42.9, None]
    assert [row["part_etape_precedente"] for row in rows] == [None, 85.7, 66.7, 75.0, None]


def test_key_indicators_completion_median_and_readiness(france):
    indicators = {
        row["cle"]: row["valeur"] for row in tables.overview(Filters())["indicateurs"].rows
    }
    assert indicators == {
        "taux_achevement": 57.1,
        "taux_certification": 42.9,
        "delai_median_jours": 15.0,  # 10, 12, 14, 16, 18, 20 days: (14 + 16) / 2
        "animer_avant": 41.7,  # b1's latest answer (4) counts, not her first (1)
        "animer_apres": 87.5,
    }


def test_median_of_an_odd_number_is_the_middle_one(france):
    assert services.median_days_to_certificate(Filters(region="Bretagne")) == (14.0, 5)


def test_readiness_before_and_after_counts_the_latest_answer(france):
    before, after = tables.overview(Filters())["animer"].rows
    assert before == {
        "moment": "Avant la formation",
        "repondants": 12,
        "prets": 5,
        "part": 41.7,
        "moyenne": 3.25,
    }
    assert after == {"moment": "Après la formation", "repondants": 8, "prets": 7, "part": 87.5, "moyenne": 4.5}  # fmt: skip


def test_readiness_per_statement(france):
    rows = by(tables.readiness_table(Filters())["positionnement"].rows, "affirmation")
    animer = rows["Je me sens capable d'animer un Café IA."]
    assert (animer["avant_repondants"], animer["avant_part"], animer["apres_part"]) == (
        12,
        41.7,
        87.5,
    )
    assert animer["evolution"] == 45.8
    algorithme = rows["Je sais expliquer ce qu'est un algorithme."]
    assert algorithme["avant_repondants"] == SMALL and algorithme["avant_part"] is None


def test_weekly_series_every_monday_from_first_to_last(france):
    weeks = tables.overview(Filters())["semaines"].rows
    assert [w["semaine"] for w in weeks] == ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"]  # fmt: skip
    assert [w["inscrits"] for w in weeks] == [7, 7, SMALL, SMALL, SMALL]
    assert [w["certifies"] for w in weeks] == [SMALL] * 5  # 0, 2, 3, 0, 1


def test_week_bucketing_in_the_database(france):
    # Sunday 18 January belongs to the week of Monday 12 January; Monday 19 starts the next.
    assert services.certifications_by_week(Filters()) == {
        "2026-01-12": 2,
        "2026-01-19": 3,
        "2026-02-02": 1,
    }


def test_by_region_and_departement(france):
    found = tables.territories(Filters())
    regions = by(found["regions"].rows, "region")
    assert counts(regions["Bretagne"]) == [7, 7, 6, 5, SMALL]
    assert regions["Bretagne"]["taux_achevement"] == 85.7
    assert counts(regions["Île-de-France"]) == [6, 5, SMALL, SMALL, SMALL]
    assert counts(regions["Occitanie"]) == [SMALL] * 5
    assert counts(regions["Corse"]) == [SMALL] * 5
    assert len(regions) == 18
    assert counts(found["regions"].total) == [14, 12, 8, 6, SMALL]
    departements = by(found["departements"].rows, "code")
    assert len(departements) == 101
    assert counts(departements["35"]) == [7, 7, 6, 5, SMALL]
    assert departements["35"]["region"] == "Bretagne"
    assert counts(departements["29"]) == [SMALL] * 5


def test_by_profile_hides_what_the_total_would_give_back(france):
    found = tables.publics(Filters())
    profiles = by(found["profils"].rows, "profil")
    assert list(profiles) == ["Conseiller·ère numérique", "Médiateur·rice numérique", "Autre"]
    assert counts(profiles["Conseiller·ère numérique"]) == [8, 7, 6, 5, SMALL]
    # « Autre » (1 person, none started) alone under 5: the smallest other cell goes too.
    assert counts(profiles["Médiateur·rice numérique"]) == [HIDDEN, HIDDEN, SMALL, SMALL, SMALL]
    assert counts(profiles["Autre"]) == [SMALL] * 5
    assert counts(found["profils"].total) == [14, 12, 8, 6, SMALL]


def test_by_structure_names_only_those_of_five_or_more(france):
    rows = tables.publics(Filters())["structures"].rows
    assert [row["structure"] for row in rows] == ["Médiathèque de Rennes", "=Tiers-lieu Paris", "Autres structures"]  # fmt: skip
    assert counts(rows[0]) == [7, 7, 6, 5, SMALL]
    assert counts(rows[1]) == [HIDDEN, HIDDEN, SMALL, SMALL, SMALL]
    assert counts(rows[2]) == [SMALL] * 5  # Mairie de Toulouse's one person


def test_structures_are_grouped_whatever_their_case_and_spaces(france, create_user):
    for _ in range(3):
        create_user(structure="  médiathèque de RENNES ", departement_code="35")
    rows = tables.publics(Filters())["structures"].rows
    assert rows[0]["structure"].lower() == "médiathèque de rennes" and rows[0]["inscrits"] == 10


def test_by_cohort(france):
    cohorts = by(tables.publics(Filters())["cohortes"].rows, "cohorte")
    assert list(cohorts) == ["Promo Paris", "Promo Rennes"]
    assert counts(cohorts["Promo Rennes"]) == [7, 7, 6, 5, SMALL]
    assert counts(cohorts["Promo Paris"]) == [SMALL] * 5


def test_the_page_shows_the_largest_cohorts_the_export_all(france, admin_client):
    shown = tables.publics(Filters(), cohorts=1)["cohortes"]
    assert [row["cohorte"] for row in shown.rows] == ["Promo Rennes"]
    assert "qui comptent le plus d'inscrit·es, sur 2 ; l'export les donne toutes" in shown.note
    for n in range(tables.COHORTS_ON_PAGE):  # as many more, of one person each
        france.cohort(f"Atelier {n:02}", ["p1"])
    db.session.commit()
    names = [row["cohorte"] for row in tables.publics(Filters())["cohortes"].rows]
    assert len(names) == tables.COHORTS_ON_PAGE and names == sorted(names)  # shown by name
    assert {"Promo Rennes", "Promo Paris", "Atelier 17"} <= set(names)
    assert "Atelier 18" not in names  # the two largest, then by name
    page = admin_client.get("/admin/statistiques/publics").get_data(as_text=True)
    assert "sur 22 ; l&#39;export les donne toutes" in page
    exported = read_people_csv(admin_client.get("/admin/statistiques/export/cohortes.csv"))
    assert len(exported) == 2 + tables.COHORTS_ON_PAGE


def test_quizzes_and_questions_weakest_first(france):
    found = tables.questions(Filters())
    quiz = by(found["quiz"].rows, "module")
    # 8 learners, 9 attempts (b1 twice), 8 passed; the formateur's attempt is not counted.
    assert quiz["Module un"] == {"module": "Module un", "personnes": 8, "tentatives": 9, "taux_reussite": 88.9}  # fmt: skip
    assert quiz["Module deux"]["personnes"] == SMALL
    rows = found["questions"].rows
    assert [(r["question_id"], r["reponses"], r["part_juste"]) for r in rows] == [
        ("turc", 9, 44.4),
        ("pairs", 9, 77.8),
        ("capitale", 9, 100.0),
    ]
    assert rows[0]["question"] == "Le Turc mécanique cachait un joueur humain."


def test_questions_only_staff_answered_are_left_out(france):
    attempt = db.session.scalar(
        select(QuizAttempt.id).where(QuizAttempt.user_id == france.users["f1"].id)
    )
    db.session.add(
        QuestionAnswer(attempt_id=attempt, module_slug="module-un", question_id="crepes",
                       score=0.0, correct=False)
    )  # fmt: skip
    db.session.commit()
    rows = tables.questions(Filters())["questions"].rows
    assert [row["question_id"] for row in rows] == ["turc", "pairs", "capitale"]


def test_questions_of_fewer_than_five_people_are_not_analysed(france):
    rows = tables.questions(Filters(cohort=france.paris.id))["questions"].rows
    assert {row["part_juste"] for row in rows} == {None}


@pytest.mark.parametrize(
    "filters, expected",
    [
        (dict(region="Bretagne"), [7, 7, 6, 5, SMALL]),
        (dict(region="Île-de-France"), [6, 5, SMALL, SMALL, SMALL]),
        (dict(start=date(2026, 1, 12)), [7, 5, SMALL, SMALL, SMALL]),
        (dict(end=date(2026, 1, 11)), [7, 7, 6, 5, SMALL]),
        (dict(start=date(2026, 1, 6), end=date(2026, 1, 6)), [7, 7, 6, 5, SMALL]),
        (dict(start=date(2026, 2, 1)), [SMALL] * 5),
    ],
)
def test_filters_narrow_who_is_counted(france, filters, expected):
    rows = tables.overview(Filters(**filters))["entonnoir"].rows
    assert [row["personnes"] for row in rows] == expected


def test_cohort_filter(france):
    rows = tables.overview(Filters(cohort=france.rennes.id))["entonnoir"].rows
    assert [row["personnes"] for row in rows] == [7, 7, 6, 5, SMALL]
    found = tables.territories(Filters(cohort=france.rennes.id, region="Bretagne"))
    assert counts(found["regions"].total) == [7, 7, 6, 5, SMALL]


def test_an_empty_platform_has_figures_too(app):
    found = tables.overview(Filters())
    assert [row["personnes"] for row in found["entonnoir"].rows] == [SMALL] * 5
    assert found["semaines"].rows == []
    assert {row["valeur"] for row in found["indicateurs"].rows} == {None}
