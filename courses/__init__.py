"""The training content and its engine: modules, lessons, progress."""

from flask import Blueprint, render_template

bp = Blueprint("courses", __name__, template_folder="templates")

MODULES = [
    (
        "histoire-ia",
        "Histoire de l'IA : entre réalité et fictions",
        "Des premières idées aux IA génératives : distinguer les vraies étapes des fictions.",
    ),
    (
        "donnees-algorithmes",
        "Données et algorithmes",
        "Ce que sont les données, ce qu'on partage avec un service d'IA, comment un modèle apprend.",
    ),
    (
        "ia-travail",
        "IA et travail",
        "Automatisation ou augmentation des tâches, dialogue social, chartes d'usage.",
    ),
    (
        "animer-cafe-ia",
        "Animer un Café IA",
        "L'esprit d'un Café IA, son déroulé en cinq étapes et les sujets de débat.",
    ),
]


@bp.get("/modules")
def catalogue():
    """Public: the four modules of the training."""
    return render_template("courses/catalogue.html", page_title="Les modules", modules=MODULES)
