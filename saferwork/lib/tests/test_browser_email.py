"""An email's HTML part as a reader's mail client shows it: the name is text, it fits a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from saferwork.conftest import assert_accessible
from saferwork.lib import email as lib_email
from saferwork.lib.tests.test_email_rendering import CONTACT, NAME, World, power_dynamics, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_html_email_shows_the_name_as_text_and_fits_a_phone(page: Any, world: World) -> None:  # noqa: F811
    power_dynamics(world)
    lib_email.deliver(kind="training.power_dynamics", ids=[str(world.session.pk)])
    html = next(content for content, mimetype in mail.outbox[0].alternatives if mimetype == "text/html")
    page.set_viewport_size({"width": 375, "height": 800})
    page.set_content(str(html))
    text = page.inner_text("body")
    assert NAME in text and CONTACT in text
    assert page.locator("ltd").count() == 0  # "<Ltd>" stayed text, never became markup
    assert page.locator("li").count() == 2
    assert page.locator(f'a[href$="/training/sessions/{world.session.pk}/"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "email-power-dynamics-phone")
    page.set_viewport_size({"width": 1000, "height": 800})
    assert_accessible(page, "email-power-dynamics-desktop")
