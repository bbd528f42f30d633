"""The Table Schema (frictionless) of /annuaire.csv and /annuaire.json: column names are stable."""

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

FIELDS = [
    ("nom_affiche", "string", "Nom choisi par l'animateur·rice pour l'annuaire"),
    ("structure", "string", "Structure où il ou elle exerce"),
    ("commune", "string", "Commune où il ou elle anime"),
    ("departement", "string", "Code officiel du département (01 à 95, 2A, 2B, 971 à 976)"),
    ("departement_nom", "string", "Nom du département"),
    ("region", "string", "Région du département"),
    ("formats", "string", "Formats proposés, séparés par « ; » : presentiel, en_ligne"),
    ("publics", "string", "Publics, séparés par « ; »"),
    ("presentation", "string", "Présentation libre (texte simple, 600 caractères au plus)"),
    ("contact", "string", "Mode de contact : relais (formulaire), email ou telephone"),
    ("email_public", "string", "Adresse publiée, seulement si l'animateur·rice l'a choisi"),
    ("telephone_public", "string", "Téléphone publié, seulement si l'animateur·rice l'a choisi"),
    ("fiche_url", "string", "Adresse de la fiche publique"),
    ("mise_a_jour", "date", "Date de la dernière mise à jour de la fiche"),
]

SCHEMA = {
    "name": "annuaire-animateurs-cafe-ia",
    "title": "Annuaire des animateurs et animatrices Café IA",
    "description": "Fiches publiées avec l'accord explicite de chaque animateur·rice certifié·e. "
    "Dans le CSV, une cellule qui commencerait par =, +, -, @, une tabulation ou un retour "
    "chariot est précédée d'une apostrophe.",
    "licenses": [
        {
            "name": "etalab-2.0",
            "title": "Licence Ouverte / Open Licence 2.0",
            "path": LICENCE_URL,
        }
    ],
    "fields": [{"name": name, "type": kind, "description": text} for name, kind, text in FIELDS],
}
