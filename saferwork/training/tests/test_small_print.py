"""Small things a careful reader notices: the briefing, the draft link, demo deadlines."""

from __future__ import annotations

import io
import zoneinfo

import docx
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from saferwork.recruitment.models import Round
from saferwork.training import documents, services
from saferwork.training.models import CAPACITY_HARD_LIMIT, CAPACITY_WARN_ABOVE, Briefing

pytestmark = pytest.mark.django_db


def test_default_briefing_agrees_with_the_session_page_and_its_own_layout(organisation):
    template = services.default_template()
    briefing = Briefing(
        organisation=organisation,
        introduction=template.introduction,
        about_the_day=template.about_the_day,
        not_a_reporting_space=template.not_a_reporting_space,
        support_before=template.support_before,
        support_after=template.support_after,
        contact_name="Pat Point",
    )
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(documents.briefing_docx(briefing))).paragraphs)
    # The point of contact is printed before the support section, so "below" would send readers the wrong way.
    assert text.index("Your point of contact") < text.index("Support before and after")
    assert "below" not in text
    assert f"about {CAPACITY_WARN_ABOVE} people (never more than {CAPACITY_HARD_LIMIT})" in text
    assert "at most 12" not in text


@override_settings(RECRUITMENT_RESUME_LINK_DAYS=30)
def test_saved_application_page_gives_the_same_link_lifetime_as_the_email(client):
    html = client.get(reverse("recruitment:saved")).content.decode()
    assert "30 days" in html and "some weeks" not in html


def test_demo_recruitment_round_closes_at_a_real_deadline_hour(programme_host):
    call_command("seed_recruitment_demo", "--force", stdout=io.StringIO())
    round_ = Round.objects.get()
    local = round_.closes_at.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    assert (local.hour, local.minute) == (17, 0)
