"""The Table Schema (frictionless) of the reach's open data: the `lignes` of /statistiques/cafes.json.

One row per group of one dimension; a protected figure is one of the schema's missing values,
« < 5 » (fewer than 5) or « n. d. » (not published, so that a small one cannot be recomputed).
"""

from annuaire.schema import LICENCE_URL
from lms.secrecy import HIDDEN, SMALL

from .reach_tables import METHOD

DIMENSIONS = ["mois", "region", "departement", "public", "format"]
FIELDS = [
    ("dimension", "string", "Ce que la ligne regroupe : mois, region, departement, public ou format"),
    ("cle", "string", "Le groupe : AAAA-MM, nom de la région, code du département, code du public ou du format"),
    ("libelle", "string", "Le groupe en toutes lettres"),
    ("cafes", "integer", "Cafés tenus : comptes rendus envoyés"),
    ("personnes", "integer", "Personnes touchées : participant·es déclaré·es par ces comptes rendus"),
]  # fmt: skip
CONSTRAINTS = {
    "dimension": {"required": True, "enum": DIMENSIONS},
    "cle": {"required": True},
    "cafes": {"minimum": 5},
    "personnes": {"minimum": 0},
}

SCHEMA = {
    "name": "portee-cafes-ia",
    "title": "Cafés IA : cafés tenus et personnes touchées",
    "description": f"{METHOD} Un effectif de moins de 5 s'écrit « {SMALL} » ; « {HIDDEN} » "
    "masque un effectif qui permettrait d'en retrouver un petit par différence.",
    "licenses": [
        {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0", "path": LICENCE_URL}
    ],
    "missingValues": ["", SMALL, HIDDEN],
    "primaryKey": ["dimension", "cle"],
    "fields": [
        {
            "name": name,
            "type": kind,
            "description": text,
            **({"constraints": CONSTRAINTS[name]} if name in CONSTRAINTS else {}),
        }
        for name, kind, text in FIELDS
    ],
}
