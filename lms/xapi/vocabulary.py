"""The xAPI vocabulary of the platform: verbs, activity types and extensions, in one place."""

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
CMI5 = "https://w3id.org/xapi/cmi5/"

# name: (IRI, display fr-FR, display en-US)
VERBS = {
    name: (ADL_VERBS + name, fr, name)
    for name, fr in {
        "registered": "s'est inscrit·e à",
        "launched": "a lancé",
        "initialized": "a commencé",
        "experienced": "a consulté",
        "progressed": "a progressé dans",
        "completed": "a terminé",
        "answered": "a répondu à",
        "attempted": "a tenté",
        "passed": "a réussi",
        "failed": "a échoué à",
        "terminated": "a quitté",
        "voided": "a annulé",
    }.items()
}
VERBS["earned"] = ("http://id.tincanapi.com/verb/earned", "a obtenu", "earned")
# The cafés an animateur announces, cancels and holds: Activity Streams 1.0 verbs.
ACTIVITY_STREAMS = "http://activitystrea.ms/schema/1.0/"
VERBS["schedule"] = (ACTIVITY_STREAMS + "schedule", "a annoncé", "scheduled")
VERBS["cancel"] = (ACTIVITY_STREAMS + "cancel", "a annulé", "cancelled")
VERBS["host"] = (ACTIVITY_STREAMS + "host", "a animé", "hosted")
# The café's report (compte rendu), its participants as a result extension.
VERBS["submit"] = (ACTIVITY_STREAMS + "submit", "a rendu compte de", "submitted")

ACTIVITY_TYPES = {
    name: ADL_ACTIVITIES + name
    for name in ("course", "module", "lesson", "assessment", "cmi.interaction", "meeting")
}

# cmi5 defines these; where it says nothing (the cohort), the IRI is the platform's own.
EXTENSIONS = {
    "masteryscore": CMI5 + "context/extensions/masteryscore",
    "progress": CMI5 + "result/extensions/progress",
    "reason": CMI5 + "result/extensions/reason",
}

XAPI_VERSION = "1.0.3"
PLATFORM = "Café IA Formation"


def verb_label(iri: str) -> str:
    """The French display of a verb IRI, for pages that narrate activity."""
    return next((fr for v_iri, fr, _ in VERBS.values() if v_iri == iri), iri)
