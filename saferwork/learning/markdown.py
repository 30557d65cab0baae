"""Markdown for module steps: rendered by markdown-it-py, then cleaned by nh3 (ammonia).

Two layers, so that a mistake in one does not open the page:

* markdown-it runs with raw HTML switched off: ``<script>`` in a step is shown as text;
* nh3 then keeps only the tags and attributes prose needs, links only to ``https``,
  ``http``, ``mailto`` and our own paths, and images only from our own paths (an image
  from another host would be a request to a third party, which no page may make).

Two placeholders let a shared module point at the learner's own organisation:
``[[reporting]]`` and ``[[support]]`` become links to its reporting route and support page
(or plain words when it has no route open).
"""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "ul", "ol", "li", "a", "blockquote",
    "code", "pre", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
CLASSES = {
    "p": "govuk-body",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "table": "govuk-table",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "blockquote": "govuk-inset-text",
}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
PLACEHOLDER = re.compile(r"\[\[(reporting|support)\]\]")


def _own_path(value: str) -> bool:
    # "/x" is ours; "//host/x" is another host's, whatever the scheme.
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _own_path(value):
        return None
    return value


def _headings_down(html: str) -> str:
    # A step's page has its own h1: Markdown's # and ## become h2, the rest h3.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return re.sub(r"<(/?)h[56]>", r"<\1h4>", html)


def _classes(html: str) -> str:
    for tag, names in CLASSES.items():
        html = re.sub(rf"<{tag}(?=[\s>])", f'<{tag} class="{names}"', html)
    return html


def expand(text: str, *, reporting_url: str = "", support_url: str = "", organisation_name: str = "") -> str:
    """Replace the placeholders with Markdown links to the organisation's own pages."""
    who = organisation_name or "your organisation"

    def link(match: re.Match[str]) -> str:
        if match.group(1) == "reporting":
            return f"[{who}'s safe reporting route]({reporting_url})" if reporting_url else f"{who}'s reporting route"
        return f"[support for {who}'s staff]({support_url})" if support_url else f"the support {who} offers"

    return PLACEHOLDER.sub(link, text)


def render(text: str, **placeholders: str) -> str:
    """Safe HTML for a step's Markdown (mark it safe only after this)."""
    raw = _parser.render(expand(text, **placeholders) if placeholders else text)
    clean = nh3.clean(
        _headings_down(raw),
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_filter,
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Only after cleaning: the class names are ours and fixed.
    return _classes(clean)


def plain(text: str) -> str:
    """Escaped text with line breaks kept (transcripts, feedback)."""
    return "<br>".join(escape(line) for line in text.splitlines())
