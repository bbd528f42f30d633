"""Statistical secrecy: no figure may single out fewer than 5 people.

Primary rule: a count under 5 (zero included: « nobody in this group did X » says something
about each member) is shown as « < 5 ».

Secondary rule: where rows add up to a total shown beside them, a single hidden cell could be
recomputed as the total minus the other rows; the smallest other cell of that column is then
hidden too, as « n. d. ». Where the total itself is hidden that way, at least one of its rows is
hidden, or their sum would give it back.

Shares are computed only from counts that are shown, so they reveal nothing more.
"""

THRESHOLD = 5
SMALL = "< 5"
HIDDEN = "n. d."


def shown(count: int) -> int | str:
    return count if count >= THRESHOLD else SMALL


def is_shown(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def protect(rows: list[dict], columns, total: dict | None = None) -> list[dict]:
    """Copies of `rows` with their counts protected; `total`: the protected total they add up to."""
    protected = [dict(row) for row in rows]
    for column in columns:
        for row in protected:
            row[column] = shown(row[column])
        if total is not None:
            _secondary(protected, column, total[column])
    return protected


def _secondary(rows: list[dict], column: str, total) -> None:
    hidden = sum(not is_shown(row[column]) for row in rows)
    visible = [row for row in rows if is_shown(row[column])]
    needs_one_more = (is_shown(total) and hidden == 1) or (total == HIDDEN and hidden == 0)
    if needs_one_more and visible:
        min(visible, key=lambda row: row[column])[column] = HIDDEN


def share(part, whole) -> float | None:
    """A percentage with one decimal, only between two counts that are both shown."""
    if not (is_shown(part) and is_shown(whole)) or whole == 0:
        return None
    return round(100 * part / whole, 1)
