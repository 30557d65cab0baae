"""The step sanitiser against hostile Markdown and HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from saferwork.learning.markdown import TAGS, render

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    '<div onclick="alert(1)">hi</div>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    "![tracker](https://evil.example/pixel.png)",
    "![tracker](//evil.example/pixel.png)",
    "[x](vbscript:msgbox)",
    "<svg onload=alert(1)>",
]


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML (escaped text is not one)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_cannot_run_or_load_anything(text: str) -> None:
    parser = _Elements()
    parser.feed(render(text))
    for tag, attrs in parser.found:
        assert tag in TAGS, tag
        assert not [name for name in attrs if name.startswith("on") or name == "style"], attrs
        href = attrs.get("href", "").strip().lower()
        assert not href or href.startswith(("https:", "http:", "mailto:", "/")), href
        src = attrs.get("src", "")
        assert not src or (src.startswith("/") and not src.startswith("//")), src


def test_raw_html_is_shown_as_text_not_markup() -> None:
    assert "&lt;b&gt;bold&lt;/b&gt;" in render("<b>bold</b>")


def test_ordinary_markdown_keeps_its_meaning() -> None:
    html = render(
        "# Title\n\nSome **bold** and a [link](https://example.org).\n\n- one\n- two\n\n![ours](/static/img/x.svg)"
    )
    assert '<h2 class="govuk-heading-l">Title</h2>' in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert 'src="/static/img/x.svg"' in html


def test_placeholders_link_the_organisations_own_pages() -> None:
    html = render(
        "Use [[reporting]] or [[support]].",
        reporting_url="/report/acme/",
        support_url="/report/acme/support/",
        organisation_name="Acme",
    )
    assert 'href="/report/acme/"' in html and 'href="/report/acme/support/"' in html
    closed = render("Use [[reporting]].", reporting_url="", support_url="", organisation_name="Acme")
    assert "href" not in closed and "Acme's reporting route" in closed
