"""The one-pass <select> gives the same HTML as Django's own Select widget."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from saferwork.lib.widgets import PlainSelect

CHOICES = [("", "Any"), ("1", "Unite & <Friends>"), ("2", "GMB"), ("Wales", [("3", "Cardiff"), ("4", "Swansea")])]


@pytest.mark.parametrize("value", [None, "", "2", "4", "99"])
def test_plain_select_matches_django(value: str | None) -> None:
    attrs = {"id": "id_org", "class": "govuk-select", "aria-describedby": "id_org-hint"}
    theirs = forms.Select(choices=CHOICES).render("org", value, attrs=attrs)
    ours = PlainSelect(choices=CHOICES).render("org", value, attrs=attrs)
    assert parse_html(ours) == parse_html(theirs)


def test_model_choices_keep_their_values(db: object) -> None:
    from saferwork.organisations.models import Organisation

    org = Organisation.objects.create(name="Bench & Co", slug="bench-co", kind="union")

    class Filters(forms.Form):
        organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), required=False, widget=PlainSelect)

    html = str(Filters({"organisation": str(org.pk)})["organisation"])
    assert f'<option value="{org.pk}" selected>Bench &amp; Co</option>' in html
