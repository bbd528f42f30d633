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


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        (
            "m1/01-lecon-1.md",
            'title: "Leçon 1"\n',
            "",
            "01-lecon-1.md : champ « title » : obligatoire",
        ),
        (
            "m1/01-lecon-1.md",
            "duration_minutes: 5",
            "duration_minutes: cinq",
            "« duration_minutes » : doit être un nombre entier",
        ),
        ("m1/01-lecon-1.md", "slug: lecon-1", "slug: Leçon Une", "« slug » : « Leçon Une »"),
        (
            "m1/01-lecon-1.md",
            "slug: lecon-1",
            "slug: lecon-2",
            "« slug » : « lecon-2 » est déjà utilisé",
        ),
        ("m1/02-lecon-2.md", "order: 2", "order: 1", "« order » : « 1 » est déjà utilisé"),
        (
            "m1/01-lecon-1.md",
            'url: "https://example.org"',
            'url: "http://example.org"',
            "« sources[1].url » : doit commencer par https://",
        ),
        (
            "m1/01-lecon-1.md",
            '  - {title: "Source", publisher: "Éditeur", year: 2024, url: "https://example.org"}',
            "  - {title: Source}",
            "« sources[1].publisher » : obligatoire",
        ),
        ("m1/01-lecon-1.md", "objectives:", "objectifs:", "« objectives » : obligatoire"),
        (
            "m1/01-lecon-1.md",
            'title: "Leçon 1"',
            "title: [oups",
            "« front matter » : YAML illisible",
        ),
        (
            "m1/01-lecon-1.md",
            "Texte de la leçon 1.",
            "Voir [la suite](lecon:module-un/inexistante).",
            "lecon:module-un/inexistante ne mène à aucune leçon",
        ),
        (
            "m2/module.yaml",
            "slug: module-deux",
            "slug: module-un",
            "« slug » : « module-un » est déjà utilisé",
        ),
        ("m2/module.yaml", "order: 2", "order: 1", "« order » : « 1 » est déjà utilisé"),
        (
            "m2/module.yaml",
            'summary: "Résumé un."',
            "",
            "module.yaml : champ « summary » : obligatoire",
        ),
    ],
)
def test_each_mistake_is_named(tree, file, old, new, message):
    edit(tree / file, old, new)
    with pytest.raises(ContentError) as error:
        load_catalogue(tree)
    assert message in str(error.value)
    assert str(tree / file).split("/content/")[0] in str(error.value)


def test_a_module_without_lessons_or_manifest_is_refused(tree):
    for lesson in (tree / "m2").glob("*.md"):
        lesson.unlink()
    with pytest.raises(ContentError, match="aucune leçon"):
        load_catalogue(tree)
    (tree / "m2" / "module.yaml").unlink()
    with pytest.raises(ContentError, match="module.yaml.*manquant"):
        load_catalogue(tree)


def test_a_broken_module_stops_the_platform_at_start_up(tree, database_uri):
    from lms import create_app
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
