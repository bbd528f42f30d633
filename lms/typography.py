"""French typography, applied where text is shown: lessons (courses.rendering) and quiz banks.

The source may be typed with ordinary spaces and straight apostrophes; the reader gets the
non-breaking spaces of French typography (narrow U+202F before ; ! ? and inside « »; normal
U+00A0 before : and %, and between the groups of a number) and the typographic apostrophe.
In HTML only text nodes change: tags, attributes (URLs), <code> and <pre> are left as they are.
"""

import re

NARROW = "\u202f"
NBSP = "\u00a0"
APOSTROPHE = "\u2019"
_SPACES = f"[ {NBSP}{NARROW}\t]"

# A sign follows a word (or starts a text node, after </a> say), never inside a URL's ?x=.
_AFTER_WORD = r"(?:(?<=[\w)»”\"*\]\.…])|^)"
_ENDS = r"(?=\s|$|[)»<\"”’*_])"

_RULES = [
    # A straight apostrophe after a letter (l'IA, aujourd'hui, qu'« on ») is an elision.
    (re.compile(r"(?<=[^\W\d_])'"), APOSTROPHE),
    # ; ! ? take a narrow space, whether the source had a space or none.
    (re.compile(rf"{_AFTER_WORD}{_SPACES}*([;!?]){_ENDS}"), NARROW + r"\1"),
    # : and % take a normal non-breaking space (10:30 or https: are left alone).
    (re.compile(rf"{_AFTER_WORD}{_SPACES}*:{_ENDS}"), NBSP + ":"),
    (re.compile(rf"(?<=\d){_SPACES}*%"), NBSP + "%"),
    # Inside French quotation marks.
    (re.compile(rf"«{_SPACES}*"), "«" + NARROW),
    (re.compile(rf"{_SPACES}*»"), NARROW + "»"),
    # Between the groups of a number (14 000 000, 1 000 catégories).
    (re.compile(rf"(?<=\d){_SPACES}(?=\d{{3}}(?!\d))"), NBSP),
]


def typeset(text: str) -> str:
    """French typography for a plain text (a quiz prompt, a feedback, a label)."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


# Tags and character references (&amp; ends with a ;) are kept whole.
_TAG = re.compile(r"(<[^>]*>|&#?\w+;)")
_VERBATIM = {"code", "pre"}


def typeset_html(html: str) -> str:
    """French typography for the text nodes of sanitised HTML, never inside code or pre."""
    verbatim = 0
    parts = _TAG.split(html)
    for index, part in enumerate(parts):
        if index % 2:  # a tag or a character reference
            name = re.match(r"</?\s*(\w+)", part)
            if name and name.group(1).lower() in _VERBATIM:
                verbatim += -1 if part.startswith("</") else 1
        elif part and not verbatim:
            parts[index] = typeset(part)
    return "".join(parts)


def typeset_fields(data, keys: frozenset[str]):
    """The same data with French typography in the texts stored under `keys`, at any depth
    (a quiz bank's prompts, choices and feedback; never its ids)."""
    if isinstance(data, list):
        return [typeset_fields(item, keys) for item in data]
    if isinstance(data, dict):
        return {
            key: typeset(value)
            if key in keys and isinstance(value, str)
            else typeset_fields(value, keys)
            for key, value in data.items()
        }
    return data
