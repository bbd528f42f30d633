"""Figures in lessons: the activity kind `figure`, whose block names a figure drawn on the
server from its own template (an accessible timeline, a diagram with its text alternative).

    ::: figure
    id: frise
    figure: frise-histoire-ia
    :::
"""

import functools
from pathlib import Path

from flask import render_template
from markupsafe import Markup

from lms import yamltext
from lms.typography import typeset_fields

DATA = Path(__file__).parent / "figure_data"
NATURES = {"realite": "Réalité", "fiction": "Fiction", "supercherie": "Supercherie"}
MILESTONE_FIELDS = ("date", "when", "nature", "title", "text", "source")


@functools.cache
def timeline(name: str) -> dict:
    """A timeline's milestones, checked: ValueError in French on a missing or wrong field."""
    path = DATA / f"{name}.yaml"
    data = yamltext.safe_load(path.read_text(encoding="utf-8"))
    for number, milestone in enumerate(data["milestones"], start=1):
        missing = [key for key in MILESTONE_FIELDS if not milestone.get(key)]
        if missing:
            raise ValueError(f"{path.name}, jalon n° {number} : champ « {missing[0]} » manquant")
        if milestone["nature"] not in NATURES:
            raise ValueError(
                f"{path.name}, jalon n° {number} : nature « {milestone['nature']} » inconnue "
                f"({', '.join(NATURES)})"
            )
        if not milestone["source"].get("url", "").startswith("https://"):
            raise ValueError(f"{path.name}, jalon n° {number} : la source doit être en https://")
    return typeset_fields(data, frozenset({"title", "text"}))


# The figures a lesson may name: the template that draws each, and what it needs.
FIGURES = {
    "frise-histoire-ia": (
        "courses/figures/frise.html",
        lambda: {"timeline": timeline("frise-histoire-ia")},
    ),
    "donnees-modele-prediction": ("courses/figures/donnees-modele-prediction.html", dict),
}


class FigureKind:
    """`::: figure` — a figure of FIGURES, named by the block's `figure` field."""

    name = "figure"

    def validate(self, data: dict) -> None:
        figure = data.get("figure")
        if figure not in FIGURES:
            raise ValueError(f"champ « figure » : « {figure} » inconnu ({', '.join(FIGURES)})")
        if extra := set(data) - {"figure"}:
            raise ValueError(f"champ « {sorted(extra)[0]} » inconnu pour une figure")
        FIGURES[figure][1]()  # a timeline's data is checked with the lesson

    def render(self, block, lesson, user) -> Markup:
        template, context = FIGURES[block.data["figure"]]
        return Markup(render_template(template, block=block, natures=NATURES, **context()))
