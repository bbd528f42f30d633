"""The floors of the code: a package imports only from its own floor and those below.

lms is the platform; each feature builds on the ones below it; cafeia composes them all.
annuaire and cohorts share a floor and must not import each other. An import that runs
upwards (even inside a function) is what this test refuses: a lower package reaches a
higher one through lms.hooks instead.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FLOORS = {
    "lms": 0,
    "courses": 1,
    "proconnect": 1,  # the sign-in with ProConnect needs only the platform
    "quizzes": 2,
    "certificates": 3,
    "annuaire": 4,
    "cohorts": 4,
    "cafes": 5,  # the agenda: builds on certificates and the annuaire
    "lti": 5,  # LTI 1.3: builds on cohorts and certificates
    "stats": 6,
    "referents": 6,  # local référents: a territory's cafés and animateurs (cafes, annuaire)
    "cafeia": 7,
}


def modules() -> list[Path]:
    return sorted(path for package in FLOORS for path in (ROOT / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    """Top-level packages a module imports, relative imports resolved to its own package."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & FLOORS.keys()


def violations(path: Path, root: Path = ROOT) -> list[str]:
    own = path.relative_to(root).parts[0]
    return [
        package
        for package in sorted(imported_packages(path))
        if package != own and FLOORS[package] >= FLOORS[own]
    ]


def test_every_package_is_walked():
    walked = {path.relative_to(ROOT).parts[0] for path in modules()}
    assert walked == FLOORS.keys()


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_import_runs_upwards(path):
    assert violations(path) == [], f"{path.relative_to(ROOT)} imports from a floor above"


def test_the_walk_sees_an_upward_import(tmp_path):
    """The check itself can fail: a platform module importing a feature, even late, is refused."""
    module = tmp_path / "lms" / "bad.py"
    module.parent.mkdir()
    module.write_text("def f():\n    from cohorts import services\n", encoding="utf-8")
    assert violations(module, tmp_path) == ["cohorts"]


def test_annuaire_and_cohorts_do_not_import_each_other(tmp_path):
    module = tmp_path / "annuaire" / "bad.py"
    module.parent.mkdir()
    module.write_text("import cohorts.services\nfrom lms import hooks\n", encoding="utf-8")
    assert violations(module, tmp_path) == ["cohorts"]
