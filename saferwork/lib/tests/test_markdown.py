"""Hostile Markdown and HTML in what coordinators write for others (a document body, a module
step) come out as harmless text or not at all."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferwork.lib import markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '[t](https://example.org "<p onmouseover=alert(1) x=")',
    "![tracker](https://evil.example/pixel.png)",
    "<iframe src=https://evil.example></iframe>",
    "<a href=https://evil.example style=position:fixed>x</a>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<svg><script>alert(1)</script></svg>",
    "<form action=https://evil.example><input name=p></form>",
    "<!-- <script>alert(1)</script> -->",
    "```\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
    '<p class="govuk-body" onclick="alert(1)">x</p>',
]

ALLOWED = markdown.ALLOWED_TAGS


class _Elements(HTMLParser):
    """Every element and attribute as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _check(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED, html
        for name, value in attrs:
            assert name in {"class", "href", "title", "rel", "align"}, html
            if name == "href":
                assert (value or "").startswith(("https://", "http://", "mailto:", "/", "#")), html
            if name == "class":
                assert set((value or "").split()) <= {c for v in markdown.CLASSES.values() for c in v.split()}, html


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_sanitised(text: str) -> None:
    _check(markdown.render(text))


def test_raw_html_is_shown_as_text_not_run() -> None:
    html = markdown.render("<script>alert(1)</script>")
    assert "&lt;script&gt;" in html and "<script" not in html


def test_markdown_keeps_what_a_policy_needs_with_govuk_classes() -> None:
    html = markdown.render(
        "# Scope\n\nApplies to **everyone**.\n\n- one\n- two\n\n[Acas](https://www.acas.org.uk)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert '<h2 class="govuk-heading-l">Scope</h2>' in html  # h1 is the page's title
    assert "<strong>everyone</strong>" in html and '<ul class="govuk-list govuk-list--bullet">' in html
    assert 'href="https://www.acas.org.uk"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert '<table class="govuk-table">' in html


def test_a_title_cannot_break_out_of_its_attribute() -> None:
    html = markdown.render('[t](https://example.org "<p onmouseover=alert(1) x=")')
    assert 'title="&lt;p onmouseover=alert(1) x="' in html
    assert 'onmouseover=alert(1) x="' not in html.replace('title="&lt;p onmouseover=alert(1) x="', "")


@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ ascriptonlodhfj:()[]!#*`-\n")), max_size=80))
def test_any_mix_of_markup_characters_is_sanitised(text: str) -> None:
    _check(markdown.render(text))
