"""Every dialogue view refuses an outsider; promotion is anonymous; ICS updates in place; bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from icalendar import Calendar

from saferwork.actions.models import Action
from saferwork.audit.models import AuditEntry
from saferwork.dialogue import documents, duty, selectors, services
from saferwork.dialogue.models import PendingPromotion

pytestmark = pytest.mark.django_db


def _urls(world: dict[str, Any]) -> list[tuple[str, str]]:
    post = world["thread"].posts.first()
    return [
        ("get", reverse("dialogue:cohort", args=[world["cohort"].pk])),
        ("post", reverse("dialogue:member_withdraw", args=[world["cohort"].pk, world["member"].pk])),
        ("get", reverse("dialogue:session_new", args=[world["cohort"].pk])),
        ("get", reverse("dialogue:cohort_community", args=[world["cohort"].pk])),
        ("get", reverse("dialogue:session", args=[world["sessions"][0].pk])),
        ("get", reverse("dialogue:session_edit", args=[world["sessions"][0].pk])),
        ("post", reverse("dialogue:session_cancel", args=[world["sessions"][0].pk])),
        ("get", reverse("dialogue:session_invite", args=[world["sessions"][0].pk])),
        ("get", reverse("dialogue:plan_item", args=[world["item"].pk])),
        ("post", reverse("dialogue:plan_item_share", args=[world["item"].pk])),
        ("post", reverse("dialogue:plan_item_promote", args=[world["item"].pk])),
        ("post", reverse("dialogue:plan_item_delete", args=[world["item"].pk])),
        ("post", reverse("dialogue:coach_stop", args=[world["coach"].pk])),
        ("post", reverse("dialogue:slot_book", args=[world["slot"].pk])),
        ("post", reverse("dialogue:slot_cancel", args=[world["slot"].pk])),
        ("get", reverse("dialogue:slot_invite", args=[world["slot"].pk])),
        ("get", reverse("dialogue:slot_notes", args=[world["slot"].pk])),
        ("get", reverse("dialogue:thread", args=[world["thread"].pk])),
        ("get", reverse("dialogue:post_report", args=[post.pk])),
        ("get", reverse("dialogue:post_moderate", args=[post.pk, "hide"])),
    ]


def test_outsider_reaches_nothing(verified_client: Any, outsider: Any, world: dict[str, Any]) -> None:
    client = verified_client(outsider)
    for method, url in _urls(world):
        assert getattr(client, method)(url).status_code in {403, 404}, url
    # The outsider's own organisation pages show none of this organisation's data.
    for url in ("dialogue:home", "dialogue:community", "dialogue:coaches", "dialogue:moderation", "dialogue:plan"):
        response = client.get(reverse(url))
        assert response.status_code in {200, 403}
        assert "Spring cohort" not in response.content.decode() and "Words that work" not in response.content.decode()
    assert world["item"].__class__.objects.filter(pk=world["item"].pk).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client: Any, world: dict[str, Any]) -> None:
    assert client.get(reverse("dialogue:home")).status_code == 302


def test_promotion_reaches_the_hub_later_without_the_person(
    participant: Any, world: dict[str, Any], organisation: Any
) -> None:
    item = world["item"]
    services.promote_plan_item(item=item)
    assert Action.objects.count() == 0  # not at the moment it was asked for
    pending = PendingPromotion.objects.get()
    assert b"SECRET" not in bytes(pending.sealed)
    today = selectors.today_for(organisation)
    assert services.fold_promotions(today=today) == 0  # waits until the next day at least
    assert services.fold_promotions(today=today + dt.timedelta(days=1)) == 0  # and for others (batch of 3)
    assert services.fold_promotions(today=today + dt.timedelta(days=services.PROMOTION_LONGEST_WAIT_DAYS)) == 1
    action = Action.objects.get()
    assert action.title == "SECRET-PLAN speak up first"
    assert action.owner is None and action.created_by is None and action.source_ref == services.ANONYMOUS_REF
    import zoneinfo

    local = action.created_at.astimezone(zoneinfo.ZoneInfo(organisation.time_zone))
    assert (local.hour, local.minute, local.second) == (0, 0, 0)  # dated to the day only
    entry = AuditEntry.objects.get(action="saferwork.action.created", target_id=str(action.pk))
    assert (
        entry.actor is None and str(participant.pk) not in str(entry.data) and participant.email not in str(entry.data)
    )
    assert not PendingPromotion.objects.exists()
    # No audit entry written at the time of the promotion names the participant with the action.
    assert not AuditEntry.objects.filter(actor=participant, action__contains="promot").exists()
    with pytest.raises(services.DialogueError):
        services.promote_plan_item(item=item)


def test_three_promotions_fold_together_shuffled(participant: Any, world: dict[str, Any], organisation: Any) -> None:
    today = selectors.today_for(organisation)
    for n in range(3):
        item = services.add_plan_item(
            organisation=organisation, owner=participant, what=f"Action {n}", due_on=today, how=""
        )
        services.promote_plan_item(item=item)
    assert services.fold_promotions(today=today + dt.timedelta(days=1)) == 3
    assert len({a.created_at for a in Action.objects.all()}) == 1


def test_the_daily_command_folds_a_full_batch_from_earlier_days(participant: Any, organisation: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    today = selectors.today_for(organisation)
    for n in range(services.PROMOTION_BATCH):
        item = services.add_plan_item(
            organisation=organisation, owner=participant, what=f"Action {n}", due_on=today, how=""
        )
        services.promote_plan_item(item=item)
    out = StringIO()
    call_command("fold_promotions", stdout=out)
    assert Action.objects.count() == 0  # promoted today: they wait for the next run
    PendingPromotion.objects.update(day=today - dt.timedelta(days=1))
    call_command("fold_promotions", stdout=out)
    assert Action.objects.count() == services.PROMOTION_BATCH
    assert f"Anonymous actions added to the hub: {services.PROMOTION_BATCH}." in out.getvalue()
    assert not PendingPromotion.objects.exists()


def test_session_invite_updates_in_place_and_cancels(coordinator: Any, world: dict[str, Any], mailoutbox: Any) -> None:
    session = world["sessions"][0]
    first = Calendar.from_ical(documents.session_invite(session, ["a@example.org"]))
    uid = str(first.walk("VEVENT")[0]["uid"])
    details = services.SessionDetails(
        title=session.title,
        date=session.date,
        start_time=dt.time(14),
        end_time=dt.time(16),
        mode="online",
        meeting_link=session.meeting_link,
        prompts=session.prompts,
    )
    services.update_session(session=session, details=details, actor=coordinator)
    moved = Calendar.from_ical(documents.session_invite(session, ["a@example.org"]))
    event = moved.walk("VEVENT")[0]
    assert str(event["uid"]) == uid and int(event["sequence"]) == 1 and moved["method"] == "REQUEST"
    # A change to the prompts alone does not move the calendar entry.
    details.prompts = "A new prompt"
    services.update_session(session=session, details=details, actor=coordinator)
    assert session.ics_sequence == 1
    services.cancel_session(session=session, actor=coordinator)
    cancelled = Calendar.from_ical(documents.session_invite(session, ["a@example.org"]))
    assert cancelled["method"] == "CANCEL" and str(cancelled.walk("VEVENT")[0]["uid"]) == uid
    assert int(cancelled.walk("VEVENT")[0]["sequence"]) == 2


def test_coaching_invite_rises_on_cancel(participant: Any, world: dict[str, Any]) -> None:
    slot = world["slot"]
    booked = slot.ics_sequence
    services.cancel_booking(slot=slot, actor=participant)
    assert slot.ics_sequence == booked + 1 and slot.booked_by is None
    ics = Calendar.from_ical(documents.coaching_invite(slot, ["x@example.org"], cancel=True))
    assert ics["method"] == "CANCEL" and str(ics.walk("VEVENT")[0]["uid"]) == slot.ics_uid


def test_power_dynamics_warning_for_a_manager_and_their_staff(
    verified_client: Any, coordinator: Any, world: dict[str, Any]
) -> None:
    body = verified_client(coordinator).get(reverse("dialogue:cohort", args=[world["cohort"].pk])).content.decode()
    assert "line manages" in body and "Consider separate sessions" in body


def test_duty_section_suppresses_people_counts(organisation: Any, world: dict[str, Any]) -> None:
    today = selectors.today_for(organisation)
    section = duty.section(organisation, today - dt.timedelta(days=30), today + dt.timedelta(days=60))
    assert section is not None
    figures = {f.label: f for f in section.figures}
    assert figures["Coaching sessions held"].value is None  # one booking: below the threshold
    assert figures["Attendances at dialogue sessions"].value is None


def test_pages_have_bounded_queries(
    verified_client: Any,
    coordinator: Any,
    participant: Any,
    organisation: Any,
    world: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    today = selectors.today_for(organisation)
    for n in range(15):
        services.add_plan_item(organisation=organisation, owner=participant, what=f"More {n}", due_on=today, how="")
        services.reply(thread=world["thread"], author=participant, body=f"Reply {n}")
    client = verified_client(participant)
    for url in (
        reverse("dialogue:plan"),
        reverse("dialogue:thread", args=[world["thread"].pk]),
        reverse("dialogue:coaching"),
        reverse("dialogue:cohort_community", args=[world["cohort"].pk]),
    ):
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200
    client = verified_client(coordinator)
    for url in (
        reverse("dialogue:home"),
        reverse("dialogue:cohort", args=[world["cohort"].pk]),
        reverse("dialogue:session", args=[world["sessions"][0].pk]),
        reverse("dialogue:coaches"),
        reverse("dialogue:moderation"),
    ):
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200
