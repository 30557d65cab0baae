"""The standards journey in a real browser: a coordinator publishes a policy, a member reads and
acknowledges it on a phone, the coordinator sends reminders and reads the suppressed report."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from saferwork.conftest import assert_accessible, assert_fits_phone, screenshot
from saferwork.standards.models import Document, Request
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = "<script>document.title='pwned'</script> [tap](javascript:alert(1))"


def _switch(page: Any, live_server: Any, user: Any) -> None:
    page.context.clear_cookies()
    sign_in_as(page, live_server, user)


def test_publish_acknowledge_on_a_phone_remind_and_report(
    page: Any, live_server: Any, coordinator: Any, participant: Any, colleague: Any, world: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)
    # The coordinator publishes behavioural standards to everyone.
    sign_in_as(page, live_server, coordinator)
    page.goto("/standards/manage/")
    expect(page.locator("#documents")).to_contain_text("Sexual harassment policy, version 1.0")
    assert_accessible(page, "standards-manage")
    page.get_by_role("link", name="Publish a document").click()
    page.wait_for_url(re.compile(r".*/standards/manage/new/$"))
    page.get_by_role("button", name="Publish and ask people to acknowledge it").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "standards-publish-errors")
    page.get_by_label("Behavioural standards").check()
    page.get_by_label("Title").fill("How we treat each other")
    page.get_by_label("Version").fill("1.0")
    page.get_by_label("Text of the document").fill(
        f"# Respect\n\nWe treat everyone with **dignity**.\n\n- Speak up\n- Listen\n\n{HOSTILE}"
    )
    page.get_by_label("Everyone in the organisation").check()
    page.get_by_role("button", name="Publish and ask people to acknowledge it").click()
    expect(page.get_by_text("Published. Everyone you chose has been asked")).to_be_visible()
    assert_accessible(page, "standards-document")
    document = Document.objects.get(title="How we treat each other")
    version = document.current_version
    assert version is not None
    assert Request.objects.filter(version=version).count() == Request.objects.filter(version=world["policy"]).count()
    page.get_by_role("link", name="Ask more people").click()
    assert_accessible(page, "standards-ask-more")
    page.goto(f"/standards/manage/{document.pk}/versions/new/")
    assert_accessible(page, "standards-new-version")
    page.goto("/standards/manage/departments/")
    expect(page.locator("#department-list")).to_contain_text("Parks")
    assert_accessible(page, "standards-departments")

    # The member reads and acknowledges it on a phone.
    _switch(page, live_server, participant)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/standards/")
    expect(page.locator("#to-read")).to_contain_text("How we treat each other")
    assert_accessible(page, "standards-home-member")
    page.get_by_role("link", name="How we treat each other").click()
    page.wait_for_url(re.compile(rf".*/standards/versions/{version.pk}/$"))
    expect(page.locator("#document-body h2")).to_have_text("Respect")
    expect(page.locator("#document-body")).to_contain_text("<script>")  # shown as text, never run
    assert page.title() != "pwned"
    assert page.locator("#document-body script").count() == 0
    assert page.locator("#document-body a[href^='javascript']").count() == 0
    expect(page.locator("#what-acknowledging-means")).to_contain_text("applies to you")
    assert_accessible(page, "standards-read-phone")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tick the box")
    page.get_by_label("I have read this version and I understand that it applies to me").check()
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_url(re.compile(r".*/acknowledged/$"))
    expect(page.locator(".govuk-panel")).to_contain_text("Acknowledged")
    assert_accessible(page, "standards-acknowledged-phone")
    page.goto("/standards/")
    expect(page.locator("#acknowledged")).to_contain_text("How we treat each other")
    assert_fits_phone(page, "standards-home-after-phone")
    assert Request.objects.get(version=version, user=participant).acknowledged_at is not None

    # The coordinator reminds the rest: everyone but the participant gets one.
    _switch(page, live_server, coordinator)
    page.set_viewport_size({"width": 1280, "height": 900})
    mail.outbox.clear()
    page.goto(f"/standards/manage/{document.pk}/")
    page.get_by_role("button", name="Send reminders now").click()
    expect(page.get_by_text("Reminders are on their way")).to_be_visible()
    reminded = {m.to[0] for m in mail.outbox if m.subject.startswith("Reminder")}
    assert participant.email not in reminded and colleague.email in reminded
    assert_accessible(page, "standards-document-reminded")

    # The report: Parks (3 people) is hidden, so is what would give it away.
    page.goto("/standards/report/")
    parks = page.locator(f"#by-department-{document.pk} tr", has_text="Parks")
    expect(parks).to_contain_text("hidden")
    expect(page.locator("#footnote")).to_contain_text("Counts below 10")
    assert_accessible(page, "standards-report")
    screenshot(page, "standards-report-full")


def _check(page: Any, name: str) -> None:
    assert_accessible(page, name)
    assert_fits_phone(page, f"{name}-phone")


def test_draft_preview_publish_and_withdraw(
    page: Any, live_server: Any, coordinator: Any, participant: Any, world: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)
    sign_in_as(page, live_server, coordinator)
    # A draft, saved without choosing who is asked, then previewed and changed.
    page.goto("/standards/manage/new/")
    page.get_by_label("Behavioural standards").check()
    page.get_by_label("Title").fill("Conduct at events")
    page.get_by_label("Version").fill("0.9")
    page.get_by_label("Text of the document").fill("# At events\n\nNo *unwanted* contact.")
    page.get_by_role("button", name="Save as a draft and preview it").click()
    page.wait_for_url(re.compile(r".*/standards/manage/drafts/\d+/$"))
    expect(page.locator("#draft-banner")).to_contain_text("Nobody has been asked to read it")
    expect(page.locator("#document-body h2")).to_have_text("At events")
    _check(page, "standards-draft-preview")
    draft_url = page.url
    page.get_by_role("link", name="Change the draft").click()
    _check(page, "standards-draft-edit")
    page.get_by_label("Version").fill("1.0")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#version-meta")).to_contain_text("Draft of version 1.0")
    page.goto("/standards/manage/")
    expect(page.locator("#unpublished")).to_contain_text("Conduct at events")
    _check(page, "standards-manage-with-draft")

    # The member does not see it, even at its address.
    _switch(page, live_server, participant)
    page.goto("/standards/")
    expect(page.locator("main")).not_to_contain_text("Conduct at events")
    draft_pk = draft_url.rstrip("/").rsplit("/", 1)[1]
    assert page.goto(f"/standards/versions/{draft_pk}/").status == 404  # type: ignore[union-attr]

    # Published through the confirmation step, to everyone.
    _switch(page, live_server, coordinator)
    page.goto(draft_url)
    page.get_by_role("link", name="Publish it").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("cannot be changed")
    _check(page, "standards-draft-publish")
    page.get_by_label("Everyone in the organisation").check()
    page.get_by_role("button", name="Publish and ask them").click()
    expect(page.get_by_text("Published. Everyone you chose has been asked")).to_be_visible()
    document = Document.objects.get(title="Conduct at events")
    assert document.current_version is not None and document.current_version.asks_everyone
    assert Request.objects.filter(version=document.current_version, user=participant).exists()

    # Withdrawn, with a reason, after a confirmation page.
    page.get_by_role("link", name=re.compile("Withdraw version 1.0")).click()
    _check(page, "standards-withdraw")
    page.get_by_role("button", name="Withdraw it").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why")
    page.get_by_label("Why is it being withdrawn?").fill("Replaced by the events policy")
    page.get_by_role("button", name="Withdraw it").click()
    expect(page.get_by_text("Withdrawn. Nobody is asked or reminded")).to_be_visible()
    expect(page.locator("#versions")).to_contain_text("Withdrawn")
    expect(page.locator("#withdrawn-progress")).to_be_visible()
    _check(page, "standards-document-withdrawn")

    # The member's list no longer has it; its page says it was withdrawn, with no form.
    _switch(page, live_server, participant)
    page.goto("/standards/")
    expect(page.locator("main")).not_to_contain_text("Conduct at events")
    page.goto(f"/standards/versions/{document.versions.get().pk}/")
    expect(page.locator("#withdrawn")).to_contain_text("You do not need to acknowledge it")
    assert page.get_by_role("button", name="Acknowledge").count() == 0
    _check(page, "standards-read-withdrawn")
