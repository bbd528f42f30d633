"""The lessons' manipulations (courses/manipulations), driven over HTTP on the real lessons:
each computed right against a hand computation, forged input refused with a French 400 and
nothing saved, and the no-JavaScript path (the GET form the lesson page answers)."""

import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from courses import CONTENT
from courses.activities import kinds
from courses.content import load_catalogue
from courses.models import ActivityAnswer, LessonProgress
from quizzes import BANKS
from tests.helpers import count
from tests.vnu import html_errors, require_checker

LANGUAGE = "/modules/histoire-ia/apprentissage-profond"
CREPES = "/modules/donnees-algorithmes/algorithme-recette-de-crepes"
SPAM = "/modules/donnees-algorithmes/comment-une-machine-apprend"
BIAS = "/modules/donnees-algorithmes/d-ou-viennent-les-biais"
TASKS = "/modules/ia-travail/des-taches-pas-des-metiers"


@pytest.fixture
def app_config() -> dict:
    return {"COURSES_CONTENT": str(CONTENT), "QUIZ_BANKS": str(BANKS)}


@pytest.fixture
def learner(login_as):
    return login_as()


def block(client, url: str, block_id: str, **query) -> BeautifulSoup:
    """The manipulation as the lesson page draws it for this query (names prefixed by the id)."""
    response = client.get(url, query_string={f"{block_id}-{k}": v for k, v in query.items()})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    found = page.find(id=f"manipulation-{block_id}")
    assert found is not None, f"pas de manipulation {block_id} sur {url}"
    return found


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def refused(client, url: str, query: dict) -> str:
    response = client.get(url, query_string=query)
    assert response.status_code == 400
    return " ".join(
        BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text().split()
    )


def percent(value: str) -> float:
    return float(
        value.replace("\u00a0", "").replace("\u202f", "").replace("%", "").replace(",", ".")
    )


# --- the lessons hold their blocks ----------------------------------------------------------------


def test_each_manipulation_is_in_its_lesson(app):
    catalogue = load_catalogue(CONTENT)
    placed = {
        (lesson.module_slug, lesson.slug): block.data["manipulation"]
        for lesson in catalogue.lessons()
        for block in lesson.blocks
        if block.kind == "manipulation"
    }
    assert placed == {
        ("histoire-ia", "apprentissage-profond"): "modele-de-langue",
        ("donnees-algorithmes", "algorithme-recette-de-crepes"): "recette-crepes",
        ("donnees-algorithmes", "comment-une-machine-apprend"): "filtre-spam",
        ("donnees-algorithmes", "d-ou-viennent-les-biais"): "classifieur-biais",
        ("ia-travail", "des-taches-pas-des-metiers"): "tri-des-taches",
    }
    assert "manipulation" in kinds(app)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"manipulation": "inconnue"}, "« manipulation » doit être l’une de"),
        ({"manipulation": "filtre-spam", "seuil": 140}, "« seuil » doit être un nombre entier"),
        ({"manipulation": "recette-crepes", "couleur": "bleu"}, "paramètre « couleur » inconnu"),
    ],
)
def test_a_badly_written_block_is_refused_in_french(app, data, message):
    with pytest.raises(ValueError, match=message):
        kinds(app)["manipulation"].validate(data)


# --- the toy language model ---------------------------------------------------------------------


def bars(found) -> dict[str, float]:
    return {
        li.find(class_="cafeia-bars__word").get_text(): percent(
            li.find(class_="cafeia-num").get_text()
        )
        for li in found.select(".cafeia-bars li")
    }


def test_the_next_word_probabilities_are_the_corpus_counts(client, learner):
    # In the twelve sentences, « est » is followed by « chaud » twice, « prêt » and « servi » once.
    found = block(client, LANGUAGE, "mot-suivant", debut="Le café est")
    assert bars(found) == {"chaud": 50.0, "prêt": 25.0, "servi": 25.0}
    rows = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
        for tr in found.select("table tbody tr")
    }
    assert rows["chaud"] == ["2 sur 4", "50,0\u00a0%"]
    assert {k: v[0] for k, v in rows.items()} == {
        "chaud": "2 sur 4",
        "prêt": "1 sur 4",
        "servi": "1 sur 4",
    }
    assert all(meter["aria-hidden"] == "true" for meter in found.find_all("meter"))
    assert "ne consulte aucune source" in text(found)


def test_probabilities_sum_to_one_after_every_known_word(client, learner):
    # « le » starts a third of the words: café 4, matin 3, chat 2, canapé, journal, mot, texte 1.
    found = block(client, LANGUAGE, "mot-suivant", debut="je lis le")
    values = bars(found)
    assert values["café"] == round(4 / 13 * 100, 1) and values["matin"] == round(3 / 13 * 100, 1)
    assert len(values) == 7
    for start in ("la machine", "je bois du", "le chat", "le"):
        total = sum(bars(block(client, LANGUAGE, "mot-suivant", debut=start)).values())
        assert total == pytest.approx(100, abs=0.2), start


def test_the_lesson_shows_its_default_start_without_a_query(client, learner):
    found = block(client, LANGUAGE, "mot-suivant")
    assert found.find("input", attrs={"name": "mot-suivant-debut"})["value"] == "le café est"
    assert bars(found) == {"chaud": 50.0, "prêt": 25.0, "servi": 25.0}


def test_drawing_samples_one_of_the_possible_words(client, learner):
    seen = Counter()
    for _ in range(40):
        found = block(client, LANGUAGE, "mot-suivant", debut="le café est", tirer="1")
        sentence = found.find("input", attrs={"name": "mot-suivant-debut"})["value"]
        drawn = sentence.removeprefix("le café est ")
        assert drawn in {"chaud", "prêt", "servi"}
        seen[drawn] += 1
        # The next probabilities are those after the drawn word.
        following = {"servi": {"à": 100.0}}.get(drawn, {"(fin de la phrase)": 100.0})
        assert bars(found) == following
    assert len(seen) >= 2  # 40 draws all alike has probability below 1 in 10⁷


def test_a_certain_word_is_always_drawn_and_the_sentence_ends(client, learner):
    found = block(client, LANGUAGE, "mot-suivant", debut="le chat dort sur le canapé", tirer="1")
    assert (
        found.find("input", attrs={"name": "mot-suivant-debut"})["value"]
        == "le chat dort sur le canapé."
    )
    assert "probabilité de 100,0" in text(found)
    assert "est finie" in text(found)


def test_an_unknown_word_gets_nothing_to_propose(client, learner):
    found = block(client, LANGUAGE, "mot-suivant", debut="les licornes")
    assert not found.select(".cafeia-bars li")
    assert "n’apparaît dans aucune des douze phrases" in text(found)


def test_a_forged_start_is_refused(client, learner):
    before = count(LessonProgress), count(ActivityAnswer)
    message = refused(client, LANGUAGE, {"mot-suivant-debut": "le " * 100})
    assert "trop long : 200 caractères au plus" in message
    assert (count(LessonProgress), count(ActivityAnswer)) == (before[0] or 1, before[1])


# --- the crêpe recipe -----------------------------------------------------------------------------


def steps(found) -> list[str]:
    return [text(li.find(class_="cafeia-steps__text")) for li in found.select(".cafeia-steps li")]


def order(found) -> str:
    return found.find("input", attrs={"name": "ordre-crepes-ordre"})["value"]


def test_the_steps_start_mixed_and_move_up_and_down(client, learner):
    found = block(client, CREPES, "ordre-crepes")
    assert order(found) == "4,1,6,3,5,2"
    assert steps(found)[0] == "Laisser reposer la pâte une heure."
    found = block(client, CREPES, "ordre-crepes", ordre="4,1,6,3,5,2", monter="1")
    assert order(found) == "1,4,6,3,5,2"
    assert "est maintenant à la place 1 sur 6" in text(found)
    found = block(client, CREPES, "ordre-crepes", ordre="1,4,6,3,5,2", descendre="2")
    assert order(found) == "1,4,6,3,5,2"  # already last: nothing moves
    found = block(client, CREPES, "ordre-crepes", ordre="1,4,6,3,5,2", descendre="4")
    assert order(found) == "1,6,4,3,5,2"


def test_checking_names_each_broken_link(client, learner):
    # 4,1,6,3,5,2: 1 after 2? no (1 is 2nd, 2 is 6th); 2 before 3? no; 3 before 4? no;
    # 4 before 5? yes; 5 before 6? no → three broken links: (2,3), (3,4), (5,6).
    found = block(client, CREPES, "ordre-crepes", ordre="4,1,6,3,5,2", verifier="1")
    problems = [text(li) for li in found.select(".fr-alert li")]
    assert len(problems) == 3
    assert "3 enchaînements à revoir" in text(found)
    assert problems[0].startswith("« Verser la farine et le sel")
    assert "grumeaux" in problems[0]
    assert "brûlerait" not in text(found)  # 4 before 5 holds


def test_the_right_order_is_praised(client, learner):
    found = block(client, CREPES, "ordre-crepes", ordre="1,2,3,4,5,6", verifier="1")
    assert "Bravo : c’est l’ordre de la recette." in text(found)
    assert not found.select(".fr-alert--warning")


def test_two_neighbours_swapped_break_only_their_link(client, learner):
    # 1,2,3,5,4,6: 3 before 4 and 5 before 6 still hold; only « 4 before 5 » is broken.
    found = block(client, CREPES, "ordre-crepes", ordre="1,2,3,5,4,6", verifier="1")
    problems = [text(li) for li in found.select(".fr-alert li")]
    assert "1 enchaînement à revoir" in text(found)
    assert len(problems) == 1 and "brûlerait" in problems[0]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"ordre-crepes-ordre": "1,2,3,4,5"}, "les six étapes de la recette, une fois chacune"),
        ({"ordre-crepes-ordre": "1,1,2,3,4,5"}, "les six étapes de la recette, une fois chacune"),
        ({"ordre-crepes-ordre": "1,2,3,4,5,x"}, "les six étapes de la recette, une fois chacune"),
        (
            {"ordre-crepes-ordre": "1,2,3,4,5,6", "ordre-crepes-monter": "9"},
            "L’étape à déplacer n’existe pas",
        ),
    ],
)
def test_a_forged_order_is_refused(client, learner, query, message):
    assert message in refused(client, CREPES, query)
    assert count(ActivityAnswer) == 0


# --- the spam filter ------------------------------------------------------------------------------


def figures(found) -> dict[str, str]:
    return {text(div.dt): text(div.dd) for div in found.select(".cafeia-keyfigures > div")}


@pytest.mark.parametrize(
    "threshold, caught, missed, lost, kept",
    [
        # Spam scores 97, 92, 78, 64, 45; real mail 60, 55, 38, 20, 8; blocked when ≥ threshold.
        (50, 4, 1, 2, 3),
        (45, 5, 0, 2, 3),
        (61, 4, 1, 0, 5),
        (65, 3, 2, 0, 5),
        (0, 5, 0, 5, 0),
        (100, 0, 5, 0, 5),
    ],
)
def test_the_confusion_counts_follow_the_threshold(
    client, learner, threshold, caught, missed, lost, kept
):
    found = block(client, SPAM, "seuil-spam", seuil=str(threshold))
    assert figures(found) == {
        "Spams arrêtés": f"{caught} sur 5",
        "Spams passés": str(missed),
        "Vrais courriels perdus": f"{lost} sur 5",
        "Vrais courriels reçus": str(kept),
    }
    decisions = [text(tr.find("td", class_="cafeia-key")) for tr in found.select("tbody tr")]
    assert sum(d.startswith("Indésirables") for d in decisions) == caught + lost
    assert sum("erreur" in d for d in decisions) == missed + lost
    assert "aucun seuil ne supprime toutes les erreurs" in text(found)


def test_the_slider_waits_for_the_script_and_the_number_field_is_the_form(client, learner):
    found = block(client, SPAM, "seuil-spam")
    assert found.find("input", attrs={"name": "seuil-spam-seuil"})["value"] == "50"
    slider = found.find("input", type="range")
    assert slider.find_parent(attrs={"data-avec-script": True}).has_attr("hidden")
    assert not slider.has_attr("name")  # without the script only the number field is sent
    assert found.find("form")["method"] == "get"
    assert found.find("form")["action"].endswith("#activite-seuil-spam")


@pytest.mark.parametrize("value", ["-1", "101", "50.5", "cinquante", "5e1"])
def test_a_forged_threshold_is_refused(client, learner, value):
    message = refused(client, SPAM, {"seuil-spam-seuil": value})
    assert "Le seuil doit être un nombre entier entre 0 et 100." in message


# --- the tiny classifier --------------------------------------------------------------------------


def errors_by_group(found) -> dict[str, str]:
    return {text(tr.th): text(tr.td) for tr in found.select("table tbody tr")}


def test_a_skewed_training_set_mislabels_the_groups_it_lacks(client, learner):
    # Training: cats indoors 3 + garden 1, dogs garden 3 + indoors 1. Measures (muzzle, grass):
    # cat mean (0.2, 0.25), dog mean (0.8, 0.75). A cat on the grass (0.2, 1) is at distance²
    # 0.5625 from the cats and 0.36 + 0.0625 = 0.4225 from the dogs: « chien ». Same the other way.
    found = block(client, BIAS, "biais-photos", jeu="desequilibre")
    assert errors_by_group(found) == {
        "Chats à l’intérieur": "0 sur 2",
        "Chats au jardin": "2 sur 2",
        "Chiens au jardin": "0 sur 2",
        "Chiens à l’intérieur": "2 sur 2",
    }
    assert "herbe 0,25" in text(found) and "herbe 0,75" in text(found)
    assert len(found.select(".cafeia-card--erreur")) == 4


def test_a_balanced_training_set_makes_no_error(client, learner):
    found = block(client, BIAS, "biais-photos", jeu="equilibre")
    assert set(errors_by_group(found).values()) == {"0 sur 2"}
    assert "Aucune erreur" in text(found)


def test_the_learner_picks_the_training_photos(client, learner):
    # Only indoor cats and garden dogs: the grass alone tells them apart → every minority wrong.
    query = [("biais-photos-photo", key) for key in ("a1", "a2", "b1", "b2")]
    response = client.get(BIAS, query_string=query + [("biais-photos-entrainer", "1")])
    found = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(
        id="manipulation-biais-photos"
    )
    assert errors_by_group(found)["Chats au jardin"] == "2 sur 2"
    checked = {box["value"] for box in found.select("input[type=checkbox][checked]")}
    assert checked == {"a1", "a2", "b1", "b2"}


def test_one_animal_only_cannot_train(client, learner):
    response = client.get(
        BIAS, query_string=[("biais-photos-photo", "a1"), ("biais-photos-entrainer", "1")]
    )
    found = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(
        id="manipulation-biais-photos"
    )
    assert "au moins une photo de chat et une photo de chien" in text(found)
    assert not found.select("table")


@pytest.mark.parametrize(
    "query, message",
    [
        ([("biais-photos-photo", "zz")], "Une des photos choisies n’existe pas"),
        (
            [("biais-photos-photo", "a1"), ("biais-photos-photo", "a1")],
            "Une des photos choisies n’existe pas",
        ),
        ([("biais-photos-jeu", "parfait")], "Ce jeu d’entraînement n’existe pas."),
    ],
)
def test_a_forged_training_set_is_refused(client, learner, query, message):
    assert message in refused(client, BIAS, query)


# --- sorting the tasks --------------------------------------------------------------------------


def test_each_task_gets_its_feedback(client, learner):
    found = block(
        client,
        TASKS,
        "tri-taches",
        rappel="automatisable",
        **{"compte-rendu": "automatisable"},
        deuil="humaine",
        verifier="1",
    )
    feedback = {
        fieldset.legend.get_text(" ", strip=True)[:20]: text(fieldset.find(class_="fr-message"))
        for fieldset in found.select("fieldset")
    }
    assert feedback["Envoyer à chaque loc"].startswith("Juste : automatisable.")
    assert feedback["Rédiger le compte re"].startswith("Plutôt augmentée que automatisable.")
    assert feedback["Accueillir au guiche"].startswith("Juste : humaine.")
    assert feedback["Aider un administré "].startswith(
        "Pas encore classée. Notre réponse : humaine."
    )
    assert "2 tâches sur 6 classées comme nous le proposons" in text(found)
    assert found.find("input", id="tri-taches-deuil-humaine").has_attr("checked")


def test_no_feedback_before_checking(client, learner):
    found = block(client, TASKS, "tri-taches", rappel="humaine")
    assert not found.select(".fr-message")


def test_a_forged_category_is_refused(client, learner):
    message = refused(client, TASKS, {"tri-taches-rappel": "robotisee", "tri-taches-verifier": "1"})
    assert "Une tâche a reçu une catégorie qui n’existe pas." in message


# --- common to all -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LANGUAGE, CREPES, SPAM, BIAS, TASKS])
def test_the_script_and_style_are_linked_once_and_served(client, learner, url):
    page = client.get(url).get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]*manipulations\.js)"', page)
    assert len(scripts) == 1
    with client.get(scripts[0]) as script:
        assert script.status_code == 200 and b"DOMParser" in script.data
    assert "<script>" not in page  # the CSP allows no inline script


def test_anonymous_visitors_log_in_first(client):
    response = client.get(SPAM, query_string={"seuil-spam-seuil": "60"})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# What the reader must not see (rules written apart from lms.typography, as in the lessons').
UNTYPESET = {
    "apostrophe droite": re.compile(r"[^\W\d_]'"),
    "espace ordinaire avant ; ! ? :": re.compile(r" [;!?:]"),
    "espace ordinaire après « ou avant »": re.compile(r"« | »"),
}


@pytest.mark.parametrize(
    "url, block_id, query",
    [
        (LANGUAGE, "mot-suivant", {"tirer": "1"}),
        (CREPES, "ordre-crepes", {"verifier": "1"}),
        (SPAM, "seuil-spam", {"seuil": "50"}),
        (BIAS, "biais-photos", {"jeu": "desequilibre"}),
        (TASKS, "tri-taches", {"rappel": "humaine", "verifier": "1"}),
    ],
)
def test_the_blocks_have_french_typography(client, learner, url, block_id, query):
    # Only ASCII blanks collapsed: the non-breaking spaces are what is checked.
    shown = re.sub(r"[ \t\r\n]+", " ", block(client, url, block_id, **query).get_text())
    faults = [name for name, rule in UNTYPESET.items() if rule.search(shown)]
    assert faults == [], shown


RESULT_STATES = [
    (LANGUAGE, {"mot-suivant-debut": "le café est", "mot-suivant-tirer": "1"}),
    (LANGUAGE, {"mot-suivant-debut": "les licornes"}),
    (CREPES, {"ordre-crepes-ordre": "4,1,6,3,5,2", "ordre-crepes-verifier": "1"}),
    (CREPES, {"ordre-crepes-ordre": "1,2,3,4,5,6", "ordre-crepes-verifier": "1"}),
    (SPAM, {"seuil-spam-seuil": "61"}),
    (BIAS, {"biais-photos-jeu": "desequilibre"}),
    (BIAS, {"biais-photos-photo": "a1", "biais-photos-entrainer": "1"}),
    (TASKS, {"tri-taches-rappel": "humaine", "tri-taches-verifier": "1"}),
]


def test_every_result_passes_the_nu_html_checker(client, learner):
    """The lesson crawl sees each block in its first state; these are the states it answers."""
    require_checker()
    documents = {}
    for url, query in RESULT_STATES:
        response = client.get(url, query_string=query)
        assert response.status_code == 200
        documents[f"{url}?{sorted(query.items())}"] = response.get_data(as_text=True)
    assert html_errors(documents) == []
