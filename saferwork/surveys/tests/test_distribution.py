"""Open links, staff lists, one-time invitations, reminders, and what bad input gets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from saferwork.surveys import services
from saferwork.surveys.models import Draft, Invitation, Response, SpentInvitation, Survey
from saferwork.surveys.tests.helpers import LINK, answer_through, csv_upload, invite, xlsx_upload

pytestmark = pytest.mark.django_db


def test_a_malformed_staff_list_lists_every_bad_row_and_imports_nothing(
    verified_client: Any, coordinator: Any, live_survey: Survey
) -> None:
    client = verified_client(coordinator)
    text = (
        "email,department\n"
        "ann@example.org,Housing\n"
        "not-an-address,Housing\n"
        "bob@example.org,Parks\n"
        "ann@example.org,Libraries\n"
        ",Libraries\n"
        "cat@example.org,\n"
    )
    page = client.post(reverse("surveys:distribution", args=[live_survey.pk]), {"staff_list": csv_upload(text)})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Line 3: “not-an-address” is not an email address." in html
    assert "Line 4: “Parks” is not a department taking part in this survey." in html
    assert "Line 5: Ann@example.org appears more than once." in html
    assert "Line 6: The email address is missing." in html
    assert "Line 7: The department is missing." in html
    assert "Nothing was imported" in html
    assert not Invitation.objects.exists()


def test_a_file_that_is_not_a_staff_list_is_explained(
    verified_client: Any, coordinator: Any, live_survey: Survey
) -> None:
    client = verified_client(coordinator)
    url = reverse("surveys:distribution", args=[live_survey.pk])
    missing = client.post(url, {"staff_list": csv_upload("name,team\nAnn,Housing\n")}).content.decode()
    assert "missing: email, department" in missing
    binary = client.post(url, {"staff_list": csv_upload("\xff\xfe", name="x.csv")})
    assert binary.status_code == 200
    broken = client.post(url, {"staff_list": csv_upload("not a workbook", name="x.xlsx")}).content.decode()
    assert "could not be read as an Excel workbook" in broken
    wrong = client.post(url, {"staff_list": csv_upload("x", name="x.pdf")}).content.decode()
    assert "must be a CSV or an Excel" in wrong
    assert not Invitation.objects.exists()


def test_a_clean_xlsx_list_is_imported_then_sent_and_only_counts_are_kept(
    verified_client: Any, coordinator: Any, live_survey: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    client = verified_client(coordinator)
    rows = [["Email", "Department"], ["ann@example.org", "Housing"], ["bob@example.org", "housing"], [None, None]]
    rows.append(["cat@example.org", "Libraries"])
    page = client.post(reverse("surveys:distribution", args=[live_survey.pk]), {"staff_list": xlsx_upload(rows)})
    assert page.status_code == 302
    assert Invitation.objects.filter(sent=False).count() == 3
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:invitations_send", args=[live_survey.pk]))
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bob@example.org", "cat@example.org"]
    assert {d.department.name: d.invited for d in live_survey.departments.all()} == {"Housing": 2, "Libraries": 1}
    tokens = [LINK.search(m.body).group(1) for m in mail.outbox]  # type: ignore[union-attr]
    assert not Invitation.objects.filter(token_hash__in=tokens).exists()  # only hashes are stored
    page = client.get(reverse("surveys:distribution", args=[live_survey.pk])).content.decode()
    assert "3 invitations not yet used" in page


def test_an_invitation_works_once_and_its_address_is_gone_once_used(
    client: Any, coordinator: Any, live_survey: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    tokens = invite(live_survey, coordinator, [("ann@example.org", "Housing")], django_capture_on_commit_callbacks)
    url = reverse("surveys:invitation", args=[tokens[0]])
    assert "invitation link is marked as used in a separate list" in client.get(url).content.decode()
    answer_through(client, url, {1: {"EXP-ANY": "2", "CONF-REPORT": "5"}, 2: {}}, live_survey)
    assert not Invitation.objects.exists()
    assert SpentInvitation.objects.count() == 1
    assert Response.objects.get().department.department.name == "Housing"
    again = Client().get(url)
    assert again.status_code == 410
    assert "This invitation has already been used" in again.content.decode()
    assert Client().post(url).status_code == 410
    assert Response.objects.count() == 1


def test_an_unknown_invitation_is_refused_and_guessing_is_rate_limited(client: Any, settings: Any) -> None:
    from saferwork.surveys import views

    views.RATE_LIMIT_LINK = (3, 3600)
    try:
        for _ in range(3):
            assert client.get(reverse("surveys:invitation", args=["guess"])).status_code == 404
        assert client.get(reverse("surveys:invitation", args=["guess"])).status_code == 429
    finally:
        views.RATE_LIMIT_LINK = (30, 3600)


def test_anonymous_answers_are_rate_limited(client: Any, live_survey: Survey) -> None:
    from saferwork.surveys import views

    link = reverse("surveys:open_link", args=[live_survey.departments.first().open_link])
    views.RATE_LIMIT = (2, 3600)
    try:
        assert client.post(link).status_code == 302
        assert client.post(reverse("surveys:answer_page", args=[1]), {}).status_code == 302
        assert client.post(reverse("surveys:answer_page", args=[1]), {}).status_code == 429
    finally:
        views.RATE_LIMIT = (300, 3600)


def test_reminders_go_only_to_unused_invitations_with_a_new_link(
    client: Any, coordinator: Any, live_survey: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    people = [("ann@example.org", "Housing"), ("bob@example.org", "Housing"), ("cat@example.org", "Libraries")]
    tokens = invite(live_survey, coordinator, people, django_capture_on_commit_callbacks)
    sent_to = {m.to[0]: LINK.search(m.body).group(1) for m in mail.outbox}  # type: ignore[union-attr]
    answer_through(
        client, reverse("surveys:invitation", args=[sent_to["bob@example.org"]]), {1: {}, 2: {}}, live_survey
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(survey=live_survey, actor=coordinator) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "cat@example.org"]
    fresh = LINK.search(mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    assert fresh not in tokens
    assert Client().get(reverse("surveys:invitation", args=[fresh])).status_code == 200


def test_an_answer_can_be_finished_later_with_the_resume_code(client: Any, live_survey: Survey) -> None:
    link = reverse("surveys:open_link", args=[live_survey.departments.first().open_link])
    client.post(link)
    questions = {q.item.code: q.pk for q in live_survey.questions.select_related("item")}
    page = client.post(reverse("surveys:answer_page", args=[1]), {str(questions["CONF-REPORT"]): "2"}, follow=True)
    code = page.context["resume_code"]
    other = Client()
    assert other.get(reverse("surveys:answer")).status_code == 302  # to the resume page
    wrong = other.post(reverse("surveys:resume"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert "No answers in progress have this resume code" in wrong.content.decode()
    resumed = other.post(reverse("surveys:resume"), {"code": code.lower().replace("-", " ")}, follow=True)
    assert resumed.status_code == 200
    assert "What happened" in resumed.content.decode()
    back = other.get(reverse("surveys:answer_page", args=[1])).content.decode()
    assert 'value="2" checked' in back


def test_a_survey_closed_mid_answer_keeps_the_answers_given_and_says_so(
    client: Any, coordinator: Any, live_survey: Survey
) -> None:
    link = reverse("surveys:open_link", args=[live_survey.departments.first().open_link])
    client.post(link)
    questions = {q.item.code: q.pk for q in live_survey.questions.select_related("item")}
    client.post(reverse("surveys:answer_page", args=[1]), {str(questions["CONF-REPORT"]): "2"})
    services.close(survey=live_survey, actor=coordinator)
    page = client.post(reverse("surveys:answer_page", args=[2]), {str(questions["TXT-IMPROVE"]): "More"})
    assert page.status_code == 410
    assert "The answers you gave on the pages you completed have been kept" in page.content.decode()
    kept = Response.objects.get()
    assert not kept.finished
    assert list(kept.answers.values_list("question__item__code", "choice")) == [("CONF-REPORT", 2)]
    assert not Draft.objects.exists()


def test_closing_by_date_keeps_unfinished_answers_and_forgets_addresses(
    client: Any, coordinator: Any, live_survey: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    invite(live_survey, coordinator, [("ann@example.org", "Housing")], django_capture_on_commit_callbacks)
    link = reverse("surveys:open_link", args=[live_survey.departments.first().open_link])
    client.post(link)
    questions = {q.item.code: q.pk for q in live_survey.questions.select_related("item")}
    client.post(reverse("surveys:answer_page", args=[1]), {str(questions["CONF-REPORT"]): "4"})
    Survey.objects.filter(pk=live_survey.pk).update(closes_on=dt.date(2020, 1, 1))
    page = client.get(reverse("surveys:answer"))
    assert page.status_code == 410
    assert Survey.objects.get(pk=live_survey.pk).status == Survey.Status.CLOSED
    assert Response.objects.filter(finished=False).count() == 1
    assert not Invitation.objects.exists()


def test_open_link_pages_are_no_store_and_carry_exit_and_support(client: Any, live_survey: Survey) -> None:
    link = reverse("surveys:open_link", args=[live_survey.departments.first().open_link])
    for response in [client.get(link), client.post(link, follow=True), client.get(reverse("surveys:resume"))]:
        html = response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert "Exit this page" in html
        assert "Rape Crisis" in html
    assert client.get(reverse("surveys:open_link", args=["nothing"])).status_code == 404


def test_a_draft_survey_link_does_not_take_answers(client: Any, survey: Survey) -> None:
    link = reverse("surveys:open_link", args=[survey.departments.first().open_link])
    assert client.post(link).status_code == 410
    assert not Draft.objects.exists()


def test_a_malformed_xlsx_staff_list_lists_every_bad_row_by_line_and_imports_nothing(
    verified_client: Any, coordinator: Any, live_survey: Survey
) -> None:
    client = verified_client(coordinator)
    rows = [
        ["Email", "Department"],
        ["ann@example.org", "Housing"],
        ["ann at example", "Libraries"],
        ["bob@example.org", "Finance"],
        [None, None],  # a blank line in a spreadsheet is skipped, not an error
        ["cat@example.org", None],
    ]
    page = client.post(reverse("surveys:distribution", args=[live_survey.pk]), {"staff_list": xlsx_upload(rows)})
    html = page.content.decode()
    assert "Line 3: “ann at example” is not an email address." in html
    assert "Line 4: “Finance” is not a department taking part in this survey." in html
    assert "Line 6: The department is missing." in html
    assert "Line 5" not in html
    assert "Nothing was imported" in html
    assert not Invitation.objects.exists()


def test_a_survey_closed_on_the_last_page_keeps_every_page_given_and_says_so(
    client: Any, coordinator: Any, live_survey: Survey
) -> None:
    link = reverse("surveys:open_link", args=[live_survey.departments.first().open_link])
    client.post(link)
    questions = {q.item.code: q.pk for q in live_survey.questions.select_related("item")}
    client.post(reverse("surveys:answer_page", args=[1]), {str(questions["EXP-ANY"]): "1"})
    client.post(
        reverse("surveys:answer_page", args=[2]), {str(questions["WHO-DID"]): ["2"], str(questions["TXT-IMPROVE"]): "x"}
    )
    services.close(survey=live_survey, actor=coordinator)
    page = client.post(reverse("surveys:check"))  # "Send my answers", a moment too late
    assert page.status_code == 410
    assert "The answers you gave on the pages you completed have been kept" in page.content.decode()
    kept = Response.objects.get()
    assert not kept.finished
    assert sorted(kept.answers.values_list("question__item__code", flat=True)) == ["EXP-ANY", "TXT-IMPROVE", "WHO-DID"]
    # Coming back later says the same, and adds nothing.
    assert client.get(reverse("surveys:answer")).status_code == 410
    assert Response.objects.count() == 1


def test_an_invitation_used_or_not_after_the_survey_closed_says_why_it_no_longer_works(
    client: Any, coordinator: Any, live_survey: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    people = [("ann@example.org", "Housing"), ("bob@example.org", "Libraries")]
    used, unused = invite(live_survey, coordinator, people, django_capture_on_commit_callbacks)
    answer_through(client, reverse("surveys:invitation", args=[used]), {1: {"EXP-ANY": "2"}, 2: {}}, live_survey)
    services.close(survey=live_survey, actor=coordinator)
    for token in (used, unused):
        page = Client().get(reverse("surveys:invitation", args=[token]))
        assert page.status_code == 404
        assert "If the survey has closed, its links no longer work" in page.content.decode()
        assert Client().post(reverse("surveys:invitation", args=[token])).status_code == 404
    assert Response.objects.count() == 1
