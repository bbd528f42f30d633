"""Bank files are checked when loaded: the error names the file, the question and the field."""

import shutil

import pytest

from quizzes.bank import BankError, load_banks
from tests.conftest import FIXTURE_BANKS


@pytest.fixture
def bank(tmp_path):
    shutil.copy(FIXTURE_BANKS / "module-un.yaml", tmp_path / "module-un.yaml")
    return tmp_path / "module-un.yaml"


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "kind: single",
            "kind: devinette",
            "question « capitale », champ « kind » : « devinette » n'est pas un type connu",
        ),
        (
            '    explanation: "Paris est la capitale."\n',
            "",
            "question « capitale », champ « explanation » : obligatoire",
        ),
        (
            '{id: lyon, text: "Lyon"}',
            '{id: lyon, text: "Lyon", correct: true}',
            "exactement une bonne réponse",
        ),
        (
            '{id: quatre, text: "4", correct: true}',
            '{id: quatre, text: "4"}',
            "au moins deux bonnes réponses",
        ),
        (
            "answer: true",
            "answer: peut-être",
            "question « turc », champ « answer » : doit être de type bool",
        ),
        (
            '{id: cuire, text: "Cuire"}',
            '{id: melanger, text: "Cuire"}',
            "« melanger » apparaît deux fois",
        ),
        ("category: oui", "category: bof", "catégorie inconnue (bof)"),
        ("id: pairs", "id: capitale", "la question « capitale » apparaît deux fois"),
        ("id: pairs", "id: Paires!", "« Paires! » : minuscules"),
        ("module: module-un", "module: module-inconnu", None),
    ],
)
def test_each_mistake_is_named(bank, old, new, message, app):
    edit(bank, old, new)
    if message is None:  # a quiz for a module that does not exist stops the app
        from lms import create_app
        from tests.conftest import make_config

        with pytest.raises(BankError, match="module-inconnu.*n'est pas un module"):
            create_app(
                make_config(app.config["SQLALCHEMY_DATABASE_URI"], QUIZ_BANKS=str(bank.parent))
            )
        return
    with pytest.raises(BankError) as error:
        load_banks(bank.parent)
    assert message in str(error.value) and "module-un.yaml" in str(error.value)


def test_two_banks_for_one_module_are_refused(bank):
    shutil.copy(bank, bank.parent / "copie.yaml")
    with pytest.raises(BankError, match="a déjà un quiz"):
        load_banks(bank.parent)
