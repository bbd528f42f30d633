"""The content loader: each kind of mistake is named with its file and field."""

import shutil
from pathlib import Path

import pytest

from courses.content import ContentError, load_catalogue

FIXTURE = Path(__file__).parent / "fixture_content"


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_fixture_loads_in_order(tree):
    catalogue = load_catalogue(tree)
    assert [m.slug for m in catalogue.modules] == ["module-un", "module-deux"]
    module = catalogue.modules[0]
    assert [lesson.slug for lesson in module.lessons] == ["lecon-1", "lecon-2"]
    assert module.duration_minutes == 10
    assert module.lessons[0].sources[0].year == 2024


LESSON, MODULE = "m1/01-lecon-1.md", "m1/module.yaml"
BODY = (FIXTURE / LESSON).read_text().split("---\n", 2)[2]
SOURCE = '  - {title: "Source", publisher: "Éditeur", year: 2024, url: "https://example.org"}'
FURTHER = '  - {title: "Plus", url: "https://example.org/plus"}'


def refused(tree: Path, file: str, field: str) -> str:
    """The error's text, once checked to start with the file's full path and the field."""
    with pytest.raises(ContentError) as error:
        load_catalogue(tree)
    assert str(error.value).startswith(f"{tree / file} : champ « {field} » : "), error.value
    return str(error.value)


# file edited, old, new, file and field named by the error, message
MISTAKES = [
    (LESSON, 'title: "Leçon 1"\n', "", LESSON, "title", "obligatoire et manquant"),
    (
        LESSON,
        "duration_minutes: 5",
        "duration_minutes: cinq",
        LESSON,
        "duration_minutes",
        "doit être un nombre entier",
    ),
    (LESSON, "slug: lecon-1", "slug: Leçon Une", LESSON, "slug", "« Leçon Une » : minuscules"),
    # Duplicates are reported on the second file, naming the first.
    (
        LESSON,
        "slug: lecon-1",
        "slug: lecon-2",
        "m1/02-lecon-2.md",
        "slug",
        "« lecon-2 » est déjà utilisé par",
    ),
    (
        "m1/02-lecon-2.md",
        "order: 2",
        "order: 1",
        "m1/02-lecon-2.md",
        "order",
        "« 1 » est déjà utilisé par",
    ),
    (LESSON, "order: 1\n", "", LESSON, "order", "obligatoire et manquant"),
    (
        LESSON,
        'url: "https://example.org"',
        'url: "http://example.org"',
        LESSON,
        "sources[1].url",
        "doit commencer par https://",
    ),
    (LESSON, SOURCE, "  - {title: Source}", LESSON, "sources[1].publisher", "obligatoire"),
    (LESSON, "year: 2024", 'year: "2024"', LESSON, "sources[1].year", "doit être un nombre entier"),
    (LESSON, "year: 2024", "year: 2024.5", LESSON, "sources[1].year", "doit être un nombre entier"),
    (
        LESSON,
        SOURCE,
        '  - "Source, Éditeur, 2024"',
        LESSON,
        "sources[1]",
        "doit être un ensemble de champs (title, publisher, year, url)",
    ),
    (
        LESSON,
        f"further_reading:\n{FURTHER}\n",
        "",
        LESSON,
        "further_reading",
        "obligatoire et manquant",
    ),
    (LESSON, FURTHER, '  - {title: "Plus"}', LESSON, "further_reading[1].url", "obligatoire"),
    (LESSON, "objectives:", "objectifs:", LESSON, "objectives", "obligatoire et manquant"),
    (
        LESSON,
        'objectives: ["Savoir 1"]',
        'objectives: ["Savoir 1", " "]',
        LESSON,
        "objectives",
        "chaque élément doit être un texte non vide",
    ),
    (LESSON, 'title: "Leçon 1"', "title: [oups", LESSON, "front matter", "YAML illisible"),
    (LESSON, BODY, "\n   \n", LESSON, "contenu", "la leçon est vide"),
    (
        LESSON,
        "Texte de la leçon 1.",
        "Voir [la suite](lecon:module-un/inexistante).",
        LESSON,
        "lien",
        "lecon:module-un/inexistante ne mène à aucune leçon",
    ),
    (
        "m2/module.yaml",
        "slug: module-deux",
        "slug: module-un",
        "m2/module.yaml",
        "slug",
        "« module-un » est déjà utilisé par",
    ),
    (
        "m2/module.yaml",
        "order: 2",
        "order: 1",
        "m2/module.yaml",
        "order",
        "« 1 » est déjà utilisé par",
    ),
    (MODULE, "order: 1\n", "", MODULE, "order", "obligatoire et manquant"),
    (MODULE, 'summary: "Résumé un."\n', "", MODULE, "summary", "obligatoire et manquant"),
    (
        MODULE,
        'licence: "Licence Ouverte 2.0 (Etalab)"\n',
        "",
        MODULE,
        "licence",
        "obligatoire et manquant",
    ),
    (MODULE, 'attribution: "Équipe"\n', "", MODULE, "attribution", "obligatoire et manquant"),
    (
        MODULE,
        'objectives: ["Comprendre un"]',
        'objectives: [""]',
        MODULE,
        "objectives",
        "chaque élément doit être un texte non vide",
    ),
    (MODULE, 'title: "Module un"', "title: [oups", MODULE, "module.yaml", "YAML illisible"),
    (
        MODULE,
        (FIXTURE / MODULE).read_text(),
        "- Module un\n- module-un\n",
        MODULE,
        "module.yaml",
        "doit être un ensemble de champs (clé: valeur)",
    ),
]


@pytest.mark.parametrize("file, old, new, error_file, field, message", MISTAKES)
def test_each_mistake_names_its_file_and_field(tree, file, old, new, error_file, field, message):
    edit(tree / file, old, new)
    assert message in refused(tree, error_file, field)


def test_a_duplicate_names_both_files(tree):
    edit(tree / LESSON, "slug: lecon-1", "slug: lecon-2")
    assert refused(tree, "m1/02-lecon-2.md", "slug").endswith(f"par {tree / LESSON}")


def test_a_module_without_lessons_or_manifest_is_refused(tree):
    for lesson in (tree / "m2").glob("*.md"):
        lesson.unlink()
    assert "le module n'a aucune leçon" in refused(tree, "m2/module.yaml", "leçons")
    (tree / "m2" / "module.yaml").unlink()
    assert "fichier manquant" in refused(tree, "m2/module.yaml", "module.yaml")


def test_a_broken_module_stops_the_platform_at_start_up(tree, database_uri):
    from cafeia import create_app
    from tests.conftest import make_config

    edit(tree / "m1" / "module.yaml", "order: 1", "order: premier")
    with pytest.raises(ContentError, match="order"):
        create_app(make_config(database_uri, COURSES_CONTENT=str(tree)))


def test_valid_internal_links_are_accepted(tree):
    edit(
        tree / "m1/01-lecon-1.md",
        "Texte de la leçon 1.",
        "Voir [la suite](lecon:module-deux/lecon-2#une-partie).",
    )
    load_catalogue(tree)
