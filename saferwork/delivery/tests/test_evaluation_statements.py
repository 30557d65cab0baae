"""The evaluation answer in as few statements as it needs, and the released-answer tallies."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db.models import Avg
from django.urls import reverse

from saferwork.delivery import services
from saferwork.delivery.models import EvaluationAnswer, EvaluationFormVersion, EvaluationTally
from saferwork.delivery.selectors import RATING_FIELDS, evaluation_summary, open_answers, tallied_summary
from saferwork.delivery.tests.factories import ANSWERS, answer, links_in_outbox, record_all_attended

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(trainer: Any, session: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> list[str]:
    # The links are read from the emails: send them inline whatever TASK_BACKEND says.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(session, trainer.user)
    found = links_in_outbox("evaluation")
    mail.outbox.clear()
    return found


def test_an_answer_spends_its_link_without_looking_it_up_first(
    client: Any, tokens: list[str], django_assert_num_queries: Any
) -> None:
    from django.db import connection

    client.get(reverse("delivery:evaluate", args=[tokens[0]]))  # reads the form's wording once
    # The rate-limit check (one read of both windows; the cache is the database in tests), then on
    # PostgreSQL one query that spends the link, stores the answer and counts the session's
    # waiting answers (one round trip). Elsewhere the spending and the storing are two
    # statements in a savepoint. No lookup of the link, no read of the form's version.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 6):
        response = client.post(reverse("delivery:evaluate", args=[tokens[1]]), ANSWERS)
    assert response.status_code == 302
    assert EvaluationAnswer.objects.count() == 1


def test_a_spent_link_is_refused_when_answered_again(client: Any, tokens: list[str]) -> None:
    url = reverse("delivery:evaluate", args=[tokens[0]])
    assert client.post(url, ANSWERS).status_code == 302
    assert client.post(url, ANSWERS).status_code == 404
    assert client.get(url).status_code == 404
    assert EvaluationAnswer.objects.count() == 1


def test_a_new_form_version_is_used_at_once_by_the_process_that_published_it(
    client: Any, tokens: list[str], programme_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = EvaluationFormVersion.current_cached()
    fields = {name: getattr(first, name) for name in ("introduction", "overall_label", "relevance_label")}
    from saferwork.delivery.models import DEFAULT_FORM

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_form_version(actor=programme_admin, fields={**DEFAULT_FORM, **fields})
    client.post(reverse("delivery:evaluate", args=[tokens[0]]), ANSWERS)
    assert EvaluationAnswer.objects.get().form_version.number == first.number + 1


def test_tallies_hold_released_answers_only_and_give_their_averages(tokens: list[str], session: Any) -> None:
    for n, token in enumerate(tokens[:6]):
        answer(token, overall=1 + n % 5, trainers=5 - n % 3)
    released = open_answers(EvaluationAnswer.objects.filter(session=session))
    tally = EvaluationTally.objects.get(session=session)
    assert tally.answers == released.count() == 5  # the sixth waits for its group
    direct = evaluation_summary(released)
    tallied = tallied_summary(EvaluationTally.objects.filter(session=session))
    assert tallied.answers == direct.answers
    assert tallied.ratings == direct.ratings
    assert tallied.confidence == direct.confidence
    assert tallied.versions == direct.versions
    averages = released.aggregate(**{name: Avg(name) for name in RATING_FIELDS})
    assert [value for _label, value in tallied.ratings] == [round(averages[name], 1) for name in RATING_FIELDS]


def test_rebuilding_tallies_gives_the_same_counts(tokens: list[str], session: Any) -> None:
    for token in tokens[:5]:
        answer(token, overall=4)
    before = list(EvaluationTally.objects.values_list("session_id", "answers", "overall", "leading_after"))
    assert services.rebuild_evaluation_tallies() == 1
    after = list(EvaluationTally.objects.values_list("session_id", "answers", "overall", "leading_after"))
    assert after == before == [(session.pk, 5, 20, 5 * ANSWERS["leading_after"])]


def test_a_tally_changes_only_in_a_release_transaction(tokens: list[str], session: Any) -> None:
    """The counter row carries the published group's transaction, never a waiting answer's."""
    from django.db import connection

    for token in tokens[:6]:
        answer(token)
    tally = EvaluationTally.objects.get(session=session)
    assert tally.answers == 5
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT release IS NULL, xmin::text FROM delivery_evaluationanswer")
        rows = cursor.fetchall()
        cursor.execute("SELECT xmin::text FROM delivery_evaluationtally")
        (tally_xmin,) = cursor.fetchone()
    assert {xmin for waiting, xmin in rows if not waiting} == {tally_xmin}
    assert tally_xmin not in {xmin for waiting, xmin in rows if waiting}


def test_a_group_is_released_once_even_if_two_answers_both_see_it_full(tokens: list[str], session: Any) -> None:
    for token in tokens[:5]:
        answer(token)
    released = list(EvaluationAnswer.objects.values_list("pk", "release"))
    services._release_if_enough(session.pk)  # as a second, concurrent answer would after the first
    assert list(EvaluationAnswer.objects.values_list("pk", "release")) == released
    assert EvaluationTally.objects.get(session=session).answers == 5


def test_the_one_statement_release_waits_for_a_full_group_and_publishes_it_once(
    tokens: list[str], session: Any
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the one-statement release is PostgreSQL's")
    for token in tokens[:4]:
        answer(token)
    services._release_in_one_statement(session.pk)  # four waiting: nothing is published
    assert not EvaluationAnswer.objects.filter(release__isnull=False).exists()
    assert not EvaluationTally.objects.exists()
    answer(tokens[4])
    released = sorted(EvaluationAnswer.objects.values_list("pk", "release"))
    assert {r for _pk, r in released} == {1} and len(released) == 5
    services._release_in_one_statement(session.pk)  # as a second answer that also saw the group full
    assert sorted(EvaluationAnswer.objects.values_list("pk", "release")) == released
    tally = EvaluationTally.objects.get(session=session)
    assert (tally.answers, tally.overall) == (5, 5 * ANSWERS["overall"])


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_answer_commits_before_the_count_that_releases_its_group(
    tokens: list[str], session: Any, django_assert_num_queries: Any
) -> None:
    """The real path (autocommit): spend, store, ``COMMIT`` and count in one query; the fifth
    answer's count sees the four committed before it and releases the group in its own
    transaction, which no waiting answer shares."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the one-query answer is PostgreSQL's")
    assert connection.get_autocommit() and not connection.in_atomic_block
    version = EvaluationFormVersion.current()
    for token in tokens[:4]:
        with django_assert_num_queries(1):
            services.submit_evaluation(token=token, version=version, answers=ANSWERS)
    assert EvaluationAnswer.objects.filter(release__isnull=True).count() == 4
    with django_assert_num_queries(2):  # the answer and its count, then the release
        services.submit_evaluation(token=tokens[4], version=version, answers=ANSWERS)
    services.submit_evaluation(token=tokens[5], version=version, answers=ANSWERS)
    assert EvaluationTally.objects.get(session=session).answers == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT release IS NULL, xmin::text FROM delivery_evaluationanswer")
        rows = cursor.fetchall()
    published = {xmin for waiting, xmin in rows if not waiting}
    assert len(published) == 1 and sum(1 for waiting, _x in rows if not waiting) == 5
    assert published.isdisjoint({xmin for waiting, xmin in rows if waiting})
    with pytest.raises(services.DeliveryError):  # spent: deleted, not marked
        services.submit_evaluation(token=tokens[0], version=version, answers=ANSWERS)


def test_a_trainers_sessions_come_fifty_a_page_with_flat_queries(
    verified_client: Any, trainer: Any, booking: Any, django_assert_max_num_queries: Any
) -> None:
    from saferwork.training.tests import factories as tf

    made = [tf.session(booking, days=-n) for n in range(1, 56)]
    client = verified_client(trainer.user)
    client.get(reverse("delivery:sessions"))
    with django_assert_max_num_queries(12) as captured:
        first = client.get(reverse("delivery:sessions")).content.decode()
    assert not any("DISTINCT" in q["sql"] or "COUNT(*)" in q["sql"] for q in captured.captured_queries)
    newest, oldest = made[0], made[-1]
    assert reverse("delivery:attendance", args=[newest.pk]) in first
    assert reverse("delivery:attendance", args=[oldest.pk]) not in first
    assert 'rel="next"' in first
    second = client.get(reverse("delivery:sessions"), {"page": "2"}).content.decode()
    assert reverse("delivery:attendance", args=[oldest.pk]) in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
