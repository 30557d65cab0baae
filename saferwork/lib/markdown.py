"""Markdown to HTML that is safe to show: markdown-it-py renders, nh3 (ammonia) sanitises.

One renderer for every text people write for others to read (a behavioural standard's body,
a learning module's reading step). The writer is a coordinator or a programme admin, the
readers are everyone asked, so the text is treated as hostile: raw HTML in the Markdown
is not rendered at all (markdown-it's ``html`` option is off, so it comes out as text),
and whatever HTML the renderer produces is passed through an allow-list of tags and
attributes anyway. Links keep only http(s),
mailto and relative addresses and are marked ``rel="noopener noreferrer nofollow"``; images
are not allowed (they would load from another host) unless the caller asks for
``own_images``, and then only from our own paths. GOV.UK classes are put on the
renderer's own tags before sanitising (markdown-it has escaped every ``<`` of the text by
then, so only real tags match) and nh3 keeps those classes and no others.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "ul", "ol", "li", "a",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
IMAGE_ATTRIBUTES = {"src", "alt", "title"}
URL_SCHEMES = {"http", "https", "mailto"}

# Headings start at h2: the page's own h1 is the document's title.
_HEADING = re.compile(r"<(/?)h([1-6])>")
CLASSES = {
    "p": "govuk-body",
    "h2": "govuk-heading-l",
    "h3": "govuk-heading-m",
    "h4": "govuk-heading-s",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "table": "govuk-table",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "blockquote": "govuk-inset-text",
}
_OPEN_TAG = re.compile(r"<(p|h2|h3|h4|ul|ol|a|table|tr|th|td|blockquote)(?=[\s>])")

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _shift_heading(match: re.Match[str]) -> str:
    level = min(int(match.group(2)) + 1, 4)
    return f"<{match.group(1)}h{level}>"


def own_path(value: str) -> bool:
    """``/x`` is one of our paths; ``//host/x`` is another host's, whatever the scheme."""
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _only_our_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not own_path(value):
        return None
    return value


def render(text: str, *, own_images: bool = False) -> str:
    """The sanitised HTML of ``text`` (Markdown), with GOV.UK classes on its elements.

    ``own_images``: keep images whose address is one of our own paths (any other is dropped).
    """
    html = _renderer.render(text or "")
    html = _HEADING.sub(_shift_heading, html)
    html = _OPEN_TAG.sub(lambda m: f'<{m.group(1)} class="{CLASSES[m.group(1)]}"', html)
    tags, attributes = set(ALLOWED_TAGS), dict(ALLOWED_ATTRIBUTES)
    if own_images:
        tags.add("img")
        attributes["img"] = IMAGE_ATTRIBUTES
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        attribute_filter=_only_our_images,
        allowed_classes={tag: set(classes.split()) for tag, classes in CLASSES.items()},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
