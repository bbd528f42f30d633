"""Demo cafés across France, to come and held: one of Léa's is full, with a waiting list."""

import secrets
from datetime import date, time, timedelta

from sqlalchemy import select

from certificates.demo import ANIMATRICE
from lms.departements import departement
from lms.extensions import db

from .models import CONFIRMED, WAITING, Cafe, Registration
from .plans import MATERIAL, QUESTIONS, CafePlan, plan_of, standard_steps

# (e-mail of the animateur, days from today, title, format, structure, commune, département,
#  public, animation, capacity, registrations confirmed, waiting)
CAFES = [
    (ANIMATRICE["email"], 9, "L'IA au quotidien : on en parle ?", "presentiel",
     "Centre social Les Minimes", "Toulouse", "31", "tout_public", "recette", 8, 8, 2),
    (ANIMATRICE["email"], 23, "Les seniors et l'IA : questions libres", "hybride",
     "Centre social Les Minimes", "Toulouse", "31", "seniors", "mallette", 15, 3, 0),
    (ANIMATRICE["email"], -12, "Café IA de rentrée", "presentiel",
     "Centre social Les Minimes", "Toulouse", "31", "tout_public", "recette", 12, 9, 0),
    ("yann.le-gall@exemple.fr", 5, "Parents, enfants et IA", "presentiel",
     "Médiathèque des Capucins", "Brest", "29", "parents", "mallette", 20, 4, 0),
    ("nadia.benaissa@exemple.fr", 14, "Chercher un emploi avec l'IA ?", "presentiel",
     "Espace France services de Roubaix", "Roubaix", "59", "demandeurs_emploi", "recette",
     12, 2, 0),
    ("marie.payet@exemple.fr", 30, "L'IA au service des agents", "en_ligne",
     "Mairie de Saint-Paul", "Saint-Paul", "974", "agents_publics", "autre", 25, 0, 0),
    ("marie.payet@exemple.fr", -40, "Premier Café IA de la mairie", "presentiel",
     "Mairie de Saint-Paul", "Saint-Paul", "974", "agents_publics", "recette", 15, 0, 0),
]  # fmt: skip
DESCRIPTION = (
    "Un moment convivial pour parler d'intelligence artificielle sans être spécialiste : "
    "on part de vos questions, on teste, on débat. Café et biscuits offerts."
)


def cafes(find_user) -> None:
    for (
        email,
        days,
        title,
        fmt,
        structure,
        commune,
        code,
        audience,
        animation,
        capacity,
        *seats,
    ) in CAFES:
        animateur = find_user(email)
        if animateur is None or db.session.scalar(
            select(Cafe.id).where(Cafe.animateur_id == animateur.id, Cafe.title == title)
        ):
            continue
        cafe = Cafe(
            animateur_id=animateur.id,
            title=title,
            day=date.today() + timedelta(days=days),
            starts=time(18, 0),
            ends=time(20, 0),
            format=fmt,
            structure=structure,
            commune=commune,
            departement_code=code,
            region=departement(code).region,
            online_link="https://visio.exemple.fr/cafe-ia" if fmt != "presentiel" else "",
            audience=audience,
            animation=animation,
            animation_other="Atelier « IA et démarches en ligne »" if animation == "autre" else "",
            capacity=capacity,
            description=DESCRIPTION,
        )
        db.session.add(cafe)
        db.session.flush()
        _participants(cafe, *seats)
    db.session.commit()


def _participants(cafe: Cafe, confirmed: int, waiting: int) -> None:
    for n in range(confirmed + waiting):
        db.session.add(
            Registration(
                cafe_id=cafe.id,
                name=f"Participant·e fictif·ve {n + 1}",
                email=f"participant{n + 1}.cafe{cafe.id}@exemple.fr",
                status=CONFIRMED if n < confirmed else WAITING,
                token=secrets.token_urlsafe(32),
            )
        )
    cafe.seats_taken = confirmed


# A learner not yet certified drafts her first café; Léa, certified, has one ready to announce.
PLANS = [
    ("apprenant@exemple.fr", "Premier Café IA de la médiathèque", "Médiathèque Jean-Macé",
     "Rennes", "35", "tout_public", 21),
    (ANIMATRICE["email"], "L'IA et nos démarches en ligne", "Centre social Les Minimes",
     "Toulouse", "31", "seniors", 35),
]  # fmt: skip


def plan(find_user) -> None:
    for email, title, structure, commune, code, audience, days in PLANS:
        person = find_user(email)
        if person is None or plan_of(person):
            continue
        db.session.add(
            CafePlan(
                user_id=person.id,
                title=title,
                audience=audience,
                structure=structure,
                commune=commune,
                departement_code=code,
                day=date.today() + timedelta(days=days),
                starts=time(14, 30),
                format="presentiel",
                animation="mallette",
                capacity=15,
                steps=standard_steps(),
                material=list(MATERIAL)[:7],
                questions=[QUESTIONS["quotidien"], QUESTIONS["confiance"]],
            )
        )
    db.session.commit()
