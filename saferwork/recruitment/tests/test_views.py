from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.recruitment.models import Application, Conflict, Interview, InterviewSlot, Panellist, ScoreSheet, Stage
from saferwork.recruitment.tests.conftest import (
    WORDS,
    agreed,
    interview_at,
    make_application,
    make_round,
    scores_for,
)
from saferwork.tests import factories

S = Application.Status
APPLY = "/training/become-a-trainer/"


def _form(**overrides):
    return {
        "full_name": "Ada Candidate",
        "email": "ada@example.net",
        "phone": "",
        "region": "Wales",
        "background": "union_tutor",
        "union_details": "Tutor at a regional education centre",
        "experience_training": "Years",
        "experience_subject": "Some",
        "availability": "Weekdays",
        "interview_adjustments": "",
        "task_answer": WORDS,
        "consent": "on",
        "action": "submit",
        **overrides,
    }


def _moment(prefix, day, month, year, time):
    """A round's opening or closing moment as the form posts it: three date boxes and a time."""
    return {
        f"{prefix}_on_day": day,
        f"{prefix}_on_month": month,
        f"{prefix}_on_year": year,
        f"{prefix}_time": time,
    }


def _sudo(client):
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()


# ---------------------------------------------------------------- public form


def test_form_is_closed_without_an_open_round(client, db):
    response = client.get(APPLY)
    assert b"not recruiting" in response.content


def test_candidate_saves_a_draft_resumes_by_link_and_submits(client, round_, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, _form(action="save", full_name="", task_answer="first thoughts", consent=""))
    assert response.status_code == 302 and response["Location"] == "/training/become-a-trainer/saved/"
    link = next(line for line in mail.outbox[0].body.splitlines() if "/resume/" in line).strip()
    path = link.split("testserver")[-1].split("8000")[-1]

    fresh = client.__class__()  # another browser: only the emailed link brings the draft back
    assert fresh.get(path).status_code == 302
    page = fresh.get(APPLY)
    assert b"first thoughts" in page.content and b"carrying on with the draft" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = fresh.post(APPLY, _form())
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == S.SUBMITTED and application.full_name == "Ada Candidate"
    assert "We have received your application" in mail.outbox[-1].subject
    assert fresh.get(path).status_code == 404  # a submitted draft's link is dead


def test_word_limit_is_enforced_on_the_server(client, round_):
    response = client.post(APPLY, _form(task_answer="word " * 51))
    assert response.status_code == 200
    assert b"50 words or fewer (it is 51 words)" in response.content
    assert not Application.objects.exists()
    assert b'data-maxwords="50"' in response.content  # and counted live where JavaScript runs


def test_submit_needs_every_field_and_consent(client, round_):
    response = client.post(APPLY, _form(consent="", experience_training=""))
    assert response.status_code == 200
    assert b"Tick the box to agree" in response.content
    assert not Application.objects.exists()


def test_public_form_is_rate_limited(client, round_, settings):
    settings.RATE_LIMIT_RECRUITMENT_APPLY = (2, 3600)
    for _ in range(2):
        client.post(APPLY, _form(consent=""))
    assert client.post(APPLY, _form(consent="")).status_code == 429


def test_resume_link_request_is_silent_and_rate_limited(client, round_, settings, django_capture_on_commit_callbacks):
    make_application(round_, 1, status=S.DRAFT, email="draft@example.net", submitted_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/training/become-a-trainer/resume/", {"email": "draft@example.net"})
        unknown = client.post("/training/become-a-trainer/resume/", {"email": "nobody@example.net"})
    assert known.content.count(b"If there is a draft") == unknown.content.count(b"If there is a draft") == 1
    assert [m.to for m in mail.outbox] == [["draft@example.net"]]
    settings.RATE_LIMIT_RECRUITMENT_RESUME = (2, 3600)
    assert client.post("/training/become-a-trainer/resume/", {"email": "x@example.net"}).status_code == 429


# ---------------------------------------------------------------- who may see a round

ROUND_PAGES = ["", "applications/", "interviews/", "interviews/schedule.ics"]
ADMIN_PAGES = [
    "edit/",
    "criteria/add/",
    "panel/",
    "slots/",
    "outcomes/",
    "report/",
    "applications/bulk/?action=shortlist",
]


@pytest.mark.parametrize("page", ROUND_PAGES + ADMIN_PAGES)
def test_outsider_cannot_open_any_round_page(verified_client, outsider, round_, page):
    response = verified_client(outsider).get(f"/programme/recruitment/{round_.pk}/{page}")
    assert response.status_code in {403, 404}


@pytest.mark.parametrize("page", ["applications/{a}/", "interviews/{a}/"])
def test_outsider_cannot_open_an_application(verified_client, outsider, round_, application, page):
    Interview.objects.create(application=application)
    url = f"/programme/recruitment/{round_.pk}/" + page.format(a=application.pk)
    assert verified_client(outsider).get(url).status_code == 404


@pytest.mark.parametrize("url", ["/programme/recruitment/", "/programme/recruitment/new/"])
def test_outsider_cannot_list_or_start_rounds(verified_client, outsider, url):
    assert verified_client(outsider).get(url).status_code == 403


@pytest.mark.parametrize(
    "page",
    [
        "applications/{a}/conflict/",
        "applications/bulk/",
        "interviews/{a}/cancel/",
        "interviews/{a}/decision/",
        "interviews/{a}/reschedule/",
        "interviews/{a}/adjustments/",
        "outcomes/send/",
        "panel/",
        "slots/",
    ],
)
def test_outsider_cannot_post_to_a_round(verified_client, outsider, round_, application, page):
    Interview.objects.create(application=application)
    client = verified_client(outsider)
    _sudo(client)
    url = f"/programme/recruitment/{round_.pk}/" + page.format(a=application.pk)
    data = {"reason": "x", "decision": "successful", "action": "shortlist", "ids": [application.pk], "form": "expert"}
    assert client.post(url, data).status_code in {403, 404}
    assert not Conflict.objects.exists()
    assert not Interview.objects.exclude(adjustments_confirmed="").exists()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_outsider_gets_no_agreement_page(verified_client, outsider):
    assert verified_client(outsider).get("/training/agreement/").status_code == 404


def test_expert_sees_their_round_and_nothing_else(verified_client, expert, round_, application, programme_host):
    other = make_round(programme_host, title="Other round")
    other_app = make_application(other, 7)
    client = verified_client(expert)
    assert client.get(f"/programme/recruitment/{round_.pk}/applications/").status_code == 200
    assert client.get(f"/programme/recruitment/{round_.pk}/applications/{application.pk}/").status_code == 200
    assert client.get(f"/programme/recruitment/{other.pk}/applications/").status_code == 404
    assert client.get(f"/programme/recruitment/{other.pk}/applications/{other_app.pk}/").status_code == 404
    assert client.get(f"/programme/recruitment/{round_.pk}/applications/{other_app.pk}/").status_code == 404
    # Experts do not administer: admin pages stay closed.
    assert client.get(f"/programme/recruitment/{round_.pk}/panel/").status_code in {403, 404}
    assert client.get("/programme/recruitment/").status_code == 403
    assert b"Other round" not in client.get("/recruitment/panels/").content


def test_expert_without_a_second_factor_is_sent_to_enrol(client, round_):
    user = factories.UserFactory(email="new-expert@example.net")
    Panellist.objects.create(round=round_, user=user, kind="expert")
    client.force_login(user)
    response = client.get(f"/programme/recruitment/{round_.pk}/applications/")
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/setup/"


def test_participant_without_a_panel_seat_still_needs_no_second_factor(client, participant):
    client.force_login(participant)
    assert client.get("/dashboard/").status_code == 200


# ---------------------------------------------------------------- blind scoring and conflicts


def test_panellist_cannot_see_others_scores_until_they_submit(
    verified_client, round_, application, staff_panellist, expert, expert_seat
):
    ScoreSheet.objects.create(
        application=application,
        panellist=staff_panellist,
        stage=Stage.SHORTLISTING,
        weighted_total="3.60",
        comment="Strong on enabling cultures",
    )
    client = verified_client(expert)
    url = f"/programme/recruitment/{round_.pk}/applications/{application.pk}/"
    before = client.get(url).content.decode()
    listing = client.get(f"/programme/recruitment/{round_.pk}/applications/").content.decode()
    assert "3.60" not in before and "Strong on enabling cultures" not in before
    assert "3.60" not in listing and "Hidden until you score" in listing
    data = {f"criterion_{pk}": "1" for pk in scores_for(round_, Stage.SHORTLISTING, 1)}
    assert client.post(url, data).status_code == 302
    after = client.get(url).content.decode()
    assert "3.60" in after and "Strong on enabling cultures" in after
    assert "Wide disagreement" in after  # 3.60 against 1.00 passes the 1.5 threshold
    listing = client.get(f"/programme/recruitment/{round_.pk}/applications/").content.decode()
    assert "2.30" in listing  # the mean of 3.60 and 1.00


def test_programme_admin_off_the_panel_sees_every_score(
    verified_client, round_, application, expert_seat, programme_admin
):
    ScoreSheet.objects.create(
        application=application, panellist=expert_seat, stage=Stage.SHORTLISTING, weighted_total="2.50"
    )
    page = verified_client(programme_admin).get(f"/programme/recruitment/{round_.pk}/applications/").content.decode()
    assert "2.50" in page


def test_declared_conflict_blocks_scoring_through_the_pages(verified_client, round_, application, expert, expert_seat):
    client = verified_client(expert)
    base = f"/programme/recruitment/{round_.pk}/applications/{application.pk}/"
    client.post(base + "conflict/", {"reason": "I line-manage this candidate"})
    assert Conflict.objects.filter(panellist=expert_seat, application=application).exists()
    page = client.get(base).content.decode()
    assert "You declared a conflict of interest" in page and "Submit my scores" not in page
    data = {f"criterion_{pk}": "4" for pk in scores_for(round_, Stage.SHORTLISTING, 4)}
    assert client.post(base, data).status_code == 404
    assert not ScoreSheet.objects.exists()


# ---------------------------------------------------------------- shortlisting list


def test_filters_search_and_pagination(verified_client, programme_admin, round_):
    for n in range(60):
        make_application(round_, n)
    make_application(round_, 999, status=S.DRAFT, submitted_at=None)  # drafts are never listed
    client = verified_client(programme_admin)
    base = f"/programme/recruitment/{round_.pk}/applications/"
    first = client.get(base)
    assert "60 applications, page 1 of 2" in first.content.decode()
    assert client.get(base + "?page=2").content.decode().count('name="ids"') == 10
    wales = client.get(base + "?region=Wales").content.decode()
    assert "15 applications" in wales
    tutors_in_wales = client.get(base + "?region=Wales&background=union_tutor").content.decode()
    assert "0 applications" in tutors_in_wales  # Wales is n % 4 == 1: activists
    found = client.get(base + "?q=candidate17%40").content.decode()
    assert "1 application" in found and "Candidate 17" in found


@pytest.mark.parametrize("order", ["", "?sort=mean", "?sort=spread&flagged=on"])
def test_shortlisting_list_queries_do_not_grow_with_rows(
    verified_client, programme_admin, round_, staff_panellist, order
):
    panel = [staff_panellist] + [
        Panellist.objects.create(round=round_, user=factories.UserFactory(), kind="expert") for _ in range(3)
    ]

    def add(first: int, last: int) -> None:
        for n in range(first, last):
            a = make_application(round_, n)
            for i, seat in enumerate(panel):
                total = 1 + n % 3 + (i if n % 2 else 0)  # every other application split widely
                ScoreSheet.objects.create(application=a, panellist=seat, stage=Stage.SHORTLISTING, weighted_total=total)

    client = verified_client(programme_admin)
    url = f"/programme/recruitment/{round_.pk}/applications/{order}"

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as done:
            response = client.get(url)
        assert response.status_code == 200
        return len(done)

    add(0, 6)
    few = queries()
    add(6, 120)
    assert queries() == few <= 21
    rows = client.get(url).content.decode().count('name="ids"')
    assert rows == 50


def test_bulk_shortlist_needs_sudo_and_confirmation(verified_client, programme_admin, round_):
    apps_ = [make_application(round_, n) for n in range(3)]
    client = verified_client(programme_admin)
    url = f"/programme/recruitment/{round_.pk}/applications/bulk/?action=shortlist&ids={apps_[0].pk}&ids={apps_[1].pk}"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/account/confirm/")
    _sudo(client)
    confirm = client.get(url)
    assert b"Shortlist: 2 applications" in confirm.content
    assert Application.objects.filter(status=S.SHORTLISTED).count() == 0  # nothing happens before confirming
    client.post(url.split("?")[0], {"action": "shortlist", "ids": [apps_[0].pk, apps_[1].pk]})
    assert set(Application.objects.filter(status=S.SHORTLISTED)) == {apps_[0], apps_[1]}


def test_bulk_invite_assigns_slots_and_emails_ics(
    verified_client, programme_admin, round_, django_capture_on_commit_callbacks
):
    agreed(round_)
    a = make_application(round_, 1, status=S.SHORTLISTED)
    InterviewSlot.objects.create(
        round=round_,
        starts_at=timezone.now() + timedelta(days=20),
        ends_at=timezone.now() + timedelta(days=20, hours=1),
        location="Online",
    )
    client = verified_client(programme_admin)
    _sudo(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/programme/recruitment/{round_.pk}/applications/bulk/", {"action": "invite", "ids": [a.pk]})
    a.refresh_from_db()
    assert a.status == S.INVITED and a.interview.slot is not None
    assert mail.outbox[-1].attachments[0][0] == "interview.ics"


# ---------------------------------------------------------------- setup pages


def test_admin_creates_a_round_and_adds_a_criterion(verified_client, programme_admin, programme_host):
    client = verified_client(programme_admin)
    response = client.post(
        "/programme/recruitment/new/",
        {
            "title": "Cohort two",
            **_moment("opens", "5", "1", "2026", "09:00"),
            **_moment("closes", "5", "2", "2026", "5pm"),
            "role_description": "Deliver",
            "task_prompt": "Write",
            "task_word_limit": "600",
            "agreement_text": "Confidentiality",
            "disagreement_threshold": "1.5",
            "criterion_spread_threshold": "2",
        },
    )
    assert response.status_code == 302
    round_ = programme_host.recruitment_rounds.get()
    assert timezone.localtime(round_.opens_at).strftime("%Y-%m-%d %H:%M") == "2026-01-05 09:00"
    assert timezone.localtime(round_.closes_at).strftime("%Y-%m-%d %H:%M") == "2026-02-05 17:00"
    response = client.post(
        f"/programme/recruitment/{round_.pk}/criteria/add/",
        {
            "stage": "shortlisting",
            "name": "Understanding of enabling cultures",
            "question": "",
            "weight": "3",
            "descriptor_1": "a",
            "descriptor_2": "b",
            "descriptor_3": "c",
            "descriptor_4": "d",
        },
    )
    assert response.status_code == 302 and round_.criteria.get().weight == 3


def test_round_closing_before_it_opens_is_refused(verified_client, programme_admin, programme_host):
    response = verified_client(programme_admin).post(
        "/programme/recruitment/new/",
        {
            "title": "Backwards",
            **_moment("opens", "5", "2", "2026", "09:00"),
            **_moment("closes", "5", "1", "2026", "17:00"),
            "role_description": "x",
            "task_prompt": "x",
            "task_word_limit": "600",
            "agreement_text": "x",
            "disagreement_threshold": "1.5",
            "criterion_spread_threshold": "2",
        },
    )
    assert response.status_code == 200 and b"must be after the opening date" in response.content


def test_admin_invites_an_expert_from_the_panel_page(
    verified_client, programme_admin, round_, django_capture_on_commit_callbacks
):
    client = verified_client(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/programme/recruitment/{round_.pk}/panel/",
            {"form": "expert", "expert-full_name": "Dr Helen", "expert-email": "helen@example.org"},
        )
    seat = round_.panellists.get()
    assert seat.kind == "expert" and seat.user.email == "helen@example.org"
    assert mail.outbox[0].to == ["helen@example.org"]


# ---------------------------------------------------------------- outcome and agreement


def test_appointed_candidate_accepts_the_agreement_and_gets_a_trainer_profile(
    client, programme_admin, round_, django_capture_on_commit_callbacks
):
    from saferwork.accounts.models import Invitation
    from saferwork.recruitment import services
    from saferwork.training.models import TrainerProfile

    a = make_application(round_, 1, status=S.INVITED, region="Wales", background="union_tutor")
    interview_at(a, -timedelta(hours=1))
    services.decide(application=a, decision=S.SUCCESSFUL, feedback="Excellent", by=programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_outcomes(round_=round_, by=programme_admin)
    invitation = Invitation.objects.get(email=a.email)
    assert invitation.flags == ["is_trainer"] and invitation.organisation == round_.organisation
    user = services.account_services.accept_invitation(
        invitation=invitation, user=None, full_name=a.full_name, password="a long new password 123"
    )
    factories.sign_in_verified(client, factories.add_totp(user) and user)
    page = client.get("/training/agreement/")
    assert b"strictest confidence" in page.content
    client.post("/training/agreement/", {"accept": "yes"})
    profile = TrainerProfile.objects.get(user=user)
    assert profile.organisation == round_.organisation and profile.regions == ["Wales"]
    assert profile.experience == TrainerProfile.Experience.EXPERIENCED
    assert "Tutor" in profile.bio or "Branch secretary" in profile.bio
    assert client.get("/training/agreement/").status_code == 404  # accepted once


def test_counts_report_suppresses_small_cells(verified_client, programme_admin, round_):
    for n in range(18):
        make_application(round_, n, region="London" if n < 9 else "Scotland" if n < 15 else "Wales")
    page = verified_client(programme_admin).get(f"/programme/recruitment/{round_.pk}/report/").content.decode()
    region = page[page.index("By region") :]
    assert 'London</th><td class="govuk-table__cell govuk-table__cell--numeric">9<' in region
    assert 'Wales</th><td class="govuk-table__cell govuk-table__cell--numeric">hidden<' in region
    # Scotland's 6 is hidden too, or Wales's 3 would be 18 - 9 - 6.
    assert 'Scotland</th><td class="govuk-table__cell govuk-table__cell--numeric">hidden<' in region


def test_erase_command_prints_what_it_did(programme_host, capsys):
    from django.core.management import call_command

    old = make_round(
        programme_host, opens_at=timezone.now() - timedelta(days=400), closes_at=timezone.now() - timedelta(days=300)
    )
    make_application(old, 1, status=S.NOT_SHORTLISTED)
    call_command("erase_expired_applications")
    assert "Erased 1 application from 1 round" in capsys.readouterr().out
    assert not old.applications.exists()


def test_dashboard_links_admins_to_rounds_and_experts_to_their_panel(verified_client, programme_admin, expert, round_):
    assert reverse("recruitment:rounds") in verified_client(programme_admin).get("/dashboard/").content.decode()
    page = verified_client(expert).get("/dashboard/").content.decode()
    assert f"/programme/recruitment/{round_.pk}/applications/" in page
    assert f'href="{reverse("recruitment:rounds")}"' not in page


def test_seed_recruitment_demo_is_idempotent(programme_host, settings):
    from django.core.management import call_command

    from saferwork.tests import factories as f

    f.member(programme_host, is_programme_admin=True, email="admin@saferwork.test")
    settings.DEBUG = True
    call_command("seed_recruitment_demo")
    call_command("seed_recruitment_demo")
    from saferwork.recruitment.models import Round

    round_ = Round.objects.get()
    assert round_.is_open and round_.applications.count() == 36
    assert ScoreSheet.objects.filter(application__round=round_).count() == 20
    assert set(round_.panellists.values_list("user__email", flat=True)) == {
        "admin@saferwork.test",
        "expert@saferwork.test",
    }
    settings.DEBUG = False
    with pytest.raises(Exception, match="DEBUG"):
        call_command("seed_recruitment_demo")


def test_interview_list_shows_slots_and_blind_scores(
    verified_client, programme_admin, round_, expert, expert_seat, staff_panellist, django_assert_max_num_queries
):
    start = timezone.now() + timedelta(days=10)
    for n in range(30):
        a = make_application(round_, n, status=S.INVITED)
        slot = InterviewSlot.objects.create(
            round=round_,
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n, minutes=45),
            location="Online",
        )
        Interview.objects.create(application=a, slot=slot)
        ScoreSheet.objects.create(
            application=a, panellist=staff_panellist, stage=Stage.INTERVIEW, weighted_total="3.25"
        )
    client = verified_client(expert)
    with django_assert_max_num_queries(16):
        page = client.get(f"/programme/recruitment/{round_.pk}/interviews/").content.decode()
    assert page.count("Hidden until you score") == 30 and "3.25" not in page
    assert timezone.localtime(start).strftime("%-d %b") in page
    admin_page = (
        verified_client(programme_admin).get(f"/programme/recruitment/{round_.pk}/interviews/").content.decode()
    )
    assert admin_page.count("3.25") == 30


def test_sorting_and_flag_filter_do_not_leak_scores_to_a_blind_panellist(
    verified_client, round_, staff_panellist, expert, expert_seat
):
    low, high = make_application(round_, 1), make_application(round_, 2)
    other = make_application(round_, 3)
    ScoreSheet.objects.create(application=low, panellist=staff_panellist, stage=Stage.SHORTLISTING, weighted_total=1)
    ScoreSheet.objects.create(application=high, panellist=staff_panellist, stage=Stage.SHORTLISTING, weighted_total=4)
    ScoreSheet.objects.create(application=other, panellist=staff_panellist, stage=Stage.SHORTLISTING, weighted_total=1)
    ScoreSheet.objects.create(application=other, panellist=expert_seat, stage=Stage.SHORTLISTING, weighted_total=4)
    client = verified_client(expert)
    base = f"/programme/recruitment/{round_.pk}/applications/"
    # By mean: the unscored ones keep their neutral order, so the order says nothing about them.
    page = client.get(base + "?sort=mean").content.decode()
    assert page.index(other.reference) < page.index(low.reference) < page.index(high.reference)
    # Wide disagreement: only among applications the expert has scored.
    flagged = client.get(base + "?flagged=on").content.decode()
    assert other.reference in flagged and high.reference not in flagged and low.reference not in flagged


def test_sending_outcomes_outside_sudo_asks_for_a_code_then_asks_to_confirm(verified_client, programme_admin, round_):
    a = make_application(round_, 1, status=S.UNSUCCESSFUL)
    client = verified_client(programme_admin)
    url = f"/programme/recruitment/{round_.pk}/outcomes/send/"
    response = client.post(url)
    assert response["Location"].startswith("/account/confirm/")
    a.refresh_from_db()
    assert a.outcome_sent_at is None
    _sudo(client)
    back = client.get(url)  # where the code page sends the person: the confirmation
    assert back.status_code == 200 and "Send 1 outcome email?" in back.content.decode()
    a.refresh_from_db()
    assert a.outcome_sent_at is None  # nothing is sent by a GET
    client.post(url, {"confirm": "yes"})
    a.refresh_from_db()
    assert a.outcome_sent_at is not None


def test_admin_sees_declared_conflicts(
    verified_client, programme_admin, round_, application, expert_seat, staff_panellist
):
    from saferwork.recruitment import services

    services.declare_conflict(application=application, panellist=expert_seat, reason="Same branch")
    client = verified_client(programme_admin)
    conflicts = f"/programme/recruitment/{round_.pk}/conflicts/"
    # A reason can name the candidate: an admin who sits on the panel sees it, and the
    # name, only once the name-blind sift is over, on the application and the conflicts page.
    listed = client.get(conflicts).content.decode()
    assert "Same branch" not in listed and application.full_name not in listed and application.reference in listed
    url = f"/programme/recruitment/{round_.pk}/applications/{application.pk}/"
    assert "Same branch" not in client.get(url).content.decode()
    agreed(round_)
    assert "Same branch" in client.get(url).content.decode()
    listed = client.get(conflicts).content.decode()
    assert "Same branch" in listed and application.full_name in listed


def test_admin_edits_and_removes_a_criterion_until_scoring_starts(
    verified_client, programme_admin, round_, application, staff_panellist
):
    client = verified_client(programme_admin)
    first, second = round_.criteria.filter(stage=Stage.SHORTLISTING)
    url = f"/programme/recruitment/{round_.pk}/criteria/{first.pk}/"
    data = {
        "stage": "shortlisting",
        "name": "Understanding of misogyny",
        "question": "",
        "weight": "5",
        "descriptor_1": "a",
        "descriptor_2": "b",
        "descriptor_3": "c",
        "descriptor_4": "d",
    }
    assert client.post(url, data).status_code == 302
    first.refresh_from_db()
    assert first.weight == 5 and first.name == "Understanding of misogyny"
    client.post(f"/programme/recruitment/{round_.pk}/criteria/{second.pk}/", {"remove": "yes"})
    assert not round_.criteria.filter(pk=second.pk).exists()
    ScoreSheet.objects.create(
        application=application, panellist=staff_panellist, stage=Stage.SHORTLISTING, weighted_total=2
    )
    response = client.post(url, {**data, "weight": "1"})
    assert response.status_code == 200 and b"rubric can no longer change" in response.content
    first.refresh_from_db()
    assert first.weight == 5


def test_expert_cannot_edit_the_rubric(verified_client, expert, round_):
    criterion = round_.criteria.first()
    client = verified_client(expert)
    assert (
        client.post(f"/programme/recruitment/{round_.pk}/criteria/{criterion.pk}/", {"remove": "yes"}).status_code
        == 403
    )
    assert round_.criteria.filter(pk=criterion.pk).exists()


def test_new_expert_sets_a_password_from_the_emailed_link_then_must_enrol_2fa(
    client, programme_admin, round_, django_capture_on_commit_callbacks
):
    from saferwork.recruitment import services

    with django_capture_on_commit_callbacks(execute=True):
        services.add_expert(round_=round_, email="prof@uni.example", full_name="Prof X", by=programme_admin)
    link = next(line.strip() for line in mail.outbox[0].body.splitlines() if "/account/password-reset/" in line)
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "an unusual expert passphrase", "new_password2": "an unusual expert passphrase"}
    )
    assert response.status_code == 302
    assert client.login(username="prof@uni.example", password="an unusual expert passphrase")
    # Signed in, a panellist with no membership is still sent to set up an authenticator.
    response = client.get(f"/programme/recruitment/{round_.pk}/applications/")
    assert response["Location"] == "/account/two-factor/setup/"
    # The link works once.
    client.logout()
    again = client.get(path, follow=True)
    assert b"new_password1" not in again.content


def test_panel_downloads_the_interview_timetable_without_names(verified_client, expert, round_, programme_host):
    from icalendar import Calendar

    start = timezone.now() + timedelta(days=5)
    live, gone = make_application(round_, 1, status=S.INVITED), make_application(round_, 2, status=S.INVITED)
    for n, a in enumerate([live, gone]):
        slot = InterviewSlot.objects.create(
            round=round_,
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n, minutes=45),
            location="Room 1",
        )
        Interview.objects.create(application=a, slot=slot, cancelled_at=timezone.now() if a == gone else None)
    client = verified_client(expert)
    response = client.get(f"/programme/recruitment/{round_.pk}/interviews/schedule.ics")
    assert response["Content-Type"] == "text/calendar"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [f"Interview {live.reference}"]
    assert live.full_name.encode() not in response.content
    other = make_round(programme_host, title="Other")
    assert client.get(f"/programme/recruitment/{other.pk}/interviews/schedule.ics").status_code == 404


def test_candidate_withdraws_with_the_emailed_link_and_the_interview_is_cancelled(
    client, round_, programme_admin, django_capture_on_commit_callbacks
):
    from icalendar import Calendar

    with django_capture_on_commit_callbacks(execute=True):
        client.post(APPLY, _form())
    link = next(line.strip() for line in mail.outbox[-1].body.splitlines() if "/withdraw/" in line)
    path = "/" + link.split("/", 3)[3]
    application = Application.objects.get()
    application.status = S.INVITED
    application.save()
    slot = InterviewSlot.objects.create(
        round=round_,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=1),
        location="Online",
    )
    interview = Interview.objects.create(application=application, slot=slot)
    assert b"Withdraw my application" in client.get(path).content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    application.refresh_from_db()
    interview.refresh_from_db()
    assert application.status == S.WITHDRAWN and interview.cancelled_at is not None
    assert str(Calendar.from_ical(mail.outbox[-1].attachments[0][1])["METHOD"]) == "CANCEL"
    assert client.get(path).status_code == 404  # the link works once


def test_bulk_action_on_everything_matching_the_filters(verified_client, programme_admin, round_):
    for n in range(120):
        make_application(round_, n)  # regions cycle: London, Wales, Scotland, North West
    client = verified_client(programme_admin)
    _sudo(client)
    base = f"/programme/recruitment/{round_.pk}/applications/"
    listing = client.get(base + "?region=London").content.decode()
    assert "All 30 matching the filters" in listing
    confirm = client.get(base + "bulk/?action=not_shortlisted&scope=all&region=London")
    page = confirm.content.decode()
    assert "Mark as not shortlisted: 30 applications" in page
    id_list = page.split('name="id_list" value="')[1].split('"')[0]
    assert len(id_list.split(",")) == 30
    client.post(base + "bulk/", {"action": "not_shortlisted", "id_list": id_list})
    assert Application.objects.filter(status=S.NOT_SHORTLISTED).count() == 30
    assert set(Application.objects.filter(status=S.NOT_SHORTLISTED).values_list("region", flat=True)) == {"London"}


def test_outcome_emails_wait_for_a_confirmation(client, programme_admin, round_, django_capture_on_commit_callbacks):
    from django.core import mail

    from saferwork.recruitment import services

    a = make_application(round_, 1, status=S.INVITED)
    interview_at(a, -timedelta(hours=1))
    services.decide(application=a, decision=S.SUCCESSFUL, feedback="Excellent", by=programme_admin)
    factories.sign_in_verified(client, programme_admin)
    session = client.session
    session["sudo_until"] = 9_999_999_999
    session.save()
    url = reverse("recruitment:send_outcomes", args=[round_.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    assert first.status_code == 200
    assert "Send 1 outcome email?" in first.content.decode()
    assert not mail.outbox
    a.refresh_from_db()
    assert a.outcome_sent_at is None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "yes"})
    a.refresh_from_db()
    assert a.outcome_sent_at is not None and len(mail.outbox) >= 1


def test_bulk_selection_by_wide_disagreement_stays_blind_for_an_admin_who_sits_on_the_panel(
    verified_client, programme_admin, round_, staff_panellist, expert_seat
):
    third = Panellist.objects.create(
        round=round_, user=factories.UserFactory(email="third@example.net"), kind=Panellist.Kind.EXPERT
    )
    unscored = make_application(round_, 1)  # the others disagree widely; the admin has not scored it
    ScoreSheet.objects.create(application=unscored, panellist=expert_seat, stage=Stage.SHORTLISTING, weighted_total=1)
    ScoreSheet.objects.create(application=unscored, panellist=third, stage=Stage.SHORTLISTING, weighted_total=4)
    scored = make_application(round_, 2)  # the admin has scored it: the flag may show
    ScoreSheet.objects.create(application=scored, panellist=staff_panellist, stage=Stage.SHORTLISTING, weighted_total=1)
    ScoreSheet.objects.create(application=scored, panellist=expert_seat, stage=Stage.SHORTLISTING, weighted_total=4)
    client = verified_client(programme_admin)
    _sudo(client)
    base = f"/programme/recruitment/{round_.pk}/applications/"
    listing = client.get(base + "?flagged=on").content.decode()
    assert scored.reference in listing and unscored.reference not in listing
    confirm = client.get(base + "bulk/?action=not_shortlisted&scope=all&flagged=on").content.decode()
    assert scored.reference in confirm and scored.full_name not in confirm  # name-blind until agreed
    assert unscored.full_name not in confirm and unscored.reference not in confirm
