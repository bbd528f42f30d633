"""Demo reports and feedback: the demo's past cafés have their report; Léa's has the word of
seven participants (shown), Marie's of three (held back by the small-cell rule); Nadia declared
a café held in Roubaix without having announced it."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, select

from lms.departements import departement
from lms.extensions import db

from . import feedback
from .models import (
    BY_AGE,
    BY_AUDIENCE,
    FREE,
    SUBMITTED,
    Cafe,
    CafeReport,
    FeedbackAnswer,
    ReportActionPath,
    ReportCount,
    ReportTheme,
)

# title of the café: (participants, {dimension: {category: count}}, themes, action paths,
#  synthesis, shared with the national team)
REPORTS = {
    "Café IA de rentrée": (
        9,
        {BY_AGE: {"30_44": 2, "45_59": 3, "60_74": 4}, BY_AUDIENCE: {"tout_public": 9}},
        ["prise_en_main", "regles_usage", "Les arnaques par messages"],
        ["atelier_pratique", "serie_rencontres"],
        "Le groupe voulait surtout essayer un agent conversationnel et savoir reconnaître "
        "une arnaque. On refera une séance pratique sur les démarches en ligne.",
        True,
    ),
    "Premier Café IA de la mairie": (
        12,
        {BY_AUDIENCE: {"agents_publics": 12}},
        ["avenir_travail", "regles_usage"],
        ["charte_usage"],
        "Les agents demandent un cadre clair sur ce qu'ils peuvent confier à un outil d'IA.",
        False,
    ),
    "Café IA au marché": (
        7,
        {BY_AGE: {"18_29": 3, "30_44": 4}},
        ["impact_environnemental", "enjeux_societe"],
        ["aucune_suite"],
        "",
        False,
    ),
}
# (café, marks learned/expressed/next steps, free line)
FEEDBACK = [
    ("Café IA de rentrée", (5, 4, 4), "Enfin quelqu'un qui explique simplement."),
    ("Café IA de rentrée", (4, 5, 3), ""),
    ("Café IA de rentrée", (5, 5, 4), "J'ai envie de revenir."),
    ("Café IA de rentrée", (3, 4, 2), ""),
    ("Café IA de rentrée", (4, 3, 4), "Un peu court."),
    ("Café IA de rentrée", (5, 5, 5), ""),
    ("Café IA de rentrée", (4, 4, 3), ""),
    ("Premier Café IA de la mairie", (4, 3, 4), "Utile pour le service."),
    ("Premier Café IA de la mairie", (3, 4, 3), ""),
    ("Premier Café IA de la mairie", (5, 4, 4), ""),
]
DECLARED = ("nadia.benaissa@exemple.fr", -6, "Café IA au marché", "Association Quartiers solidaires",
            "Roubaix", "59", "jeunes")  # fmt: skip


def reports_and_feedback(find_user) -> None:
    _declared_cafe(find_user)
    for title, facts in REPORTS.items():
        cafe = db.session.scalar(select(Cafe).where(Cafe.title == title, Cafe.day < date.today()))
        if cafe is not None and not db.session.scalar(
            select(exists().where(CafeReport.cafe_id == cafe.id))
        ):
            db.session.add(_report(cafe, *facts))
    db.session.commit()
    for title, marks, comment in FEEDBACK:
        cafe = db.session.scalar(select(Cafe).where(Cafe.title == title, Cafe.day < date.today()))
        if cafe is None or _answers(cafe) >= _planned(title):
            continue
        marks = dict(zip(feedback.QUESTIONS, marks, strict=True))
        feedback.answer(cafe, feedback.new_device_key(), marks, comment)
    for title in {t for t, _, _ in FEEDBACK}:
        cafe = db.session.scalar(select(Cafe).where(Cafe.title == title))
        if cafe is not None:
            feedback.form_of(cafe)


def _answers(cafe: Cafe) -> int:
    return db.session.query(FeedbackAnswer).filter_by(cafe_id=cafe.id).count()


def _planned(title: str) -> int:
    return sum(1 for t, _, _ in FEEDBACK if t == title)


def _declared_cafe(find_user) -> None:
    email, days, title, structure, commune, code, audience = DECLARED
    animateur = find_user(email)
    if animateur is None or db.session.scalar(select(exists().where(Cafe.title == title))):
        return
    db.session.add(
        Cafe(
            animateur_id=animateur.id,
            title=title,
            day=date.today() + timedelta(days=days),
            starts=time(15, 0),
            ends=time(16, 30),
            format="presentiel",
            structure=structure,
            commune=commune,
            departement_code=code,
            region=departement(code).region,
            audience=audience,
            animation="mallette",
            capacity=0,
            declared_at=datetime.now(UTC),
        )
    )
    db.session.commit()


def _report(cafe: Cafe, participants, breakdown, themes, action_paths, synthesis, shared):
    submitted = datetime.combine(cafe.day + timedelta(days=1), time(10, 0), UTC)
    return CafeReport(
        cafe_id=cafe.id,
        animateur_id=cafe.animateur_id,
        held_on=cafe.day,
        departement_code=cafe.departement_code,
        region=cafe.region,
        audience=cafe.audience,
        format=cafe.format,
        participants=participants,
        synthesis=synthesis,
        share_synthesis=shared,
        status=SUBMITTED,
        submitted_at=submitted,
        themes=[_choice(ReportTheme, t) for t in themes],
        action_paths=[_choice(ReportActionPath, a) for a in action_paths],
        counts=[
            ReportCount(dimension=dimension, category=category, count=n)
            for dimension, counts in breakdown.items()
            for category, n in counts.items()
        ],
    )


def _choice(model, code_or_words: str):
    """A code of the lists, or free words (they hold a space or a capital)."""
    if " " in code_or_words or code_or_words[:1].isupper():
        return model(code=FREE, label=code_or_words)
    return model(code=code_or_words, label="")
