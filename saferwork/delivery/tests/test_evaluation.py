from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import models
from django.urls import reverse

from saferwork.delivery import services
from saferwork.delivery.models import EvaluationAnswer, EvaluationFormVersion, EvaluationToken
from saferwork.delivery.tests.factories import ANSWERS, answer, links_in_outbox, record_all_attended
from saferwork.training.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(trainer: Any, session: Any, django_capture_on_commit_callbacks: Any) -> list[str]:
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(session, trainer.user)
    found = links_in_outbox("evaluation")
    mail.outbox.clear()
    return found


def form_data(**overrides: Any) -> dict[str, Any]:
    return {**ANSWERS, **overrides}


def test_the_token_and_the_answer_share_nothing_that_links_them() -> None:
    token_fields = {f.name: f for f in EvaluationToken._meta.get_fields()}
    answer_fields = {f.name: f for f in EvaluationAnswer._meta.get_fields()}
    # No person on the token, no token or person on the answer.
    assert not any(getattr(f, "related_model", None) is Participant for f in token_fields.values())
    assert {f.related_model for f in answer_fields.values() if f.is_relation} == {
        EvaluationAnswer.session.field.related_model,
        EvaluationFormVersion,
    }
    # No exact time on either: only dates, and the answer only a month.
    for field in [*token_fields.values(), *answer_fields.values()]:
        assert not isinstance(field, models.DateTimeField), field.name
    assert isinstance(EvaluationAnswer._meta.pk, models.UUIDField)


def test_attendee_answers_once_with_the_link(client: Any, tokens: list[str], session: Any) -> None:
    url = reverse("delivery:evaluate", args=[tokens[0]])
    page = client.get(url)
    assert page.status_code == 200
    assert "Please do not describe any incident" in page.content.decode()
    response = client.post(url, form_data(free_text="Run a climate survey"))
    assert response.status_code == 302
    stored = EvaluationAnswer.objects.get()
    assert stored.session == session
    assert stored.month.day == 1
    assert stored.free_text == "Run a climate survey"
    # Spent links are deleted (no live row shares the answer's transaction), so a second
    # use looks like any link that does not work.
    assert EvaluationToken.objects.filter(session=session).count() == len(tokens) - 1
    again = client.post(url, form_data())
    assert again.status_code == 404
    assert EvaluationAnswer.objects.count() == 1


def test_missing_answers_are_explained(client: Any, tokens: list[str]) -> None:
    response = client.post(reverse("delivery:evaluate", args=[tokens[0]]), {"overall": "5"})
    assert response.status_code == 200
    assert "Answer: How relevant was the training to your role?" in response.content.decode()
    assert not EvaluationAnswer.objects.exists()
    assert EvaluationToken.objects.count() == len(tokens)


def test_unknown_link_is_refused_and_rate_limited(client: Any, settings: Any) -> None:
    settings.RATE_LIMIT_EVALUATION_LINK = (3, 3600)
    for _ in range(3):
        assert client.get(reverse("delivery:evaluate", args=["guess"])).status_code == 404
    assert client.get(reverse("delivery:evaluate", args=["guess"])).status_code == 429


def test_results_show_only_at_five_answers(verified_client: Any, trainer: Any, tokens: list[str], session: Any) -> None:
    client = verified_client(trainer.user)
    url = reverse("delivery:results", args=[session.pk])
    for token in tokens[:4]:
        answer(token, free_text="Talk to my team")
    page = client.get(url).content.decode()
    assert "Results appear once at least 5 people have answered" in page
    assert "Talk to my team" not in page
    answer(tokens[4], overall=3)
    page = client.get(url).content.decode()
    assert "5 people answered" in page
    assert "4.6" in page  # (5+5+5+5+3)/5
    assert "Talk to my team" in page


def test_free_text_is_for_trainers_and_programme_admins_only(
    verified_client: Any,
    client: Any,
    trainer: Any,
    programme_admin: Any,
    coordinator: Any,
    tokens: list[str],
    session: Any,
) -> None:
    for token in tokens[:5]:
        answer(token, free_text="Review our policy")
    url = reverse("delivery:results", args=[session.pk])
    assert "Review our policy" in verified_client(trainer.user).get(url).content.decode()
    client.logout()
    assert "Review our policy" in verified_client(programme_admin).get(url).content.decode()
    client.logout()
    coordinator_page = verified_client(coordinator).get(url).content.decode()
    assert "5 people answered" in coordinator_page
    assert "Review our policy" not in coordinator_page


def test_outsider_and_other_trainer_cannot_see_results(
    verified_client: Any, client: Any, outsider: Any, other_trainer: Any, session: Any
) -> None:
    url = reverse("delivery:results", args=[session.pk])
    assert verified_client(outsider).get(url).status_code == 404
    client.logout()
    assert verified_client(other_trainer.user).get(url).status_code == 404


def test_new_form_version_keeps_old_answers_meaning(
    verified_client: Any, programme_admin: Any, tokens: list[str]
) -> None:
    answer(tokens[0])
    original = EvaluationFormVersion.current()
    client = verified_client(programme_admin)
    data = {name: getattr(original, name) for name in services_fields()}
    data["overall_label"] = "Overall, how useful was the day?"
    assert client.post(reverse("delivery:evaluation_form"), data).status_code == 302
    current = EvaluationFormVersion.current()
    assert current.number == original.number + 1
    assert EvaluationAnswer.objects.get().form_version == original
    assert (
        EvaluationFormVersion.objects.get(number=original.number).overall_label == "How would you rate the day overall?"
    )
    page = client.get(reverse("delivery:evaluate", args=[tokens[1]]))
    assert page.status_code == 200


def test_only_programme_admins_edit_the_form(verified_client: Any, coordinator: Any, trainer: Any, client: Any) -> None:
    assert verified_client(coordinator).get(reverse("delivery:evaluation_form")).status_code == 403
    client.logout()
    assert verified_client(trainer.user).get(reverse("delivery:evaluation_form")).status_code == 403


def test_trainer_summary_across_sessions_waits_for_five(verified_client: Any, trainer: Any, tokens: list[str]) -> None:
    client = verified_client(trainer.user)
    for token in tokens[:4]:
        answer(token)
    assert (
        "Your results appear once a session of yours has 5 answers"
        in client.get(reverse("delivery:sessions")).content.decode()
    )
    answer(tokens[4])
    assert "5.0 out of 5" in client.get(reverse("delivery:sessions")).content.decode()


def test_submit_twice_in_the_service_fails(tokens: list[str]) -> None:
    answer(tokens[0])
    with pytest.raises(services.DeliveryError):
        answer(tokens[0])


def services_fields() -> list[str]:
    from saferwork.delivery.forms import EvaluationFormVersionForm

    return list(EvaluationFormVersionForm.Meta.fields)


def test_programme_admin_lists_delivered_sessions_with_answer_counts(
    verified_client: Any,
    client: Any,
    programme_admin: Any,
    coordinator: Any,
    tokens: list[str],
    session: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for token in tokens[:4]:
        answer(token)
    admin = verified_client(programme_admin)
    url = reverse("delivery:programme_evaluations")
    page = admin.get(url).content.decode()
    assert "Home Union" in page
    assert reverse("delivery:results", args=[session.pk]) not in page  # 4 answers: not yet
    answer(tokens[4])
    with django_assert_max_num_queries(12):
        page = admin.get(url).content.decode()
    assert reverse("delivery:results", args=[session.pk]) in page
    assert "Person 1" not in page
    client.logout()
    assert verified_client(coordinator).get(url).status_code == 403


def test_aggregates_leave_out_sessions_with_fewer_than_five_answers(
    trainer: Any, booking: Any, tokens: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    from saferwork.delivery.selectors import trainer_summary
    from saferwork.reach.selectors import ReachFilters, reach_report
    from saferwork.training.tests import factories as tf

    for token in tokens[:5]:
        answer(token, overall=4)
    # A second session of the same trainer with only 2 answers, both 1 out of 5.
    small = tf.session(booking, days=-1)
    for n in range(3):
        tf.participant(small, 100 + n)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(small, trainer.user)
    for token in links_in_outbox("evaluation")[:2]:
        answer(token, overall=1)
    summary = trainer_summary(trainer)
    assert summary.answers == 5
    assert dict(summary.ratings)["How would you rate the day overall?"] == 4.0
    report = reach_report(ReachFilters(), with_trainers=True)
    assert report.evaluation.answers == 5
    assert dict(report.evaluation.ratings)["How would you rate the day overall?"] == 4.0
    assert [row.overall for row in report.by_trainer] == [4.0]


def test_results_change_only_by_whole_groups_of_five(
    verified_client: Any, trainer: Any, booking: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from saferwork.training.tests import factories as tf

    big = tf.session(booking, days=-1, capacity=12)
    for n in range(12):
        tf.participant(big, 200 + n)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(big, trainer.user)
    links = links_in_outbox("evaluation")
    client = verified_client(trainer.user)
    url = reverse("delivery:results", args=[big.pk])
    for token in links[:5]:
        answer(token, overall=5, free_text="first group")
    answer(links[5], overall=1, free_text="the sixth person")
    page = client.get(url).content.decode()
    assert "5 people answered" in page
    assert "the sixth person" not in page
    assert "1 more answer will be added once there are 5 of them" in page
    for token in links[6:10]:
        answer(token, overall=1)
    page = client.get(url).content.decode()
    assert "10 people answered" in page
    assert "the sixth person" in page
    assert "3.0" in page  # (5 × 5 + 5 × 1) / 10
    assert set(EvaluationAnswer.objects.filter(session=big).values_list("release", flat=True)) == {1, 2}
