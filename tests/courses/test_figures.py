"""The lessons' figures as the server sends them: the timeline of module 1 and the diagram of
module 2 with their text alternatives, and the « figure » blocks refused at start-up when they
name no figure."""

import shutil

import lxml.html
import pytest
import yaml

from cafeia import create_app
from courses import CONTENT
from courses.content import ContentError, load_catalogue
from courses.figures import DATA
from tests.conftest import FIXTURE_CONTENT, make_config

TIMELINE = "/modules/histoire-ia/demeler-vrai-faux"
DIAGRAM = "/modules/donnees-algorithmes/comment-une-machine-apprend"
MILESTONES = yaml.safe_load((DATA / "frise-histoire-ia.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def app_config() -> dict:
    return {"COURSES_CONTENT": None, "QUIZ_BANKS": None}


def figure_at(client, url: str, anchor: str) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200
    (figure,) = lxml.html.fromstring(response.get_data(as_text=True)).xpath(
        f"//*[@id='{anchor}']//figure"
    )
    return figure


def words(element) -> str:
    return " ".join(element.text_content().split())


def test_the_timeline_is_an_ordered_list_of_dated_milestones_said_real_or_fiction(client, login_as):
    login_as("apprenant")
    figure = figure_at(client, TIMELINE, "activite-frise-histoire")
    (caption,) = figure.xpath("figcaption")
    assert figure.get("aria-labelledby") == caption.get("id")
    items = figure.xpath("ol/li")
    assert len(items) == len(MILESTONES["milestones"]) == 21
    natures = {"realite": "Réalité", "fiction": "Fiction", "supercherie": "Supercherie"}
    for item, milestone in zip(items, MILESTONES["milestones"], strict=True):
        (time,) = item.xpath(".//time")
        assert (time.text, time.get("datetime")) == (milestone["date"], milestone["when"])
        (badge,) = item.xpath(".//*[contains(@class, 'fr-badge')]")
        assert badge.text == natures[milestone["nature"]]
        (link,) = item.xpath(".//a")
        assert link.get("href") == milestone["source"]["url"]
        assert link.get("href").startswith("https://")
    years = [int(time.get("datetime")[:4]) for time in figure.xpath(".//time")]
    assert years == sorted(years)


def test_the_timeline_dates_match_the_lessons():
    """Each milestone's year is written in the module's lessons (their text, not the figure)."""
    lessons = " ".join(
        lesson.body for lesson in load_catalogue(CONTENT).module("histoire-ia").lessons
    )
    for milestone in MILESTONES["milestones"]:
        assert milestone["when"][:4] in lessons, milestone["title"]


def test_the_diagram_reads_in_order_and_has_a_full_text_alternative(client, login_as):
    login_as("apprenant")
    figure = figure_at(client, DIAGRAM, "activite-donnees-modele-prediction")
    names = [words(name) for name in figure.xpath(".//*[@class='cafeia-flow__name']")]
    assert names == ["Des données", "Un modèle", "Un cas nouveau", "Une prédiction"]
    assert all(
        arrow.get("aria-hidden") == "true"
        for arrow in figure.xpath(".//span[contains(@class, 'arrow')]")
    )
    (caption,) = figure.xpath("figcaption")
    assert figure.get("aria-labelledby") == caption.get("id")
    text = words(caption)
    for step in ("données étiquetées", "un modèle", "jamais vu", "une prédiction"):
        assert step in text


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("figure: carte-du-monde", "« carte-du-monde » inconnu"),
        ("figure: frise-histoire-ia\nlegende: x", "champ « legende » inconnu"),
    ],
)
def test_a_figure_block_naming_no_figure_stops_the_platform(tmp_path, database_uri, block, message):
    tree = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, tree)
    lesson = tree / "m1" / "02-lecon-2.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + f"\n::: figure\nid: fig\n{block}\n:::\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match=message):
        create_app(make_config(database_uri, COURSES_CONTENT=str(tree)))
