from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from saferwork.surveys.models import Answer, Draft, Response

pytestmark = pytest.mark.django_db


def test_an_open_link_answer_goes_page_by_page(client: Any, live_survey: Any) -> None:
    link = live_survey.departments.first().open_link
    start = client.get(reverse("surveys:open_link", args=[link]))
    assert start.status_code == 200
    assert "at least <strong>10 people</strong>" in start.content.decode()
    assert "no-store" in start["Cache-Control"]
    page = client.post(reverse("surveys:open_link", args=[link]), follow=True)
    assert page.status_code == 200, page.content.decode()[:2000]
    html = page.content.decode()
    assert "Exit this page" in html
    questions = {q.item.code: q for q in live_survey.questions.select_related("item")}
    client.post(
        reverse("surveys:answer_page", args=[1]),
        {str(questions["EXP-ANY"].pk): "1", str(questions["CONF-REPORT"].pk): "4"},
    )
    assert Draft.objects.get().answers[str(questions["EXP-ANY"].pk)] == 1
    second = client.get(reverse("surveys:answer_page", args=[2])).content.decode()
    assert "Who did it?" in second
    moved = client.post(
        reverse("surveys:answer_page", args=[2]),
        {str(questions["WHO-DID"].pk): ["1", "4"], str(questions["TXT-IMPROVE"].pk): "Better lighting"},
    )
    assert moved.status_code == 302 and "/survey/support/" in moved["Location"]
    support = client.get(moved["Location"]).content.decode()
    assert "has not been sent to anyone" in support
    done = client.post(reverse("surveys:check"))
    assert done.status_code == 302
    response = Response.objects.get()
    assert response.release is None
    assert Answer.objects.filter(response=response).count() == 5
