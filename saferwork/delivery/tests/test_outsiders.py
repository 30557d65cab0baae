"""Every signed-in page of delivery, reach and fees, opened by someone from another organisation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saferwork.accounts.decorators import grant_sudo
from saferwork.delivery import services as delivery
from saferwork.delivery.tests.factories import record_all_attended
from saferwork.fees import services as fees
from saferwork.lib.tests import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(trainer: Any, coordinator: Any, booking: Any, session: Any, settings: Any) -> dict[str, Any]:
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    record_all_attended(session, trainer.user)
    document = fees.start_document(enquiry=booking, trainer=trainer, kind="statement", actor=None)
    line = fees.add_line(
        document=document,
        kind="travel",
        description="Train",
        amount_pence=1000,
        receipt=SimpleUploadedFile("t.pdf", samples.pdf_with_author()),
        actor=None,
    )
    fees.send_document(document=document, actor=None)
    follow_up = delivery.request_follow_up(organisation=session.organisation, actor=coordinator, topics="More sessions")
    return {"session": session, "document": document, "line": line, "follow_up": follow_up}


def urls(world: dict[str, Any]) -> list[tuple[str, str]]:
    s, d, line, f = world["session"].pk, world["document"].pk, world["line"].pk, world["follow_up"].pk
    return [
        ("get", reverse("delivery:attendance", args=[s])),
        ("post", reverse("delivery:attendance", args=[s])),
        ("get", reverse("delivery:results", args=[s])),
        ("get", reverse("delivery:evaluation_form")),
        ("post", reverse("delivery:evaluation_form")),
        ("get", reverse("delivery:programme_evaluations")),
        ("get", reverse("delivery:follow_ups")),
        ("post", reverse("delivery:follow_up_state", args=[f])),
        ("get", reverse("reach:programme")),
        ("get", reverse("reach:programme_csv")),
        ("get", reverse("reach:programme_xlsx")),
        ("get", reverse("fees:detail", args=[d])),
        ("post", reverse("fees:detail", args=[d])),
        ("post", reverse("fees:send", args=[d])),
        ("post", reverse("fees:paid", args=[d])),
        ("post", reverse("fees:remove_line", args=[d, line])),
        ("get", reverse("fees:receipt", args=[d, line])),
        ("get", reverse("fees:docx", args=[d])),
        ("get", reverse("fees:pdf", args=[d])),
    ]


def test_outsider_reaches_nothing_of_another_organisation(
    verified_client: Any, outsider: Any, world: dict[str, Any]
) -> None:
    client = verified_client(outsider)
    session = client.session
    grant_sudo(type("R", (), {"session": session})())  # type: ignore[arg-type]
    session.save()
    for method, url in urls(world):
        response = getattr(client, method)(url, {"state": "closed", "p1": "attended"})
        assert response.status_code in (403, 404), f"{method.upper()} {url} answered {response.status_code}"
    world["document"].refresh_from_db()
    world["follow_up"].refresh_from_db()
    assert world["document"].state == "sent"
    assert world["follow_up"].state == "new"


def test_outsider_lists_show_nothing_of_another_organisation(
    verified_client: Any, outsider: Any, world: dict[str, Any]
) -> None:
    client = verified_client(outsider)
    for name in ("delivery:sessions", "fees:index", "reach:organisation", "delivery:follow_up"):
        page = client.get(reverse(name)).content.decode()
        assert "Home Union" not in page, name
        assert world["document"].reference not in page, name
