"""« Préparer mon premier café »: a learner's draft plan of a café, one per person.

The plan is theirs alone (personal data: exported, erased with the account). Once they are
certified, it prefills the announcement of a café of the agenda, which they confirm.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import JSON, Date, ForeignKey, String, Time, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import timestamp, utcnow


@dataclass(frozen=True)
class Step:
    label: str
    minutes: int


# A standard 1 h 30 (the length the Mallette IA recommends not to exceed): its sequences 1 and 3
# and its 40-minute subgroup debate, framed by the recipe's first and fourth steps.
STANDARD_SEQUENCE = (
    Step("Accueil, tour de table et cadre de l'échange", 10),
    Step("« Les IA autour de moi » : post-its et grille commune", 15),
    Step("Débat en sous-groupes de 3 à 5 personnes, une carte débat chacun", 40),
    Step("Mise en commun : chaque sous-groupe rapporte, fiche débrief en main", 10),
    Step("« Je passe à l'action ! » : une piste par personne", 15),
)
MATERIAL = {
    "salle": "Une salle calme, des chaises pour tout le monde, des tables",
    "postits": "Des post-its (deux par personne au moins) et des stylos ou feutres",
    "affichage": "Une grande feuille ou un tableau pour regrouper les idées",
    "matrice": "La matrice « Les IA autour de moi » de la Mallette IA",
    "cartes_debat": "Les cartes débat et leurs fiches débrief",
    "fiches_action": "Les fiches « Je passe à l'action ! »",
    "plateau": "Le plateau et les cartes « Fiction ou réalité ? » (si vous faites la séquence 2)",
    "minuteur": "Un minuteur ou une montre pour tenir les temps",
    "boissons": "De quoi boire un café ou un thé",
    "liste": "La liste des personnes inscrites",
}
QUESTIONS = {
    "quotidien": "Où avez-vous croisé une IA cette semaine, sans forcément le savoir ?",
    "confier": "Que confieriez-vous volontiers à une IA, et que garderiez-vous pour vous ?",
    "travail": "Qu'est-ce qui changerait dans votre travail si une IA en prenait une partie ?",
    "confiance": "À quoi voyez-vous qu'une réponse, une image ou une vidéo mérite votre confiance ?",
    "enfants": "Que voudriez-vous que les enfants apprennent sur l'IA à l'école ?",
    "decider": "Sur quel sujet aimeriez-vous que l'on vous demande votre avis avant d'utiliser une IA ?",
}  # fmt: skip


class CafePlan(db.Model):
    """A learner's draft; every field but the title may stay empty until they announce it."""

    __tablename__ = "cafe_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(30), default="")
    audience_note: Mapped[str] = mapped_column(String(200), default="")
    structure: Mapped[str] = mapped_column(String(200), default="")
    commune: Mapped[str] = mapped_column(String(100), default="")
    departement_code: Mapped[str] = mapped_column(String(3), default="")
    day: Mapped[date | None] = mapped_column(Date)
    starts: Mapped[time | None] = mapped_column(Time)
    format: Mapped[str] = mapped_column(String(20), default="presentiel")
    animation: Mapped[str] = mapped_column(String(20), default="mallette")
    capacity: Mapped[int] = mapped_column(default=15)
    steps: Mapped[list] = mapped_column(JSON, default=list)  # [{"label", "minutes"}]
    material: Mapped[list] = mapped_column(JSON, default=list)  # keys of MATERIAL
    questions: Mapped[list] = mapped_column(JSON, default=list)  # the questions' texts
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    updated_at: Mapped[datetime] = timestamp(default=utcnow, onupdate=utcnow)

    @property
    def total_minutes(self) -> int:
        return sum(step["minutes"] for step in self.steps)

    @property
    def ends(self) -> time | None:
        if self.starts is None:
            return None
        end = datetime.combine(date.min, self.starts) + timedelta(minutes=self.total_minutes)
        return end.time() if end.date() == date.min else None  # not past midnight

    def timed_steps(self) -> list[dict]:
        """Each step with the clock time it starts at, when the start is known."""
        clock = datetime.combine(date.min, self.starts) if self.starts else None
        timed = []
        for step in self.steps:
            timed.append({**step, "at": clock.time() if clock else None})
            clock = clock + timedelta(minutes=step["minutes"]) if clock else None
        return timed


def standard_steps() -> list[dict]:
    return [{"label": s.label, "minutes": s.minutes} for s in STANDARD_SEQUENCE]


def plan_of(user) -> CafePlan | None:
    return db.session.scalar(select(CafePlan).where(CafePlan.user_id == user.id))


def own_plan(user, plan_id: int) -> CafePlan | None:
    """The plan if it is this person's: nobody reads or edits another's."""
    plan = db.session.get(CafePlan, plan_id)
    return plan if plan is not None and plan.user_id == user.id else None


def save(user, form, plan: CafePlan | None = None) -> CafePlan:
    """Create or update the person's one plan from a validated PlanForm."""
    plan = plan or plan_of(user) or CafePlan(user_id=user.id)
    plan.title = form.title.data
    plan.audience = form.audience.data or ""
    plan.audience_note = form.audience_note.data or ""
    plan.structure = form.structure.data or ""
    plan.commune = form.commune.data or ""
    plan.departement_code = form.departement.data or ""
    plan.day, plan.starts = form.day.data, form.starts.data
    plan.format, plan.animation = form.format.data, form.animation.data
    plan.capacity = form.capacity.data
    plan.steps = form.filled_steps()
    plan.material = [key for key in MATERIAL if key in form.material.data]
    plan.questions = form.chosen_questions()
    db.session.add(plan)
    db.session.commit()
    return plan


def form_data(plan: CafePlan | None) -> dict:
    """What the plan's form shows: the plan, or the standard sequence for a first visit."""
    if plan is None:
        return {
            "steps": _rows(standard_steps()),
            "material": list(MATERIAL)[:6],
            "format": "presentiel",
            "animation": "mallette",
            "capacity": 15,
        }
    suggested = {text: key for key, text in QUESTIONS.items()}
    return {
        "title": plan.title,
        "audience": plan.audience,
        "audience_note": plan.audience_note,
        "structure": plan.structure,
        "commune": plan.commune,
        "departement": plan.departement_code,
        "day": plan.day,
        "starts": plan.starts,
        "format": plan.format,
        "animation": plan.animation,
        "capacity": plan.capacity,
        "steps": _rows(plan.steps),
        "material": plan.material,
        "suggested": [suggested[q] for q in plan.questions if q in suggested],
        "own_questions": "\n".join(q for q in plan.questions if q not in suggested),
    }


def _rows(steps: list[dict]) -> list[dict]:
    return [{"intitule": step["label"], "minutes": step["minutes"]} for step in steps]


def cafe_defaults(plan: CafePlan) -> dict:
    """The announcement form's values from the plan: what a café of the agenda holds."""
    return {
        "title": plan.title,
        "day": plan.day if plan.day and plan.day >= date.today() else None,
        "starts": plan.starts,
        "ends": plan.ends,
        "format": plan.format,
        "structure": plan.structure,
        "commune": plan.commune,
        "departement": plan.departement_code,
        "audience": plan.audience,
        "animation": plan.animation,
        "capacity": plan.capacity,
        "description": description(plan)[:1000],
    }


def description(plan: CafePlan) -> str:
    steps = " ; ".join(f"{s['label']} ({s['minutes']} min)" for s in plan.steps)
    text = f"Déroulé : {steps}." if steps else ""
    if plan.questions:
        text += "\nPour ouvrir le débat : " + " ".join(plan.questions)
    return text.strip()


def personal_plan(user) -> dict | None:
    """« Télécharger mes données »: the plan as the person wrote it."""
    plan = plan_of(user)
    if plan is None:
        return None
    return {
        "titre": plan.title,
        "public": plan.audience,
        "public_precision": plan.audience_note,
        "structure": plan.structure,
        "commune": plan.commune,
        "departement": plan.departement_code,
        "date": plan.day.isoformat() if plan.day else None,
        "debut": plan.starts.strftime("%H:%M") if plan.starts else None,
        "format": plan.format,
        "animation": plan.animation,
        "places": plan.capacity,
        "deroule": plan.steps,
        "materiel": [MATERIAL[key] for key in plan.material if key in MATERIAL],
        "questions": plan.questions,
        "modifie_le": plan.updated_at.isoformat(),
    }
