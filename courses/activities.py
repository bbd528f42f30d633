"""Activity blocks: everything interactive in a lesson, written in its Markdown as

    ::: <kind>
    id: <identifier unique in the lesson>
    …YAML body…
    :::

The blocks are taken out of the source before Markdown rendering; the lesson body becomes a
sequence of parts, sanitised HTML (courses.rendering, unchanged) and Block(kind, id, data).

A kind is an object (or a class) registered by its feature's init_app with
`register(app, kind)`:

    name: str                                   # the word after « ::: »
    validate(data) -> None                      # ValueError, in French, on bad content
    render(block, lesson, user) -> Markup       # at request time, from the kind's own partial
    submit(block, lesson, user, form) -> None   # optional: for kinds that take an answer

`validate` runs when the kind is registered, over every block of that kind in the catalogue,
so bad content stops the platform at start-up (and the content tests). `submit` adds to the
session (save_answer, lms.xapi.record…) and the generic route commits; it raises AnswerError for
a malformed answer, and then nothing is saved.
"""

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import Flask, current_app, g, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import delete, select

from lms import yamltext
from lms.extensions import db
from lms.models import utcnow
from lms.typography import typeset_fields

ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KIND = re.compile(r"^[a-z][a-z0-9-]*$")
# A block starts and ends at the start of a line; its body is everything in between.
BLOCK = re.compile(r"^:::[ \t]*(?P<kind>\S+)[ \t]*\n(?P<body>.*?)^:::[ \t]*$", re.M | re.S)
# Where a block was, the Markdown keeps a paragraph of its own: rendered with the rest of the
# lesson (footnotes and headings stay one document), then the HTML is cut there.
PLACEHOLDER = "cafeia-activite-{}"
_CUT = re.compile(r"<p>cafeia-activite-([a-z0-9-]+)</p>")
# The texts a learner reads get French typography when the lesson is loaded, whatever the kind.
SHOWN = frozenset(
    {"prompt", "text", "feedback", "explanation", "label", "title", "caption", "hint"}
)
EXTENSION = "activity_kinds"


class AnswerError(ValueError):
    """A refused answer, said in French: 422 for one to complete (nothing chosen, an empty
    note), 400 for one the page could not have sent (a value it never showed)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, eq=False)
class Block:
    kind: str
    id: str
    data: dict = field(repr=False)

    @property
    def anchor(self) -> str:
        """The element id of the block on the lesson page (prefixed: headings have ids too)."""
        return f"activite-{self.id}"


def parse(source: str) -> tuple[str, list[Block]]:
    """The Markdown with a placeholder paragraph for each block, and the blocks in order.

    Raises ValueError naming the block, in French.
    """
    blocks: list[Block] = []

    def take(match) -> str:
        block = _read_block(match["kind"], match["body"], len(blocks) + 1)
        if block.id in {b.id for b in blocks}:
            raise ValueError(f"activité « {block.id} » : identifiant déjà utilisé dans la leçon")
        blocks.append(block)
        return "\n\n" + PLACEHOLDER.format(block.id) + "\n\n"

    markdown = BLOCK.sub(take, source)
    stray = re.search(r"^:::", markdown, re.M)
    if stray:
        line = markdown[: stray.start()].count("\n") + 1
        raise ValueError(f"« ::: » sans bloc complet (ligne {line} environ) : fermez le bloc")
    return markdown, blocks


def _read_block(kind: str, body: str, number: int) -> Block:
    where = f"activité n° {number} (« ::: {kind} »)"
    if not KIND.match(kind):
        raise ValueError(f"{where} : type « {kind} » invalide (minuscules, chiffres, tirets)")
    try:
        data = yamltext.safe_load(body)
    except yamltext.YAMLError as error:
        raise ValueError(f"{where} : YAML illisible ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{where} : le contenu doit être un ensemble de champs (clé: valeur)")
    block_id = str(data.pop("id", "") or "")
    if not ID.match(block_id):
        raise ValueError(
            f"{where} : champ « id » obligatoire, en minuscules, chiffres et tirets"
            + (f" (« {block_id} »)" if block_id else "")
        )
    return Block(kind, block_id, typeset_fields(data, SHOWN))


# --- registry -----------------------------------------------------------------------------------


def register(app: Flask, kind) -> None:
    """Make a kind known to this app and check every block of that kind in its catalogue."""
    kinds = app.extensions.setdefault(EXTENSION, {})
    if kind.name in kinds and kinds[kind.name] is not kind:
        raise ValueError(f"type d'activité « {kind.name} » déjà enregistré")
    kinds[kind.name] = kind
    from .content import ContentError

    for lesson in app.extensions["courses"].lessons():
        for block in lesson.blocks:
            if block.kind != kind.name:
                continue
            try:
                kind.validate(block.data)
            except ValueError as error:
                raise ContentError(lesson.path, f"activité « {block.id} »", str(error)) from None


def kinds(app: Flask | None = None) -> dict:
    return (app or current_app).extensions.get(EXTENSION, {})


def unknown_kinds(app: Flask | None = None) -> list[tuple[object, Block]]:
    """(lesson, block) whose kind no feature registered: `flask courses check` and the content
    tests report them (a kind registered by a later feature cannot be known at load time)."""
    known = kinds(app)
    catalogue = (app or current_app).extensions["courses"]
    return [
        (lesson, b) for lesson in catalogue.lessons() for b in lesson.blocks if b.kind not in known
    ]


def kind_of(block: Block):
    kind = kinds().get(block.kind)
    if kind is None:
        raise LookupError(
            f"type d'activité « {block.kind} » inconnu : aucune fonction ne l'enregistre"
        )
    return kind


# --- rendering ----------------------------------------------------------------------------------


def render_body(lesson, user, answers: dict | None = None) -> Markup:
    """The lesson's HTML (rendered once) with each block rendered for this person, now.

    `answers`: the person's answers to the lesson's blocks (block id → value) if the caller
    read them already (courses.progress.read_lesson), else they are read here.
    """
    from .rendering import render_markdown

    if lesson.html is None:  # content does not change while the platform runs
        lesson.html = render_markdown(lesson.body)
    # The person's answers to all the lesson's blocks in one query, not one per block.
    if answers is None:
        answers = _answers(lesson, user)
    # The blocks are drawn from the content (static), the person's id and these answers only:
    # the same inputs give the same body, kept per process (its CSRF token put back for this
    # request). A query (manipulations), or a refused answer shown, draws it afresh.
    key = None
    bodies = current_app.extensions.setdefault("lesson_bodies", OrderedDict())  # per catalogue
    if not request.args and not g.get("activity_errors"):
        answered = json.dumps(answers, sort_keys=True, default=str)
        key = (lesson.module_slug, lesson.slug, user.id, answered)
        drawn = bodies.get(key)
        if drawn is not None:
            bodies.move_to_end(key)
            return with_token(drawn)
    blocks = {block.id: block for block in lesson.blocks}
    pieces = _CUT.split(lesson.html)
    # Kept for this drawing only (saved_answer reads them), so that no later read is stale.
    g.lesson_answers = (_answer_key(lesson, user), answers)
    try:
        # split gives text, id, text, id…: odd places are the block ids
        body = Markup("").join(
            _render_block(blocks[piece], lesson, user) if index % 2 else Markup(piece)
            for index, piece in enumerate(pieces)
        )
    finally:
        g.pop("lesson_answers", None)
    if key is not None:
        bodies[key] = without_token(body)
        if len(bodies) > BODIES_KEPT:
            bodies.popitem(last=False)
    return body


BODIES_KEPT = 512  # per process: a few hundred people reading at once, ~50 kB each
_TOKEN = "cafeia-jeton-csrf"


def without_token(html: str) -> str:
    """HTML drawn for this request, kept for later ones: its CSRF token marked out."""
    return str(html).replace(generate_csrf(), _TOKEN)


def with_token(kept: str) -> Markup:
    """HTML kept by without_token, with this request's CSRF token put back."""
    return Markup(kept.replace(_TOKEN, generate_csrf()))


def _render_block(block: Block, lesson, user) -> Markup:
    inner = kind_of(block).render(block, lesson, user)
    error = error_for(block)
    if error:
        return Markup(
            render_template("courses/activities/_block.html", block=block, inner=inner, error=error)
        )
    before, after = _frame(block)
    return before + inner + after


# The frame around a block without an error is the same on every page: drawn once per block
# (the block lives as long as the catalogue), around a mark where the block's own HTML goes.
_FRAMES: dict[Block, tuple[Markup, Markup]] = {}
_INNER = "cafeia-activite-contenu"


def _frame(block: Block) -> tuple[Markup, Markup]:
    if block not in _FRAMES:
        html = render_template(
            "courses/activities/_block.html", block=block, inner=Markup(_INNER), error=None
        )
        before, after = html.split(_INNER)
        _FRAMES[block] = Markup(before), Markup(after)
    return _FRAMES[block]


def action_url(block: Block, lesson) -> str:
    """Where a kind's form posts its answer (the generic route)."""
    return url_for(
        "courses.activity",
        module_slug=lesson.module_slug,
        lesson_slug=lesson.slug,
        block_id=block.id,
    )


def answered_anchor(block: Block) -> str:
    """Where the page lands after an answer: the kind's `answered_anchor(block)` if it has one
    (its feedback, which then takes the focus), else the block."""
    anchor = getattr(kind_of(block), "answered_anchor", None)
    return anchor(block) if anchor else block.anchor


def error_for(block: Block) -> str | None:
    """The message of a refused answer, shown in the block when the page is drawn again."""
    return g.get("activity_errors", {}).get(block.id)


def refuse(block: Block, message: str) -> None:
    g.setdefault("activity_errors", {})[block.id] = message


# --- answers kept per person and block ----------------------------------------------------------


def _answer_key(lesson, user) -> tuple:
    return (user.id, lesson.module_slug, lesson.slug)


def _answers(lesson, user) -> dict:
    from .models import ActivityAnswer

    return dict(
        db.session.execute(
            select(ActivityAnswer.block_id, ActivityAnswer.value).filter_by(
                user_id=user.id, module_slug=lesson.module_slug, lesson_slug=lesson.slug
            )
        ).all()
    )


def saved_answer(block: Block, lesson, user):
    """The value the person's last answer to this block saved, or None."""
    from .models import ActivityAnswer

    drawing = g.get("lesson_answers")
    if drawing and drawing[0] == _answer_key(lesson, user):
        return drawing[1].get(block.id)
    return db.session.scalar(
        select(ActivityAnswer.value).filter_by(
            user_id=user.id,
            module_slug=lesson.module_slug,
            lesson_slug=lesson.slug,
            block_id=block.id,
        )
    )


def save_answer(block: Block, lesson, user, value) -> None:
    """Keep `value` (JSON-ready) as the person's last answer to this block; the route commits."""
    from .models import ActivityAnswer

    row = db.session.scalar(
        select(ActivityAnswer).filter_by(
            user_id=user.id,
            module_slug=lesson.module_slug,
            lesson_slug=lesson.slug,
            block_id=block.id,
        )
    )
    if row is None:
        row = ActivityAnswer(
            user_id=user.id,
            module_slug=lesson.module_slug,
            lesson_slug=lesson.slug,
            block_id=block.id,
            kind=block.kind,
        )
        db.session.add(row)
    row.value, row.kind, row.answered_at = value, block.kind, utcnow()


def forget_answer(block: Block, lesson, user) -> None:
    from .models import ActivityAnswer

    db.session.execute(
        delete(ActivityAnswer).filter_by(
            user_id=user.id,
            module_slug=lesson.module_slug,
            lesson_slug=lesson.slug,
            block_id=block.id,
        )
    )
