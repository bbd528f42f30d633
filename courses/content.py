"""Loading the training content: modules (module.yaml) and lessons (Markdown with front matter).

Everything is checked at load time; a mistake raises ContentError naming the file and the field,
so a broken module stops the platform at start-up instead of showing a broken page.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter

from lms import yamltext
from lms.typography import typeset, typeset_fields

from . import activities

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
INTERNAL_LINK = re.compile(r"\]\(lecon:([a-z0-9-]+)/([a-z0-9-]+)(#[\w-]*)?\)")
WORDS_PER_MINUTE = 200


class ContentError(ValueError):
    def __init__(self, path: Path, field_name: str, message: str):
        super().__init__(f"{path} : champ « {field_name} » : {message}")


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    year: int
    url: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass
class Lesson:
    module_slug: str
    slug: str
    order: int
    title: str
    duration_minutes: int
    objectives: list[str]
    sources: list[Source]
    further_reading: list[Link]
    body: str
    path: Path
    html: str | None = field(default=None, repr=False)  # rendered once, on first view
    blocks: list = field(default_factory=list)  # its activity blocks (courses.activities)

    @property
    def reading_minutes(self) -> int:
        return max(1, round(len(self.body.split()) / WORDS_PER_MINUTE))


@dataclass(frozen=True)
class Word:
    term: str
    meaning: str


@dataclass
class Sheet:
    """A module's essentials on one printable page (fiche.yaml beside module.yaml)."""

    key_ideas: list[str]
    words: list[Word]
    debate_question: str
    sources: list[Source]
    path: Path
    pdf: bytes | None = field(default=None, repr=False)  # drawn once, on first request


@dataclass
class Module:
    slug: str
    order: int
    title: str
    summary: str
    objectives: list[str]
    licence: str
    attribution: str
    path: Path
    lessons: list[Lesson] = field(default_factory=list)
    sheet: Sheet | None = None

    @property
    def duration_minutes(self) -> int:
        return sum(lesson.duration_minutes for lesson in self.lessons)

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)


@dataclass
class Catalogue:
    modules: list[Module]

    def module(self, slug: str) -> Module | None:
        return next((module for module in self.modules if module.slug == slug), None)

    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]


# --- field checks ------------------------------------------------------------------------------

TYPE_NAMES = {str: "un texte", int: "un nombre entier", list: "une liste"}


def _require(data: dict, path: Path, name: str, kind: type, label: str | None = None):
    value, label = data.get(name), label or name
    if value is None or value == "" or value == []:
        raise ContentError(path, label, "obligatoire et manquant")
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ContentError(path, label, f"doit être {TYPE_NAMES[kind]}")
    return value


def _slug(data: dict, path: Path) -> str:
    slug = _require(data, path, "slug", str)
    if not SLUG.match(slug):
        raise ContentError(path, "slug", f"« {slug} » : minuscules, chiffres et tirets seulement")
    return slug


def _texts(data: dict, path: Path, name: str) -> list[str]:
    values = _require(data, path, name, list)
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise ContentError(path, name, "chaque élément doit être un texte non vide")
    return values


def _records(data: dict, path: Path, name: str, cls, fields: dict[str, type]) -> list:
    records = []
    linked = "url" in fields
    for index, item in enumerate(_require(data, path, name, list), start=1):
        if not isinstance(item, dict):
            raise ContentError(
                path, f"{name}[{index}]", f"doit être un ensemble de champs ({', '.join(fields)})"
            )
        values = {
            key: _require(item, path, key, kind, f"{name}[{index}].{key}")
            for key, kind in fields.items()
        }
        if linked and not str(values["url"]).startswith("https://"):
            raise ContentError(path, f"{name}[{index}].url", "doit commencer par https://")
        records.append(cls(**values))
    return records


# --- loading -----------------------------------------------------------------------------------


def load_lesson(path: Path, module_slug: str) -> Lesson:
    try:
        post = frontmatter.load(path)
    except (yamltext.YAMLError, UnicodeDecodeError) as error:
        raise ContentError(path, "front matter", f"YAML illisible ({error})") from None
    data = post.metadata
    try:  # the body keeps a placeholder where each block was
        body, blocks = activities.parse(post.content)
    except ValueError as error:
        raise ContentError(path, "activités", str(error)) from None
    lesson = Lesson(
        module_slug=module_slug,
        slug=_slug(data, path),
        order=_require(data, path, "order", int),
        title=_require(data, path, "title", str),
        duration_minutes=_require(data, path, "duration_minutes", int),
        objectives=_texts(data, path, "objectives"),
        sources=_records(
            data, path, "sources", Source, {"title": str, "publisher": str, "year": int, "url": str}
        ),
        further_reading=_records(data, path, "further_reading", Link, {"title": str, "url": str}),
        body=body,
        path=path,
        blocks=blocks,
    )
    if not lesson.body.strip():
        raise ContentError(path, "contenu", "la leçon est vide")
    return lesson


def load_module(directory: Path) -> Module:
    path = directory / "module.yaml"
    if not path.exists():
        raise ContentError(path, "module.yaml", "fichier manquant")
    data = _read_manifest(path)
    module = Module(
        slug=_slug(data, path),
        order=_require(data, path, "order", int),
        title=_require(data, path, "title", str),
        summary=_require(data, path, "summary", str),
        objectives=_texts(data, path, "objectives"),
        licence=_require(data, path, "licence", str),
        attribution=_require(data, path, "attribution", str),
        path=path,
    )
    module.lessons = sorted(
        (load_lesson(p, module.slug) for p in sorted(directory.glob("*.md"))),
        key=lambda lesson: lesson.order,
    )
    if not module.lessons:
        raise ContentError(path, "leçons", "le module n'a aucune leçon")
    if (directory / SHEET_FILE).exists():
        module.sheet = load_sheet(directory / SHEET_FILE)
    _unique(module.lessons, "slug")
    _unique(module.lessons, "order")
    return module


SHEET_FILE = "fiche.yaml"
# What fits on one A4 page, with the sources, in a size that can be read once printed.
SHEET_LIMITS = {"key_ideas": (3, 6), "words": (3, 6), "sources": (2, 5)}


# The sheet's texts are shown as they are (no Markdown): French typography is applied here.
SHEET_TEXTS = frozenset({"term", "meaning", "debate_question", "title"})


def load_sheet(path: Path) -> Sheet:
    data = typeset_fields(_read_manifest(path), SHEET_TEXTS)
    sheet = Sheet(
        key_ideas=[typeset(idea) for idea in _texts(data, path, "key_ideas")],
        words=_records(data, path, "words", Word, {"term": str, "meaning": str}),
        debate_question=_require(data, path, "debate_question", str),
        sources=_records(
            data, path, "sources", Source, {"title": str, "publisher": str, "year": int, "url": str}
        ),
        path=path,
    )
    for name, (least, most) in SHEET_LIMITS.items():
        if not least <= len(getattr(sheet, name)) <= most:
            raise ContentError(
                path, name, f"entre {least} et {most} éléments pour tenir sur une page"
            )
    return sheet


def _read_manifest(path: Path) -> dict:
    try:
        data = yamltext.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yamltext.YAMLError, UnicodeDecodeError) as error:
        raise ContentError(path, path.name, f"YAML illisible ({error})") from None
    # A list or a bare text would otherwise fail later with an AttributeError naming no file.
    if not isinstance(data, dict):
        raise ContentError(path, path.name, "doit être un ensemble de champs (clé: valeur)")
    return data


def _unique(items, name: str) -> None:
    seen = {}
    for item in items:
        value = getattr(item, name)
        if value in seen:
            raise ContentError(item.path, name, f"« {value} » est déjà utilisé par {seen[value]}")
        seen[value] = item.path


def _check_links(catalogue: Catalogue) -> None:
    for lesson in catalogue.lessons():
        for module_slug, lesson_slug, _ in INTERNAL_LINK.findall(lesson.body):
            module = catalogue.module(module_slug)
            if not module or not module.lesson(lesson_slug):
                raise ContentError(
                    lesson.path, "lien", f"lecon:{module_slug}/{lesson_slug} ne mène à aucune leçon"
                )


def load_catalogue(root: Path) -> Catalogue:
    """Every module folder under root, in their declared order, all checked."""
    modules = [load_module(d) for d in sorted(root.iterdir()) if d.is_dir()]
    _unique(modules, "slug")
    _unique(modules, "order")
    catalogue = Catalogue(sorted(modules, key=lambda module: module.order))
    _check_links(catalogue)
    return catalogue
