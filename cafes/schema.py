"""The Table Schema (frictionless) of /cafes.csv and /cafes.json: stable column names.

Only what a café's public page shows: never a participant, never the online link.
"""

from annuaire.schema import LICENCE_URL

FIELDS = [
    ("id", "integer", "Identifiant du café sur la plateforme"),
    ("titre", "string", "Titre donné par l'animateur·rice"),
    ("date", "date", "Jour du café"),
    ("debut", "time", "Heure de début, heure locale du département"),
    ("fin", "time", "Heure de fin, heure locale du département"),
    ("format", "string", "presentiel, en_ligne ou hybride"),
    ("structure", "string", "Structure qui accueille le café"),
    ("adresse", "string", "Adresse, si l'animateur·rice l'a donnée"),
    ("commune", "string", "Commune"),
    ("departement", "string", "Code officiel du département (01 à 95, 2A, 2B, 971 à 976)"),
    ("region", "string", "Région du département"),
    ("public", "string", "Public visé (mêmes codes que l'annuaire)"),
    ("animation", "string", "Format d'animation : recette, mallette ou autre"),
    ("animation_precision", "string", "Le format d'animation, quand il est « autre »"),
    ("capacite", "integer", "Nombre de places"),
    ("places_restantes", "integer", "Places encore libres"),
    ("gratuit", "boolean", "Toujours vrai : un Café IA est gratuit pour le public"),
    ("animateur", "string", "Nom public de l'animateur·rice"),
    ("cafe_url", "string", "Adresse de la page du café"),
]
CONSTRAINTS = {
    "id": {"required": True, "unique": True},
    "titre": {"required": True, "maxLength": 120},
    "date": {"required": True},
    "format": {"required": True, "enum": ["presentiel", "en_ligne", "hybride"]},
    "animation": {"enum": ["recette", "mallette", "autre"]},
    "capacite": {"minimum": 1},
    "places_restantes": {"minimum": 0},
}

SCHEMA = {
    "name": "agenda-cafes-ia",
    "title": "Agenda des Cafés IA à venir",
    "description": "Les Cafés IA annoncés par des animateurs et animatrices certifiés, à venir. "
    "Aucune donnée sur les participants. Dans le CSV, une cellule qui commencerait par =, +, "
    "-, @, une tabulation ou un retour chariot est précédée d'une apostrophe.",
    "licenses": [
        {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0", "path": LICENCE_URL}
    ],
    "primaryKey": ["id"],
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
