"""Question banks: one YAML file per module in quizzes/banks/, checked when loaded.

A bank holds a pool of questions, each tagged with an objective; an attempt draws `draw` of them
covering every objective (quizzes/draw.py). A mistake raises BankError naming the file, the
question and the field.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from lms import yamltext
from lms.typography import typeset_fields

KINDS = ("single", "multiple", "truefalse", "ordering", "classification", "matching")
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The texts a learner reads get French typography when the bank is loaded.
SHOWN = frozenset({"title", "label", "prompt", "text", "feedback", "match", "explanation"})


class BankError(ValueError):
    def __init__(self, path: Path, question: str | None, field_name: str, message: str):
        where = f"question « {question} », " if question else ""
        super().__init__(f"{path} : {where}champ « {field_name} » : {message}")


@dataclass(frozen=True)
class Option:
    """A choice, an item to order or classify, a category, or a pair to match."""

    id: str
    text: str  # a pair's left-hand prompt
    correct: bool = False  # single, multiple
    category: str | None = None  # classification items
    feedback: str = ""  # single, multiple: why this choice is right or wrong
    match: str | None = None  # matching: the text to associate with the prompt


@dataclass(frozen=True)
class Objective:
    id: str
    label: str


@dataclass
class Question:
    id: str
    kind: str
    prompt: str
    explanation: str
    choices: list[Option] = field(default_factory=list)  # single, multiple
    answer: bool | None = None  # truefalse
    items: list[Option] = field(
        default_factory=list
    )  # ordering (in the right order), classification
    categories: list[Option] = field(default_factory=list)  # classification
    pairs: list[Option] = field(default_factory=list)  # matching
    objective: str | None = None
    situation: bool = False

    @property
    def shuffled(self) -> list[Option]:
        """What is shown in an order drawn per attempt: everything but true/false."""
        return self.choices or self.items or self.pairs

    @property
    def targets(self) -> list[Option]:
        """What each item is put into, also in an order drawn per attempt: the categories of a
        classification, the matches of a matching (a pair stands for its own match)."""
        return self.categories or self.pairs

    def option(self, option_id: str) -> Option | None:
        return next((o for o in [*self.shuffled, *self.categories] if o.id == option_id), None)


@dataclass
class Quiz:
    module_slug: str
    title: str
    questions: list[Question]
    path: Path
    draw: int = 0  # questions per attempt; a bank without `draw` asks them all
    objectives: list[Objective] = field(default_factory=list)

    def __post_init__(self):
        self.draw = self.draw or len(self.questions)

    def objective(self, objective_id: str | None) -> Objective | None:
        return next((o for o in self.objectives if o.id == objective_id), None)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


class _Reader:
    """Reads one bank file, remembering where it is for the error messages."""

    def __init__(self, path: Path):
        self.path, self.question = path, None

    def fail(self, field_name: str, message: str):
        raise BankError(self.path, self.question, field_name, message)

    def get(self, data, name: str, kind: type):
        value = data.get(name) if isinstance(data, dict) else None
        if value is None or value == "" or value == []:
            self.fail(name, "obligatoire et manquant")
        if not isinstance(value, kind):
            self.fail(name, f"doit être de type {kind.__name__}")
        return value

    def ident(self, data, name: str = "id") -> str:
        value = str(self.get(data, name, str | int))
        if not ID.match(value):
            self.fail(name, f"« {value} » : minuscules, chiffres et tirets seulement")
        return value

    def text(self, data, name: str) -> str:
        """An optional text: absent is empty, anything else must be a text."""
        value = data.get(name) if isinstance(data, dict) else None
        if value is not None and not isinstance(value, str):
            self.fail(name, "doit être de type str")
        return (value or "").strip()

    def options(self, data, name: str, text_field: str = "text") -> list[Option]:
        options = []
        for raw in self.get(data, name, list):
            option = Option(
                id=self.ident(raw),
                text=self.get(raw, text_field, str),
                correct=raw.get("correct") is True,
                category=raw.get("category"),
                feedback=self.text(raw, "feedback"),
                match=self.text(raw, "match") or None,
            )
            if option.id in {o.id for o in options}:
                self.fail(name, f"l'identifiant « {option.id} » apparaît deux fois")
            options.append(option)
        return options

    def question_from(self, data) -> Question:
        self.question = self.ident(data)
        kind = self.get(data, "kind", str)
        if kind not in KINDS:
            self.fail("kind", f"« {kind} » n'est pas un type connu ({', '.join(KINDS)})")
        question = Question(
            id=self.question,
            kind=kind,
            prompt=self.get(data, "prompt", str),
            explanation=self.get(data, "explanation", str),
            objective=self.text(data, "objective") or None,
            situation=data.get("situation") is True,
        )
        if "situation" in data and not isinstance(data["situation"], bool):
            self.fail("situation", "doit être de type bool")
        getattr(self, f"_read_{kind}")(question, data)
        return question

    def _read_single(self, question, data):
        question.choices = self.options(data, "choices")
        if sum(o.correct for o in question.choices) != 1:
            self.fail("choices", "une question à choix unique a exactement une bonne réponse")

    def _read_multiple(self, question, data):
        question.choices = self.options(data, "choices")
        right = sum(o.correct for o in question.choices)
        if right < 2 or right == len(question.choices):
            self.fail("choices", "il faut au moins deux bonnes réponses et au moins une mauvaise")

    def _read_truefalse(self, question, data):
        question.answer = self.get(data, "answer", bool)

    def _read_ordering(self, question, data):
        question.items = self.options(data, "items")
        if len(question.items) < 3:
            self.fail("items", "il faut au moins trois éléments à ordonner")

    def _read_classification(self, question, data):
        question.categories = self.options(data, "categories", "label")
        question.items = self.options(data, "items")
        known = {c.id for c in question.categories}
        for item in question.items:
            if item.category not in known:
                self.fail(
                    "items", f"l'élément « {item.id} » a une catégorie inconnue ({item.category})"
                )

    def _read_matching(self, question, data):
        question.pairs = self.options(data, "pairs", "prompt")
        if len(question.pairs) < 3:
            self.fail("pairs", "il faut au moins trois paires à associer")
        matches = [pair.match for pair in question.pairs]
        if None in matches:
            self.fail("pairs", "chaque paire a un champ « match » (le texte à associer)")
        if len(set(matches)) != len(matches):
            self.fail("pairs", "deux paires ont le même texte à associer")

    def objectives(self, data) -> list[Objective]:
        if "objectives" not in data:
            return []
        objectives = []
        for raw in self.get(data, "objectives", list):
            objective = Objective(self.ident(raw), self.get(raw, "label", str))
            if objective.id in {o.id for o in objectives}:
                self.fail("objectives", f"l'objectif « {objective.id} » apparaît deux fois")
            objectives.append(objective)
        return objectives

    def check_objectives(self, objectives: list[Objective], questions: list[Question]) -> None:
        """Declared objectives: every question names one, and each is asked by a question."""
        known = {o.id for o in objectives}
        for question in questions:
            self.question = question.id
            listed = ", ".join(sorted(known))
            if question.objective is None:
                self.fail("objective", f"obligatoire quand le quiz a des objectifs ({listed})")
            if question.objective not in known:
                self.fail(
                    "objective",
                    f"« {question.objective} » n'est pas un objectif du quiz ({listed})",
                )
        self.question = None
        for objective in objectives:
            if not any(q.objective == objective.id for q in questions):
                self.fail("objectives", f"aucune question ne porte sur « {objective.id} »")

    def draw(self, data, questions: list[Question], objectives: list[Objective]) -> int:
        if "draw" not in data:
            return len(questions)
        draw = data["draw"]
        if not isinstance(draw, int) or isinstance(draw, bool) or draw < 1:
            self.fail("draw", "doit être un nombre entier positif")
        if draw > len(questions):
            self.fail("draw", f"{draw} questions par tentative, mais {len(questions)} dans le quiz")
        if draw < len(objectives):
            self.fail("draw", f"{draw} questions ne couvrent pas les {len(objectives)} objectifs")
        return draw


def load_quiz(path: Path) -> Quiz:
    reader = _Reader(path)
    try:
        data = typeset_fields(yamltext.safe_load(path.read_text(encoding="utf-8")), SHOWN)
    except (yamltext.YAMLError, UnicodeDecodeError) as error:
        reader.fail("fichier", f"YAML illisible ({error})")
    questions = []
    for index, raw in enumerate(reader.get(data, "questions", list), start=1):
        reader.question = f"n° {index}"  # until its id is read, a question is named by its place
        questions.append(reader.question_from(raw))
    reader.question = None
    seen = set()
    for question in questions:
        if question.id in seen:
            reader.fail("id", f"la question « {question.id} » apparaît deux fois")
        seen.add(question.id)
    objectives = reader.objectives(data)
    if objectives:
        reader.check_objectives(objectives, questions)
    return Quiz(
        module_slug=reader.ident(data, "module"),
        title=reader.get(data, "title", str),
        questions=questions,
        path=path,
        draw=reader.draw(data, questions, objectives),
        objectives=objectives,
    )


def load_banks(root: Path) -> dict[str, Quiz]:
    quizzes = {}
    for path in sorted(root.glob("*.yaml")):
        quiz = load_quiz(path)
        if quiz.module_slug in quizzes:
            raise BankError(path, None, "module", f"« {quiz.module_slug} » a déjà un quiz")
        quizzes[quiz.module_slug] = quiz
    return quizzes
