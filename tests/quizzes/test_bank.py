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


def refused(bank, question, field) -> str:
    """The error's text, once checked to name the file's full path, the question and the field."""
    with pytest.raises(BankError) as error:
        load_banks(bank.parent)
    where = f"question « {question} », " if question else ""
    assert str(error.value).startswith(f"{bank} : {where}champ « {field} » : "), error.value
    return str(error.value)


CATEGORIES = """    categories:
      - {id: oui, label: "Je partage"}
      - {id: non, label: "Je ne partage pas"}
"""
LAST_TWO_STEPS = """      - {id: reposer, text: "Laisser reposer"}
      - {id: cuire, text: "Cuire"}
"""

# old, new, question and field named by the error (None: the file itself), message
MISTAKES = [
    ("kind: single", "kind: devinette", "capitale", "kind", "« devinette » n'est pas un type"),
    ('    explanation: "Paris est la capitale."\n', "", "capitale", "explanation", "obligatoire"),
    (
        '    prompt: "Quelle est la capitale de la France ?"\n',
        "",
        "capitale",
        "prompt",
        "obligatoire et manquant",
    ),
    (
        '{id: lyon, text: "Lyon",',
        '{id: lyon, text: "Lyon", correct: true,',
        "capitale",
        "choices",
        "exactement une bonne réponse",
    ),
    (
        '{id: quatre, text: "4", correct: true,',
        '{id: quatre, text: "4",',
        "pairs",
        "choices",
        "au moins deux bonnes réponses",
    ),
    ("answer: true", "answer: peut-être", "turc", "answer", "doit être de type bool"),
    (
        '{id: cuire, text: "Cuire"}',
        '{id: melanger, text: "Cuire"}',
        "crepes",
        "items",
        "« melanger » apparaît deux fois",
    ),
    (LAST_TWO_STEPS, "", "crepes", "items", "il faut au moins trois éléments à ordonner"),
    (CATEGORIES, "", "partage", "categories", "obligatoire et manquant"),
    ("category: oui", "category: bof", "partage", "items", "catégorie inconnue (bof)"),
    ("id: pairs", "id: capitale", None, "id", "la question « capitale » apparaît deux fois"),
    ("id: pairs", "id: Paires!", "n° 2", "id", "« Paires! » : minuscules"),
    ("  - id: pairs\n", "  - pairs\n  - ident: pairs\n", "n° 2", "id", "obligatoire"),
    ('title: "Quiz — Module un"\n', "", None, "title", "obligatoire et manquant"),
    ("questions:", "questionnaire:", None, "questions", "obligatoire et manquant"),
    ('title: "Quiz — Module un"', "title: [oups", None, "fichier", "YAML illisible"),
    # version 2: objectives, draw, matching
    (
        'objective: culture\n    prompt: "Quelle',
        'objective: histoire\n    prompt: "Quelle',
        "capitale",
        "objective",
        "« histoire » n'est pas un objectif du quiz",
    ),
    (
        '    objective: calcul\n    prompt: "Quels nombres sont pairs',
        '    prompt: "Quels nombres sont pairs',
        "pairs",
        "objective",
        "obligatoire quand le quiz a des objectifs",
    ),
    (
        '  - {id: pratique, label: "Mettre en pratique"}\n',
        '  - {id: pratique, label: "Mettre en pratique"}\n  - {id: vide, label: "Rien"}\n',
        None,
        "objectives",
        "aucune question ne porte sur « vide »",
    ),
    (
        "{id: calcul, label",
        "{id: culture, label",
        None,
        "objectives",
        "« culture » apparaît deux fois",
    ),
    ("draw: 5", "draw: 9", None, "draw", "9 questions par tentative, mais 8 dans le quiz"),
    ("draw: 5", "draw: 2", None, "draw", "2 questions ne couvrent pas les 3 objectifs"),
    ("draw: 5", "draw: cinq", None, "draw", "doit être un nombre entier positif"),
    ("draw: 5", "draw: 0", None, "draw", "doit être un nombre entier positif"),
    (
        'situation: true\n    prompt: "Remettez',
        'situation: oui\n    prompt: "Remettez',
        "crepes",
        "situation",
        "doit être de type bool",
    ),
    (
        'match: "Écrit le premier programme publié"',
        'match: "Propose en 1950 un test d\'imitation"',
        "inventeurs",
        "pairs",
        "deux paires ont le même texte à associer",
    ),
    (
        ', match: "Écrit le premier programme publié"',
        "",
        "inventeurs",
        "pairs",
        "chaque paire a un champ « match »",
    ),
    (
        '      - {id: turing, prompt: "Alan Turing", match: "Propose en 1950 un test d\'imitation"}\n',
        "",
        "inventeurs",
        "pairs",
        "au moins trois paires",
    ),
    (
        'feedback: "Lille est la préfecture du Nord."',
        "feedback: [oups]",
        "capitale",
        "feedback",
        "doit être de type str",
    ),
]


@pytest.mark.parametrize("old, new, question, field, message", MISTAKES)
def test_each_mistake_names_its_file_question_and_field(bank, old, new, question, field, message):
    edit(bank, old, new)
    assert message in refused(bank, question, field)


def test_an_ordering_needs_three_items(bank):
    edit(bank, '      - {id: cuire, text: "Cuire"}\n', "")
    (quiz,) = load_banks(bank.parent).values()
    assert [item.id for item in quiz.question("crepes").items] == ["melanger", "lait", "reposer"]


def test_a_version_2_bank_reads_its_pool_objectives_feedback_and_pairs(bank):
    (quiz,) = load_banks(bank.parent).values()
    assert quiz.draw == 5 < len(quiz.questions) == 8
    assert [o.id for o in quiz.objectives] == ["culture", "calcul", "pratique"]
    assert quiz.objective("calcul").label == "Reconnaître des nombres"
    assert quiz.question("pairs").objective == "calcul"
    assert quiz.question("crepes").situation and not quiz.question("capitale").situation
    assert quiz.question("capitale").choices[1].feedback.startswith("Lyon est la capitale des")
    matching = quiz.question("inventeurs")
    assert [(p.id, p.text) for p in matching.pairs][0] == ("turing", "Alan Turing")
    assert matching.pairs[1].match == "Écrit le premier programme publié"


def test_a_version_1_bank_still_loads_and_asks_every_question(bank):
    """Without `draw` or `objectives` (the form of banks not yet rewritten), a bank still loads:
    every question is asked, no objective is checked, feedback is optional."""
    text = bank.read_text()
    text = text.replace("draw: 5\n", "").split("questions:\n", 1)[1]
    lines = [line for line in text.splitlines() if "objective:" not in line]
    bank.write_text('module: module-un\ntitle: "Quiz"\nquestions:\n' + "\n".join(lines) + "\n")
    text = bank.read_text()
    bank.write_text(text.replace(', feedback: "Paris est la capitale depuis des siècles."', ""))
    (quiz,) = load_banks(bank.parent).values()
    assert quiz.draw == len(quiz.questions) == 8 and quiz.objectives == []
    assert quiz.question("capitale").objective is None
    assert quiz.question("capitale").choices[0].feedback == ""


def test_an_empty_bank_is_refused(bank):
    bank.write_text("")
    assert "obligatoire et manquant" in refused(bank, None, "questions")


def test_a_quiz_for_a_module_that_does_not_exist_stops_the_app(bank, app):
    from cafeia import create_app
    from tests.conftest import make_config

    edit(bank, "module: module-un", "module: module-inconnu")
    with pytest.raises(BankError, match="module-inconnu.*n'est pas un module"):
        create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], QUIZ_BANKS=str(bank.parent)))


def test_two_banks_for_one_module_are_refused(bank):
    shutil.copy(bank, bank.parent / "copie.yaml")
    with pytest.raises(BankError, match="a déjà un quiz"):
        load_banks(bank.parent)
