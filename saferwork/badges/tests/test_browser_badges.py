"""A badge as people meet it: checked by a stranger, revoked by a programme admin, checked again."""

from __future__ import annotations

import datetime

import pytest

from saferwork.badges import services
from saferwork.conftest import assert_accessible, current_code, screenshot
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verification_page_says_valid_then_revoked_after_a_programme_admin_revokes(page, live_server, programme_admin):
    achievement = services.default_achievement()
    credential = services.issue_badge(
        recipient_email="pat@example.org",
        achievement=achievement,
        show_topic=False,
        session_date=datetime.date(2026, 11, 3),
    )

    # A stranger (no account) opens the link the holder shared.
    page.goto(f"/badges/{credential.id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Workplace culture training"
    assert page.locator(".sw-badge-status__headline").inner_text() == "Valid"
    checks = page.locator(".govuk-summary-list").first.inner_text()
    for label in ("Signature", "Signature (JWT copy)", "Issuer", "Validity period", "Revocation", "Recipient"):
        assert label in checks
    assert "harass" not in page.inner_text("main").lower()
    assert_accessible(page, "badge-valid")

    page.get_by_label("Email address").fill("PAT@example.org")
    page.get_by_role("button", name="Check email address").click()
    assert "That address matches" in page.inner_text("main")
    assert_accessible(page, "badge-email-matches")

    # The same badge pasted into the verification form.
    page.goto("/badges/verify/")
    assert_accessible(page, "badge-verify-form")
    page.get_by_label("Badge credential").fill(credential.jwt)
    page.get_by_role("button", name="Check badge").click()
    assert page.locator(".sw-badge-status__headline").inner_text() == "Valid"
    assert_accessible(page, "badge-verify-result")

    # A programme admin revokes it, confirming with a fresh code first.
    sign_in_as(page, live_server, programme_admin)
    page.goto("/programme/badges/")
    assert_accessible(page, "badges-admin-list")
    page.get_by_role("link", name=f"Revoke badge {str(credential.id)[:8]}").click()
    page.wait_for_url("**/account/confirm/?next=*")
    page.get_by_label("Code").fill(current_code(programme_admin.totpdevice_set.get()))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**/programme/badges/{credential.id}/revoke/")
    assert_accessible(page, "badge-revoke")

    page.get_by_role("button", name="Revoke badge").click()
    assert "Enter the reason for revoking this badge" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "badge-revoke-errors")
    page.get_by_label("Why are you revoking this badge?").fill("The participant asked for it to be withdrawn")
    page.get_by_label("I understand that revoking cannot be undone").check()
    page.get_by_role("button", name="Revoke badge").click()
    page.wait_for_url("**/programme/badges/")
    assert "has been revoked" in page.inner_text("main")
    assert_accessible(page, "badges-admin-list-revoked")

    # The public page now says so, with the date and without the reason.
    page.goto(f"/badges/{credential.id}/")
    today = datetime.date.today()
    assert page.locator(".sw-badge-status__headline").inner_text() == f"Revoked on {today.day} {today:%B %Y}"
    assert "withdrawn" not in page.inner_text("main")
    assert page.get_by_role("link", name="Certificate (PDF)").count() == 0
    assert_accessible(page, "badge-revoked")


def test_certificate_link_serves_a_pdf(page, live_server):
    from saferwork.tests import factories

    factories.OrganisationFactory(kind="programme_host", name="Test Confederation")
    credential = services.issue_badge(
        recipient_email="pat@example.org",
        achievement=services.default_achievement(),
        show_topic=True,
        session_date=datetime.date(2026, 11, 3),
    )
    page.goto(f"/badges/{credential.id}/")
    href = page.get_by_role("link", name="Certificate (PDF)").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    screenshot(page, "badge-valid-topic")


def test_badge_page_fits_a_phone(page, live_server, programme_host):
    credential = services.issue_badge(
        recipient_email="pat@example.org",
        achievement=services.default_achievement(),
        show_topic=True,
        session_date=datetime.date(2026, 11, 3),
    )
    page.set_viewport_size({"width": 360, "height": 780})
    for url in (f"/badges/{credential.id}/", "/badges/verify/"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a phone"
    page.goto(f"/badges/{credential.id}/")
    assert_accessible(page, "badge-valid-phone")
