"""Sorting the tasks of a job: the learner puts each of Sandrine's tasks (the lesson's
secrétaire de mairie) in « automatisable », « augmentée » or « humaine »; the server answers
task by task, with the reason."""

from dataclasses import dataclass

from . import Manipulation, refuse, register

CATEGORIES = {
    "automatisable": "Automatisable",
    "augmentee": "Augmentée",
    "humaine": "Humaine",
}


@dataclass(frozen=True)
class Task:
    key: str
    text: str
    expected: str
    why: str


TASKS = [
    Task(
        "rappel",
        "Envoyer à chaque locataire de la salle des fêtes le même rappel, une semaine avant "
        "la location",
        "automatisable",
        "Une règle fixe (une date, un modèle de courriel) suffit : un envoi programmé le fait "
        "seul, il reste à vérifier de temps en temps qu’il part bien.",
    ),
    Task(
        "compte-rendu",
        "Rédiger le compte rendu du conseil municipal à partir de ses notes de séance",
        "augmentee",
        "Un outil peut proposer un premier jet, mais Sandrine relit, corrige et en répond : "
        "l’outil aide, la personne décide.",
    ),
    Task(
        "deuil",
        "Accueillir au guichet une habitante qui vient déclarer le décès de son mari",
        "humaine",
        "Écouter, prendre le temps, rassurer : cette tâche tient à la présence et à la "
        "confiance, aucun outil ne la fait à sa place.",
    ),
    Task(
        "courrier",
        "Écrire à un habitant pour lui expliquer pourquoi sa demande ne peut pas aboutir",
        "augmentee",
        "Un outil peut aider à formuler, mais le fond, le ton et la connaissance de la "
        "situation restent ceux de Sandrine, qui signe.",
    ),
    Task(
        "formulaire",
        "Aider un administré âgé à comprendre un formulaire d’urbanisme",
        "humaine",
        "Il faut saisir ce que la personne ne comprend pas et lui expliquer avec ses mots : "
        "c’est de l’accompagnement, pas de la production de texte.",
    ),
    Task(
        "etat-civil",
        "Enregistrer un acte de naissance et en vérifier chaque mention",
        "augmentee",
        "Un logiciel peut aider à la saisie et signaler une incohérence, mais l’acte engage "
        "une responsabilité juridique : il reste sous le contrôle d’une personne habilitée.",
    ),
]


@dataclass(frozen=True)
class Answer:
    task: Task
    given: str | None

    @property
    def right(self) -> bool:
        return self.given == self.task.expected


def state(fields, params) -> dict:
    answers = []
    for task in TASKS:
        given = fields.get(task.key) or None
        if given is not None and given not in CATEGORIES:
            refuse("Une tâche a reçu une catégorie qui n’existe pas.")
        answers.append(Answer(task, given))
    checked = fields.get("verifier") is not None
    return {
        "answers": answers,
        "categories": CATEGORIES,
        "checked": checked,
        "right": sum(answer.right for answer in answers),
        "unanswered": sum(answer.given is None for answer in answers),
    }


register(Manipulation(name="tri-des-taches", template="taches.html", state=state))
