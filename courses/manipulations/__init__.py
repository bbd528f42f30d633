"""Manipulations: small exercises inside a lesson that make an idea concrete, computed on the
server from what the learner sent.

Each one is a GET form that the lesson page itself answers: its state travels in the query,
under names prefixed by the block's id (`spam-seuil=60`), so nothing is saved and the page
works without JavaScript. manipulations.js only sends the form without reloading the page and
puts the server's new rendering of the block in place. A value no form could send (a forged
query) is refused with a 400 and a French message.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import abort, g, render_template, request
from markupsafe import Markup

from lms.typography import typeset_html


class Fields:
    """The block's own fields in the query: `<block id>-<name>`."""

    def __init__(self, block, args):
        self.block_id = block.id
        self.anchor = block.anchor  # where a link lands: the block on the lesson page
        self._args = args

    def name(self, name: str) -> str:
        return f"{self.block_id}-{name}"

    def get(self, name: str) -> str | None:
        return self._args.get(self.name(name))

    def getlist(self, name: str) -> list[str]:
        return self._args.getlist(self.name(name))

    def link(self, **values) -> str:
        """The query of a link that sets these fields (a suggestion, say), to the block."""
        query = urlencode({self.name(key): value for key, value in values.items()})
        return f"?{query}#{self.anchor}"


def refuse(message: str):
    """A value the form cannot send: the lesson answers 400 with this message."""
    abort(400, message)


@dataclass(frozen=True)
class Manipulation:
    name: str
    template: str
    # From the learner's fields and the block's parameters, what the template shows.
    state: Callable[[Fields, dict], dict]
    # The parameters a block may give (their checks raise ValueError in French).
    parameters: dict[str, Callable[[object], None]] = field(default_factory=dict)


MANIPULATIONS: dict[str, Manipulation] = {}


def register(manipulation: Manipulation) -> Manipulation:
    MANIPULATIONS[manipulation.name] = manipulation
    return manipulation


def check(data: dict) -> None:
    """A block's YAML: which manipulation, and only the parameters it knows."""
    name = data.get("manipulation")
    if name not in MANIPULATIONS:
        known = ", ".join(sorted(MANIPULATIONS))
        raise ValueError(f"« manipulation » doit être l’une de : {known} (reçu : {name!r})")
    manipulation = MANIPULATIONS[name]
    for key, value in data.items():
        if key == "manipulation":
            continue
        if key not in manipulation.parameters:
            raise ValueError(f"paramètre « {key} » inconnu pour la manipulation « {name} »")
        manipulation.parameters[key](value)


# A block's first drawing, before the learner sends anything, depends only on the block, the
# page it is on and whether it links the script: the same for everyone while the platform runs
# (content is loaded once), so it is drawn and typeset once per process. Half the cost of a
# lesson page went there.
_FIRST_DRAWINGS: dict[tuple, Markup] = {}


def render(block) -> Markup:
    """The block as the learner's query makes it, French typography in its text."""
    first_on_page = _first_on_page()  # the script and style: linked by the first block drawn
    prefix = f"{block.id}-"
    untouched = not any(name.startswith(prefix) for name in request.args)
    key = (block, request.path, first_on_page)
    if untouched and key in _FIRST_DRAWINGS:
        return _FIRST_DRAWINGS[key]
    manipulation = MANIPULATIONS[block.data["manipulation"]]
    params = {k: v for k, v in block.data.items() if k != "manipulation"}
    fields = Fields(block, request.args)
    html = render_template(
        f"courses/manipulations/{manipulation.template}",
        block_id=block.id,
        root_id=f"manipulation-{block.id}",
        # The form comes back to the block (the activity's anchor), where it was sent from.
        action=f"{request.path}#{block.anchor}",
        fields=fields,
        first_on_page=first_on_page,
        **manipulation.state(fields, params),
    )
    drawn = Markup(typeset_html(html))
    if untouched:
        _FIRST_DRAWINGS[key] = drawn
    return drawn


class Kind:
    """The activity kind « manipulation » (courses.activities): nothing to submit, nothing
    saved; the lesson page answers the block's GET form."""

    name = "manipulation"

    @staticmethod
    def validate(data: dict) -> None:
        check(data)

    @staticmethod
    def render(block, lesson, user) -> Markup:
        return render(block)


def _first_on_page() -> bool:
    first = not g.get("manipulations_linked")
    g.manipulations_linked = True
    return first


from . import classifieur, filtre_spam, modele_langue, recette, taches  # noqa: E402, F401
