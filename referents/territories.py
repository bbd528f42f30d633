"""A référent's territory: one région, or one or more départements, from lms/departements.py.

The régions are named in the départements' file; their code is INSEE's, in the Code officiel
géographique (https://www.insee.fr/fr/information/7766585), so that « région 53 » is Bretagne.
"""

from typing import NamedTuple

from wtforms.fields.choices import SelectChoice

from lms.departements import all_departements, departement

DEPARTEMENT, REGION = "departement", "region"

REGION_CODES = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}


class Territory(NamedTuple):
    kind: str
    code: str

    @property
    def label(self) -> str:
        if self.kind == REGION:
            return f"Région {REGION_CODES[self.code]}"
        return f"{departement(self.code).nom} ({self.code})"

    @property
    def departements(self) -> set[str]:
        if self.kind == DEPARTEMENT:
            return {self.code}
        name = REGION_CODES[self.code]
        return {d.code for d in all_departements().values() if d.region == name}

    @property
    def value(self) -> str:
        """As a form sends it: « region:53 », « departement:29 »."""
        return f"{self.kind}:{self.code}"


def parse(value: str) -> Territory:
    """A territory from a form's value; ValueError in French for anything no page offers."""
    kind, _, code = (value or "").partition(":")
    known = REGION_CODES if kind == REGION else all_departements() if kind == DEPARTEMENT else {}
    if code not in known:
        raise ValueError("Ce territoire n'existe pas : choisissez une région ou un département.")
    return Territory(kind, code)


def choices() -> list[SelectChoice]:
    """Régions first, then départements grouped by région."""
    regions = [
        SelectChoice(f"{REGION}:{code}", f"{name} (toute la région)", optgroup="Régions")
        for code, name in sorted(REGION_CODES.items(), key=lambda item: item[1])
    ]
    departements = [
        SelectChoice(f"{DEPARTEMENT}:{d.code}", f"{d.code} — {d.nom}", optgroup=d.region)
        for d in sorted(all_departements().values(), key=lambda d: (d.region, d.code))
    ]
    return regions + departements
