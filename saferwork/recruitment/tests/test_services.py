from __future__ import annotations

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from saferwork.audit.models import AuditEntry
from saferwork.recruitment import services
from saferwork.recruitment.calendar import interview_ics
from saferwork.recruitment.models import Application, Interview, Panellist, RoundCount, ScoreSheet, Stage
from saferwork.recruitment.services import RecruitmentError
from saferwork.recruitment.tests.conftest import WORDS, agreed, interview_at, make_application, make_round, scores_for

S = Application.Status


def _data(**overrides):
    return {
        "full_name": "Ada Candidate",
        "email": "Ada@Example.net",
        "phone": "",
        "region": "Wales",
        "background": "union_tutor",
        "union_details": "Tutor",
        "experience_training": "Years",
        "experience_subject": "Some",
        "availability": "Weekdays",
        "interview_adjustments": "Step-free access",
        "task_answer": WORDS,
        "consent": True,
        **overrides,
    }


def test_draft_is_saved_and_link_emailed_then_submitted(round_, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft, token = services.save_draft(round_=round_, application=None, data=_data(task_answer="half done"))
    assert draft is not None and draft.status == S.DRAFT and draft.email == "ada@example.net"
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    assert services.find_draft(round_=round_, token=token) == draft
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.submit_application(round_=round_, application=draft, data=_data())
    assert submitted.pk == draft.pk and submitted.status == S.SUBMITTED and submitted.consent_at
    assert "TA-" in mail.outbox[1].body
    assert services.find_draft(round_=round_, token=token) is None  # the link dies with the draft
    assert AuditEntry.objects.filter(action="saferwork.recruitment.application_submitted").exists()


def test_saving_a_draft_for_an_address_that_applied_reveals_nothing(round_, django_capture_on_commit_callbacks):
    make_application(round_, 1, email="ada@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.save_draft(round_=round_, application=None, data=_data())
    assert result == (None, "")
    assert Application.objects.filter(round=round_).count() == 1
    assert mail.outbox == []  # a submitted application gets no draft link


def test_word_limit_is_enforced_by_the_service(round_):
    with pytest.raises(RecruitmentError, match="50 words"):
        services.submit_application(round_=round_, application=None, data=_data(task_answer="word " * 51))
    assert not Application.objects.exists()


def test_closed_round_refuses_applications(programme_host):
    closed = make_round(programme_host, closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RecruitmentError, match="closed"):
        services.submit_application(round_=closed, application=None, data=_data())


def test_weighted_total_uses_the_weights(round_, application, staff_panellist):
    crit = list(round_.criteria.filter(stage=Stage.SHORTLISTING))  # weights 2 and 1
    sheet = services.submit_scores(
        application=application,
        panellist=staff_panellist,
        stage=Stage.SHORTLISTING,
        values={crit[0].pk: 4, crit[1].pk: 1},
    )
    assert sheet.weighted_total == Decimal("3.00")  # (2*4 + 1*1) / 3


def test_a_panellist_scores_once(round_, application, staff_panellist):
    values = scores_for(round_, Stage.SHORTLISTING, 3)
    services.submit_scores(application=application, panellist=staff_panellist, stage=Stage.SHORTLISTING, values=values)
    with pytest.raises(RecruitmentError, match="already submitted"):
        services.submit_scores(
            application=application, panellist=staff_panellist, stage=Stage.SHORTLISTING, values=values
        )


def test_every_criterion_needs_a_score_in_range(round_, application, staff_panellist):
    values = scores_for(round_, Stage.SHORTLISTING, 3)
    values[next(iter(values))] = 5
    with pytest.raises(RecruitmentError):
        services.submit_scores(
            application=application, panellist=staff_panellist, stage=Stage.SHORTLISTING, values=values
        )
    assert not ScoreSheet.objects.exists()


def test_declared_conflict_blocks_scoring(round_, application, expert_seat):
    services.declare_conflict(application=application, panellist=expert_seat, reason="I manage them")
    with pytest.raises(RecruitmentError, match="conflict"):
        services.submit_scores(
            application=application,
            panellist=expert_seat,
            stage=Stage.SHORTLISTING,
            values=scores_for(round_, Stage.SHORTLISTING, 2),
        )


def test_panellist_of_another_round_cannot_score_here(round_, application, programme_host, expert):
    other = make_round(programme_host, title="Another round")
    seat = Panellist.objects.create(round=other, user=expert, kind="expert")
    with pytest.raises(RecruitmentError, match="panel"):
        services.submit_scores(
            application=application,
            panellist=seat,
            stage=Stage.SHORTLISTING,
            values=scores_for(round_, "shortlisting", 2),
        )


def test_rubric_is_frozen_once_scoring_starts(round_, application, staff_panellist, programme_admin):
    services.submit_scores(
        application=application,
        panellist=staff_panellist,
        stage=Stage.SHORTLISTING,
        values=scores_for(round_, Stage.SHORTLISTING, 3),
    )
    with pytest.raises(RecruitmentError, match="rubric"):
        services.add_criterion(
            round_=round_,
            by=programme_admin,
            stage=Stage.SHORTLISTING,
            name="Late",
            weight=1,
            descriptor_1="a",
            descriptor_2="b",
            descriptor_3="c",
            descriptor_4="d",
        )


def _slots(round_, programme_admin, count):
    return services.add_slots(
        round_=round_,
        first_start=timezone.now() + timedelta(days=30),
        minutes=45,
        gap_minutes=15,
        count=count,
        location="Congress House, room 2",
        by=programme_admin,
    )


def test_bulk_invite_sends_ics_and_reschedule_keeps_uid_raising_sequence(
    round_, programme_admin, django_capture_on_commit_callbacks
):
    agreed(round_)
    a1 = make_application(round_, 1, status=S.SHORTLISTED, interview_adjustments="BSL interpreter")
    a2 = make_application(round_, 2, status=S.SUBMITTED)  # not shortlisted: left alone
    slots = _slots(round_, programme_admin, 3)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.bulk_decide(round_=round_, application_ids=[a1.pk, a2.pk], action="invite", by=programme_admin)
    assert done == 1
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert a1.status == S.INVITED and a2.status == S.SUBMITTED
    first = Calendar.from_ical(mail.outbox[-1].attachments[0][1])
    event = first.walk("VEVENT")[0]
    uid = str(event["UID"])
    assert str(first["METHOD"]) == "REQUEST" and int(event["SEQUENCE"]) == 0
    assert "BSL interpreter" in mail.outbox[-1].body  # the adjustment asked for is acknowledged
    interview = Interview.objects.get(application=a1)
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_interview(interview=interview, slot=slots[2], by=programme_admin)
    moved = Calendar.from_ical(mail.outbox[-1].attachments[0][1]).walk("VEVENT")[0]
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == slots[2].starts_at
    with django_capture_on_commit_callbacks(execute=True):
        services.record_adjustments(interview=interview, text="Interpreter booked", by=programme_admin)
    adjusted = Calendar.from_ical(mail.outbox[-1].attachments[0][1]).walk("VEVENT")[0]
    assert int(adjusted["SEQUENCE"]) == 2 and "Interpreter booked" in str(adjusted["DESCRIPTION"])
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_interview(interview=interview, by=programme_admin)
    cancelled = Calendar.from_ical(mail.outbox[-1].attachments[0][1])
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(cancelled.walk("VEVENT")[0]["UID"]) == uid and int(cancelled.walk("VEVENT")[0]["SEQUENCE"]) == 3


def test_invite_refuses_when_slots_run_out(round_, programme_admin):
    agreed(round_)
    apps_ = [make_application(round_, n, status=S.SHORTLISTED) for n in range(3)]
    _slots(round_, programme_admin, 2)
    with pytest.raises(RecruitmentError, match="2 free interview slots for 3"):
        services.bulk_decide(round_=round_, application_ids=[a.pk for a in apps_], action="invite", by=programme_admin)
    assert not Interview.objects.exists()


def test_ics_is_stable_for_the_same_interview(round_, programme_admin):
    a = make_application(round_, 1, status=S.SHORTLISTED)
    slot = _slots(round_, programme_admin, 1)[0]
    interview = Interview.objects.create(application=a, slot=slot)
    now = timezone.now()
    assert interview_ics(interview, method="REQUEST", now=now) == interview_ics(interview, method="REQUEST", now=now)


def _interviewed(round_, programme_admin, n, decision):
    a = make_application(round_, n, status=S.INVITED)
    interview_at(a, -timedelta(hours=2))  # the interview has taken place
    services.decide(application=a, decision=decision, feedback=f"Feedback {n}", by=programme_admin)
    return a


def test_outcomes_email_everyone_once_and_number_the_cohort(
    round_, programme_admin, django_capture_on_commit_callbacks
):
    win = _interviewed(round_, programme_admin, 1, S.SUCCESSFUL)
    _interviewed(round_, programme_admin, 2, S.RESERVE)
    _interviewed(round_, programme_admin, 3, S.UNSUCCESSFUL)
    make_application(round_, 4, status=S.NOT_SHORTLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_outcomes(round_=round_, by=programme_admin)
    assert sent == {"successful": 1, "reserve": 1, "unsuccessful": 1, "not_shortlisted": 1}
    round_.refresh_from_db()
    assert round_.cohort_number == 1
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "/invitations/" in by_address[win.email].body and "cohort 1" in by_address[win.email].body
    assert "Feedback 3" in by_address["candidate3@example.net"].body
    assert "place on our reserve" in by_address["candidate2@example.net"].body
    assert win.appointment.cohort_number == 1
    count = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_outcomes(round_=round_, by=programme_admin) == {}
    assert len(mail.outbox) == count
    nxt = make_round(round_.organisation, title="Second round")
    _interviewed(nxt, programme_admin, 9, S.SUCCESSFUL)
    services.send_outcomes(round_=nxt, by=programme_admin)
    nxt.refresh_from_db()
    assert nxt.cohort_number == 2


def test_decision_cannot_change_after_the_outcome_is_sent(round_, programme_admin):
    a = _interviewed(round_, programme_admin, 1, S.UNSUCCESSFUL)
    services.send_outcomes(round_=round_, by=programme_admin)
    a.refresh_from_db()
    with pytest.raises(RecruitmentError, match="already been sent"):
        services.decide(application=a, decision=S.SUCCESSFUL, feedback="", by=programme_admin)


def test_expert_gets_a_single_use_password_link(round_, programme_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.add_expert(round_=round_, email="Prof@Uni.example", full_name="Prof X", by=programme_admin)
    assert seat.kind == "expert" and seat.user.email == "prof@uni.example"
    assert not seat.user.has_usable_password() and not seat.user.memberships.exists()
    assert "/account/password-reset/" in mail.outbox[0].body


def test_retention_erases_unsuccessful_and_keeps_counts(programme_host, programme_admin, settings):
    settings.RECRUITMENT_RETENTION_MONTHS = 6
    now = timezone.now()
    old = make_round(programme_host, opens_at=now - timedelta(days=300), closes_at=now - timedelta(days=200))
    recent = make_round(programme_host, title="Recent", closes_at=now - timedelta(days=30))
    for n in range(12):
        make_application(old, n, status=S.NOT_SHORTLISTED if n < 6 else S.UNSUCCESSFUL, region="Wales")
    appointed = make_application(old, 99, status=S.SUCCESSFUL, region="Wales")
    make_application(old, 100, status=S.DRAFT, submitted_at=None)
    keep = make_application(recent, 500, status=S.NOT_SHORTLISTED)

    done = services.erase_expired(now=now)

    assert done == {old.pk: 13}
    assert list(old.applications.all()) == [appointed]  # only the appointed trainer's record stays
    assert Application.objects.filter(pk=keep.pk).exists()  # still within retention
    assert not Application.objects.filter(email__startswith="candidate1@").exists()
    kept = {(c.stage, c.dimension, c.value): c.count for c in RoundCount.objects.filter(round=old)}
    assert kept[("applied", "region", "Wales")] == 13
    assert kept[("interviewed", "region", "Wales")] == 7
    assert kept[("appointed", "region", "Wales")] == 1
    old.refresh_from_db()
    assert old.erased_at is not None
    assert services.erase_expired(now=now) == {}  # idempotent


def test_retention_cutoff_respects_the_setting(settings):
    settings.RECRUITMENT_RETENTION_MONTHS = 6
    now = dt.datetime(2026, 8, 31, 12, tzinfo=dt.UTC)
    assert services.retention_cutoff(now) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    settings.RECRUITMENT_RETENTION_MONTHS = 14
    assert services.retention_cutoff(now) == dt.datetime(2025, 6, 30, 12, tzinfo=dt.UTC)


def test_a_cancelled_interview_frees_its_slot_for_someone_else(round_, programme_admin):
    agreed(round_)
    first = make_application(round_, 1, status=S.SHORTLISTED)
    second = make_application(round_, 2, status=S.SHORTLISTED)
    slot = _slots(round_, programme_admin, 1)[0]
    services.bulk_decide(round_=round_, application_ids=[first.pk], action="invite", by=programme_admin)
    with pytest.raises(RecruitmentError, match="0 free interview slots"):
        services.bulk_decide(round_=round_, application_ids=[second.pk], action="invite", by=programme_admin)
    services.cancel_interview(interview=Interview.objects.get(application=first), by=programme_admin)
    services.bulk_decide(round_=round_, application_ids=[second.pk], action="invite", by=programme_admin)
    assert Interview.objects.get(application=second).slot == slot
    cancelled = Interview.objects.get(application=first)
    assert cancelled.slot is None and cancelled.cancelled_at is not None


def test_a_reserve_candidate_can_be_offered_a_place_later(round_, programme_admin, django_capture_on_commit_callbacks):
    reserve = _interviewed(round_, programme_admin, 1, S.RESERVE)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_outcomes(round_=round_, by=programme_admin)
    reserve.refresh_from_db()
    services.decide(application=reserve, decision=S.SUCCESSFUL, feedback="A place came free", by=programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_outcomes(round_=round_, by=programme_admin) == {"successful": 1}
    reserve.refresh_from_db()
    assert reserve.appointment.cohort_number == 1
    assert "/invitations/" in mail.outbox[-1].body
    with pytest.raises(RecruitmentError, match="already been sent"):
        services.decide(application=reserve, decision=S.UNSUCCESSFUL, feedback="", by=programme_admin)
