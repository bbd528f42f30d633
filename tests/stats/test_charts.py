"""The server-drawn charts: French numbers, map classes and their legend, hidden values."""

from lms.departements import all_departements
from lms.secrecy import SMALL
from stats import charts


def test_numbers_are_written_the_french_way():
    assert charts.number(12345) == "12\u202f345"
    assert charts.number(45.25, "share") == "45,2\u00a0%"
    assert charts.number(None) == "—" and charts.number(SMALL) == SMALL


def test_map_classes_start_at_five_and_the_legend_reads_well():
    assert charts._legend(charts._breaks([5, 6, 6, 6])) == [
        ("moins de 5, ou non diffusé", charts.MAP_HIDDEN),
        ("5", charts.MAP_SHADES[2]),
        ("6 ou plus", charts.MAP_SHADES[3]),
    ]
    labels = [label for label, _ in charts._legend(charts._breaks([10, 600, 1234, 1876]))]
    assert labels[1:] == [
        "5 à 599",
        "600 à 1\u202f199",
        "1\u202f200 à 1\u202f799",
        "1\u202f800 ou plus",
    ]


def test_a_hidden_departement_is_grey_and_says_so():
    names = {code: d.nom for code, d in all_departements().items()}
    view = charts.choropleth({"35": SMALL, "29": 40}, names, "inscrits")
    shapes = {code: (fill, title) for code, _, fill, title in view.shapes}
    assert shapes["35"] == (charts.MAP_HIDDEN, "Ille-et-Vilaine : < 5 inscrits")
    assert shapes["29"][0] != charts.MAP_HIDDEN and shapes["29"][1] == "Finistère : 40 inscrits"


def test_a_hidden_bar_gets_a_stub_never_its_size():
    chart = charts.horizontal(
        [("Inscrit·es", [120]), ("Dans l'annuaire", [SMALL])], [("Personnes", charts.BLUE)]
    )
    full, hidden = chart.bars
    assert full.width == 620 and hidden.width == charts.STUB and hidden.colour == charts.GREY


def test_the_weekly_scale_says_two_and_a_half_and_the_legend_says_what_grey_is():
    chart = charts.columns([("2026-01-05", 5), ("2026-01-12", SMALL)])
    assert [label for *_, label in chart.axis] == ["0", "2,5", "5"]
    assert chart.legend == [
        ("Nombre de la semaine", charts.BLUE),
        ("Moins de 5 : non diffusé", charts.GREY),
    ]
