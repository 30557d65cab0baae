"""row_url gives exactly what reverse gives, for every named route of the project."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse, set_script_prefix

from saferwork.lib.links import row_url


def _routes(patterns: list, namespace: str = "") -> list[tuple[str, int]]:
    """(name, number of arguments) of every named route whose arguments are all numbers."""
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if converters and all(type(c).__name__ == "IntConverter" for c in converters.values()):
                found.append((namespace + entry.name, len(converters)))
    return found


ROUTES = _routes(get_resolver().url_patterns)


def test_the_project_has_routes_with_number_arguments() -> None:
    assert len(ROUTES) > 50
    assert ("recruitment:application", 2) in ROUTES


@pytest.mark.parametrize("numbers", [(0, 1), (7, 12345), (987654300, 987654301), (42, 42)])
def test_every_numbered_route_matches_reverse(numbers: tuple[int, int]) -> None:
    for name, arity in ROUTES:
        args = numbers[:arity] if arity <= 2 else (numbers[0],) * arity
        assert row_url(name, *args) == reverse(name, args=args), name


def test_a_script_prefix_is_kept() -> None:
    try:
        set_script_prefix("/saferwork/")
        assert row_url("training:trainer_edit", 5) == "/saferwork/programme/trainers/5/"
    finally:
        set_script_prefix("/")
    assert row_url("training:trainer_edit", 5) == "/programme/trainers/5/"


def test_arguments_that_are_not_numbers_go_to_reverse() -> None:
    assert row_url("training:trainer_edit", "5") == reverse("training:trainer_edit", args=["5"])
    with pytest.raises(NoReverseMatch):
        row_url("training:trainer_edit", "five")
    with pytest.raises(NoReverseMatch):
        row_url("training:trainer_edit", -1)
    with pytest.raises(NoReverseMatch):
        row_url("training:no_such_page", 1)
    with pytest.raises(NoReverseMatch):
        row_url("training:trainer_edit", 1, 2)


def test_the_template_tag_escapes_nothing_it_should_not() -> None:
    html = Template("{% load rows %}<a href=\"{% row_url 'recruitment:application' 3 41 %}\">").render(Context())
    assert html == '<a href="/programme/recruitment/3/applications/41/">'
