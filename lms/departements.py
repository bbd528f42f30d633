"""The 101 French départements, overseas included, with their région."""

import csv
from functools import cache
from pathlib import Path
from typing import NamedTuple

from wtforms.fields.choices import SelectChoice


class Departement(NamedTuple):
    code: str
    nom: str
    region: str


@cache
def all_departements() -> dict[str, Departement]:
    with open(Path(__file__).parent / "data" / "departements.csv", encoding="utf-8") as f:
        return {row["code"]: Departement(**row) for row in csv.DictReader(f)}


def departement(code: str | None) -> Departement | None:
    return all_departements().get(code or "")


def choices() -> list[SelectChoice]:
    """Options for a select, grouped by région."""
    return [
        SelectChoice(d.code, f"{d.code} — {d.nom}", optgroup=d.region)
        for d in sorted(all_departements().values(), key=lambda d: (d.region, d.code))
    ]
