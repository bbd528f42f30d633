"""A cohort's export: one line per learner, the same columns in CSV and in XLSX."""

from certificates import status
from courses import progress
from lms.exports import csv_response, xlsx_response

from . import dashboard

EXPORT_COLUMNS = [
    "nom",
    "prenom",
    "email",
    "structure",
    "departement",
    "statut",
    "lecons_terminees",
    *[f"module_{i}" for i in range(1, 5)],
    *[f"quiz_{i}" for i in range(1, 5)],
    "positionnement_initial",
    "positionnement_final",
    "derniere_activite",
]
# How the XLSX shows each column: the quiz scores are percentages, the self-assessments 1 to 5.
KINDS = [
    *["text"] * 6,
    "count",
    *["text"] * 4,
    *["share"] * 4,
    "count",
    "count",
    "date",
]


def _export_rows(cohort) -> list[dict]:
    modules = progress.catalogue().modules
    states = {"done": "terminé", "in_progress": "en cours", "not_started": "pas commencé"}
    result = []
    for row in dashboard.arrange(dashboard.load(cohort), "", "nom", False):
        line = {
            "nom": row.user.last_name,
            "prenom": row.user.first_name,
            "email": row.user.email,
            "structure": row.user.structure,
            "departement": row.user.departement_code,
            "statut": status.LABELS[row.status],
            "lecons_terminees": row.lessons_done,
            "positionnement_initial": row.initial,
            "positionnement_final": row.final,
            "derniere_activite": row.last_activity.date() if row.last_activity else None,
        }
        for i, module in enumerate(modules[:4], start=1):
            line[f"module_{i}"] = states[row.modules.get(module.slug, "not_started")]
            line[f"quiz_{i}"] = row.best.get(module.slug, "")
        result.append(line)
    return result


def as_csv(cohort):
    return csv_response(EXPORT_COLUMNS, _export_rows(cohort), f"cohorte-{cohort.id}.csv")


def as_xlsx(cohort):
    rows = ([row.get(column) for column in EXPORT_COLUMNS] for row in _export_rows(cohort))
    return xlsx_response(
        f"cohorte-{cohort.id}.xlsx", EXPORT_COLUMNS, rows, sheet="Cohorte", kinds=KINDS
    )
