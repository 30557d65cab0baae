"""Markdown for module steps, through the one sanitising renderer (``saferwork.lib.markdown``).

Raw HTML is shown as text, links go only to ``https``, ``http``, ``mailto`` and our own
paths, and images load only from our own paths (an image from another host would be a
request to a third party, which no page may make).

Two placeholders let a shared module point at the learner's own organisation:
``[[reporting]]`` and ``[[support]]`` become links to its reporting route and support page
(or plain words when it has no route open).
"""

from __future__ import annotations

import re

from django.utils.html import escape

from saferwork.lib import markdown

TAGS = markdown.ALLOWED_TAGS | {"img"}
PLACEHOLDER = re.compile(r"\[\[(reporting|support)\]\]")


def expand(text: str, *, reporting_url: str = "", support_url: str = "", organisation_name: str = "") -> str:
    """Replace the placeholders with Markdown links to the organisation's own pages."""
    who = organisation_name or "your organisation"

    def link(match: re.Match[str]) -> str:
        if match.group(1) == "reporting":
            return f"[{who}'s safe reporting route]({reporting_url})" if reporting_url else f"{who}'s reporting route"
        return f"[support for {who}'s staff]({support_url})" if support_url else f"the support {who} offers"

    return PLACEHOLDER.sub(link, text)


def render(text: str, **placeholders: str) -> str:
    """Safe HTML for a step's Markdown (mark it safe only after this); images only from our paths."""
    return markdown.render(expand(text, **placeholders) if placeholders else text, own_images=True)


def plain(text: str) -> str:
    """Escaped text with line breaks kept (transcripts, feedback)."""
    return "<br>".join(escape(line) for line in text.splitlines())
