"""Lesson Markdown → HTML: rendered with `markdown`, sanitised with an allow-list (nh3), then
given French typography in its text nodes (lms.typography), so authors type plain spaces."""

import re

import markdown
import nh3
from flask import url_for

from lms.typography import typeset_html

from .content import INTERNAL_LINK

EXTENSIONS = ["tables", "toc", "footnotes", "admonition", "sane_lists"]
EXTENSION_CONFIG = {
    "toc": {"toc_depth": "2-3"},
    "footnotes": {"BACKLINK_TITLE": "Revenir à l’appel de la note %d"},
}

TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "sup",
    "div",
    "br",
}
ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "div": {"tabindex"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"scope"},
}
CLASSES = {
    "div": {
        "fr-callout",
        "cafeia-callout--note",
        "cafeia-callout--tip",
        "cafeia-callout--warning",
        "footnote",
        "fr-table",
        "fr-table__wrapper",
        "fr-table__container",
        "fr-table__content",
    },
    "p": {"fr-callout__title"},
    "a": {"footnote-ref", "footnote-backref"},
}
# The container scrolls sideways on a phone: tabindex lets the keyboard scroll it too.
_TABLE_OPEN = (
    '<div class="fr-table"><div class="fr-table__wrapper">'
    '<div class="fr-table__container" tabindex="0"><div class="fr-table__content"><table>'
)


def _dsfr_markup(html: str) -> str:
    """Admonitions become DSFR callouts; tables get the DSFR wrappers."""
    html = re.sub(
        r'<div class="admonition (\w+)">', r'<div class="fr-callout cafeia-callout--\1">', html
    )
    html = html.replace('<p class="admonition-title">', '<p class="fr-callout__title">')
    html = html.replace("<table>", _TABLE_OPEN).replace(
        "</table>", "</table></div></div></div></div>"
    )
    return html.replace("<th>", '<th scope="col">')


def _internal_links(text: str) -> str:
    def to_url(match):
        module_slug, lesson_slug, anchor = match.groups()
        url = url_for("courses.lesson", module_slug=module_slug, lesson_slug=lesson_slug)
        return f"]({url}{anchor or ''})"

    return INTERNAL_LINK.sub(to_url, text)


def render_markdown(text: str) -> str:
    html = markdown.markdown(
        _internal_links(text),
        extensions=EXTENSIONS,
        extension_configs=EXTENSION_CONFIG,
        output_format="html",
    )
    clean = nh3.clean(
        _dsfr_markup(html),
        tags=TAGS,
        attributes=ATTRIBUTES,
        allowed_classes=CLASSES,
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
    )
    return typeset_html(clean)
