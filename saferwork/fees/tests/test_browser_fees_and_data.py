"""The other pages after a session, in a real browser: fees, follow-up, the form's wording, a participant's own data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from saferwork.conftest import assert_accessible
from saferwork.delivery.tests.factories import record_all_attended
from saferwork.delivery.tests.test_browser_after_session import PHONE, sign_in_as
from saferwork.lib.tests.samples import pdf_with_author
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fees_follow_up_form_wording_and_my_data_pages(
    page: Any,
    live_server: Any,
    programme_host: Any,
    programme_admin: Any,
    organisation: Any,
    coordinator: Any,
    tmp_path: Any,
) -> None:
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    booking = tf.booking(organisation, [trainer])
    session = tf.session(booking, days=0)
    tf.session(booking, days=20)  # booked, still to come: a statement bills only the day delivered
    for n in range(3):
        tf.participant(session, n)
    record_all_attended(session, trainer.user)
    mail.outbox.clear()

    page.set_default_timeout(30_000)  # the machine that runs this may be busy

    # The trainer writes a statement with a receipt, and sends it.
    sign_in_as(page, live_server, trainer.user)
    page.goto("/fees/")
    assert "The programme never pays trainers" in page.inner_text("main")
    assert_accessible(page, "fees-index")
    page.get_by_role("button", name=re.compile("New statement")).click()
    page.wait_for_url(re.compile(r".*/fees/\d+/$"))
    assert_accessible(page, "fees-statement-draft")
    page.get_by_label("Description").fill("Return train")
    page.get_by_label("Amount").fill("85.50")
    receipt = tmp_path / "ticket.pdf"
    receipt.write_bytes(pdf_with_author("Return train ticket"))
    page.get_by_label("Receipt (optional)").set_input_files(str(receipt))
    page.get_by_role("button", name="Add").click()
    # One delivered day at £450 plus the train: the day still to come is not billed (it would be £985.50).
    assert page.locator("#fee-total").inner_text() == "£535.50"
    # The line's Remove button must be visible (it was white on white): axe's contrast check.
    assert page.get_by_role("button", name="Remove Return train").count() == 1
    assert_accessible(page, "fees-statement-draft-with-line")
    page.get_by_role("button", name=re.compile("Send to")).click()
    assert "Sent" in page.inner_text("main")
    assert_accessible(page, "fees-statement-sent")

    # The coordinator sees it and asks for a follow-up conversation.
    sign_in_as(page, live_server, coordinator)
    page.goto("/fees/")
    page.get_by_role("link", name=re.compile("Statement STM-")).click()
    assert "£535.50" in page.inner_text("main")
    page.goto("/delivery/follow-up/")
    assert_accessible(page, "follow-up-request")
    page.get_by_label("What would you like to talk about?").fill("A climate survey and our action plan")
    page.get_by_role("button", name="Send request").click()
    assert "sent to the programme team" in page.inner_text("main")
    page.goto("/reach/")
    assert_accessible(page, "reach-organisation")

    # The programme admin sees the request and the evaluation form's versions.
    sign_in_as(page, live_server, programme_admin)
    page.goto("/programme/follow-ups/")
    assert "A climate survey and our action plan" in page.inner_text("main")
    assert_accessible(page, "follow-ups")
    page.goto("/programme/evaluations/")
    assert organisation.name in page.inner_text("main")
    assert_accessible(page, "programme-evaluations")
    page.goto("/programme/evaluation-form/")
    assert_accessible(page, "evaluation-form-admin")
    page.get_by_label("Question: the day overall").fill("Overall, how useful was the day?")
    page.get_by_role("button", name="Save as a new version").click()
    assert "Version 2 of the evaluation form is now in use" in page.inner_text("main")

    # A participant, with no account, downloads their data from an emailed link, on a phone.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto("/my-data/")
    assert_accessible(page, "my-data-request-phone")
    page.get_by_label("Email address").fill("person1@example.org")
    page.get_by_role("button", name="Email me a link").click()
    assert "Check your email" in page.inner_text("main")
    link = re.search(r"http\S+/my-data/[\w-]+/", mail.outbox[-1].body).group(0)  # type: ignore[union-attr]
    page.goto(link.replace(settings.SITE_URL, live_server.url))
    assert "Person 1" in page.inner_text("main")
    assert_accessible(page, "my-data-access-phone")
    page.get_by_label("I understand that this cannot be undone").check()
    page.get_by_role("button", name="Erase my data").click()
    assert "Your data has been erased" in page.inner_text("main")
    assert_accessible(page, "my-data-erased-phone")
