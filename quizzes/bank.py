"""Question banks: one YAML file per module in quizzes/banks/, checked when loaded.

A mistake raises BankError naming the file, the question and the field.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

KINDS = ("single", "multiple", "truefalse", "ordering", "classification")
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class BankError(ValueError):
    def __init__(self, path: Path, question: str | None, field_name: str, message: str):
        where = f"question « {question} », " if question else ""
        super().__init__(f"{path} : {where}champ « {field_name} » : {message}")


@dataclass(frozen=True)
class Option:
    """A choice, an item to order or classify, or a category."""

    id: str
    text: str
    correct: bool = False  # single, multiple
    category: str | None = None  # classification items


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

    @property
    def shuffled(self) -> list[Option]:
        """What is shown in an order drawn per attempt: everything but true/false."""
        return self.choices or self.items

    def in_order(self, ids: list[str]) -> list[Option]:
        """The options in the order an attempt showed them (the bank's own if it changed since)."""
        by_id = {option.id: option for option in self.shuffled}
        return [by_id[i] for i in ids] if set(ids) == set(by_id) else self.shuffled

    def option(self, option_id: str) -> Option | None:
        return next((o for o in [*self.shuffled, *self.categories] if o.id == option_id), None)


@dataclass
class Quiz:
    module_slug: str
    title: str
    questions: list[Question]
    path: Path

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

    def options(self, data, name: str, text_field: str = "text") -> list[Option]:
        options = []
        for raw in self.get(data, name, list):
            option = Option(
                id=self.ident(raw),
                text=self.get(raw, text_field, str),
                correct=raw.get("correct") is True,
                category=raw.get("category"),
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
        )
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


def load_quiz(path: Path) -> Quiz:
    reader = _Reader(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
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
    return Quiz(
        module_slug=reader.ident(data, "module"),
        title=reader.get(data, "title", str),
        questions=questions,
        path=path,
    )


def load_banks(root: Path) -> dict[str, Quiz]:
    quizzes = {}
    for path in sorted(root.glob("*.yaml")):
        quiz = load_quiz(path)
        if quiz.module_slug in quizzes:
            raise BankError(path, None, "module", f"« {quiz.module_slug} » a déjà un quiz")
        quizzes[quiz.module_slug] = quiz
    return quizzes
