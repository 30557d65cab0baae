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


def test_plain_choices_validate_and_render_like_normalised_ones() -> None:
    from saferwork.lib.widgets import set_plain_choices

    class Filters(forms.Form):
        organisation = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, widget=PlainSelect)

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            set_plain_choices(self.fields["organisation"], [("", "All"), (7, "Unite & <Friends>"), (9, "GMB")])  # type: ignore[arg-type]

    chosen = Filters({"organisation": "9"})
    assert chosen.is_valid() and chosen.cleaned_data["organisation"] == 9
    assert not Filters({"organisation": "8"}).is_valid()  # not one of the choices
    html = str(Filters({"organisation": "7"})["organisation"])
    assert parse_html('<option value="7" selected>Unite &amp; &lt;Friends&gt;</option>') in parse_html(html)
    assert Filters()["organisation"].field.choices == [("", "All"), (7, "Unite & <Friends>"), (9, "GMB")]  # type: ignore[attr-defined]
