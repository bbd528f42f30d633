"""Charts drawn on the server as SVG: the geometry here, the markup in templates/stats/_charts.html.

No script and no style attribute (the CSP forbids both): sizes and colours are SVG presentation
attributes. A value hidden by the secrecy rule gets a grey stub and its label, never its size.
Every chart sits beside the table of its figures.
"""

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from annuaire import map as france
from lms.formatting import nombre, pourcentage
from lms.secrecy import THRESHOLD, is_shown

BLUE, LIGHT_BLUE, GREY = "#000091", "#6a6af4", "#929292"
MAP_SHADES = ("#e3e3fd", "#cacafb", "#8585f6", "#000091")  # DSFR blues, light to dark
MAP_HIDDEN = "#eeeeee"
STUB = 3  # the length of the mark drawn for a hidden value


def number(value, kind: str = "count") -> str:
    """French typography: 12 345 ; 45,2 % ; « — » where there is nothing to show."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return _formatted(value, kind)


# A table of 300 cohorts writes 2,000 figures, most of them seen before: Babel takes ~0.2 ms
# each. Typed, so that 2 (« 2 ») and 2.0 (« 2,0 ») stay apart.
@lru_cache(maxsize=8192, typed=True)
def _formatted(value, kind: str) -> str:
    if kind == "share":
        return pourcentage(value, 1)
    return nombre(value, 1) if isinstance(value, float) else nombre(value)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    text: str  # the value, written beside the bar
    text_x: float
    text_y: float


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, float, str]]  # x, y, text
    legend: list[tuple[str, str]]  # label, colour
    axis: list[tuple[float, float, float, str]]  # y of a gridline, its x range, and its label


def horizontal(
    groups: list[tuple[str, list]],
    series: list[tuple[str, str]],
    kind: str = "count",
    width: int = 720,
) -> Chart:
    """A label over one bar per series (name, colour), for each group: a funnel, before/after."""
    bar, plot = 20, width - 100
    top = 100 if kind == "share" else max(_numbers(v for _, vs in groups for v in vs), default=0)
    bars, labels, y = [], [], 0
    for label, values in groups:
        labels.append((0, y + 15, label))
        y += 22
        for value, (_, colour) in zip(values, series, strict=True):
            visible = _is_number(value)
            length = max(plot * value / top, 1) if visible and top else STUB
            fill = colour if visible else GREY
            text = number(value, kind)
            bars.append(Bar(0, y, length, bar, fill, text, length + 6, y + bar - 5))
            y += bar + 2
        y += 12
    return Chart(width, y, bars, labels, series if len(series) > 1 else [], [])


def columns(points: list[tuple[str, object]], colour: str = BLUE, width: int = 720) -> Chart:
    """A column per week (Monday 'YYYY-MM-DD', count): the weekly series."""
    left, bottom, height = 56, 34, 220
    plot_w, plot_h = width - left - 10, height - bottom - 10
    top = _ceiling(max(_numbers(v for _, v in points), default=0))
    step = plot_w / max(len(points), 1)
    bars, labels = [], []
    every = max(1, math.ceil(len(points) / 8))
    for i, (week, value) in enumerate(points):
        size = plot_h * value / top if is_shown(value) and top else STUB
        x = left + i * step + step * 0.1
        fill = colour if is_shown(value) else GREY
        bars.append(Bar(x, 10 + plot_h - size, step * 0.8, size, fill, number(value), 0, 0))
        if i % every == 0:
            labels.append((x + step * 0.4, height - bottom + 16, _short(week)))
    # Half of 5 is 2,5, not « 2 »: a gridline is labelled with its value, decimals if any.
    axis = [(10 + plot_h * (1 - f), left, width - 10, _tick(top * f)) for f in (0, 0.5, 1)]
    legend = [("Nombre de la semaine", colour), (f"Moins de {THRESHOLD} : non diffusé", GREY)]
    return Chart(width, height, bars, labels, legend, axis if top else [])


def _tick(value: float) -> str:
    return number(int(value) if value == int(value) else float(value))


def _is_number(value) -> bool:
    """A count that is shown, or a share or mean (floats): what a bar may be drawn for."""
    return is_shown(value) or isinstance(value, float)


def _numbers(values) -> list[float]:
    return [v for v in values if _is_number(v)]


def _ceiling(value: float) -> int:
    """A round top for an axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def _short(week: str) -> str:
    day = date.fromisoformat(week)
    return f"{day.day:02d}/{day.month:02d}/{day.year % 100:02d}"


# --- the map -----------------------------------------------------------------------------------


@dataclass
class MapView:
    view_box: str
    shapes: list[tuple[str, str, str, str]]  # code, path, fill, title
    legend: list[tuple[str, str]]


def choropleth(values: dict[str, object], names: dict[str, str], unit: str) -> MapView:
    """The 96 metropolitan départements shaded by class; overseas ones are in the table."""
    edges = _breaks([v for v in values.values() if is_shown(v)])
    view_box, paths = france.shapes()
    shapes = [
        (code, path, _shade(values.get(code), edges), f"{names[code]} : {number(values.get(code))} {unit}")
        for code, path in paths
    ]  # fmt: skip
    return MapView(view_box, shapes, _legend(edges))


def _breaks(values: list[int]) -> list[int]:
    """Lower bounds of up to four classes, from 5 up: the quartiles, rounded."""
    if not values:
        return []
    ordered = sorted(values)
    quartiles = [ordered[len(ordered) * q // 4] for q in (1, 2, 3)]
    return sorted({5, *(_round(q) for q in quartiles if _round(q) > 5)})


def _round(value: int) -> int:
    """Two significant digits: class bounds that read well (1 200, not 1 187)."""
    if value < 100:
        return value
    power = 10 ** (len(str(value)) - 2)
    return value // power * power


def _shade(value, edges: list[int]) -> str:
    if not is_shown(value) or not edges:
        return MAP_HIDDEN
    index = max(i for i, edge in enumerate(edges) if value >= edge)
    return MAP_SHADES[index + len(MAP_SHADES) - len(edges)]


def _legend(edges: list[int]) -> list[tuple[str, str]]:
    legend = [("moins de 5, ou non diffusé", MAP_HIDDEN)]
    shades = MAP_SHADES[len(MAP_SHADES) - len(edges) :]
    for i, (edge, colour) in enumerate(zip(edges, shades, strict=True)):
        top = edges[i + 1] - 1 if i < len(edges) - 1 else None
        if top is None:
            label = f"{number(edge)} ou plus"
        else:
            label = number(edge) if top == edge else f"{number(edge)} à {number(top)}"
        legend.append((label, colour))
    return legend
