"""Learning pages: who reaches what, privacy of reflections, the report and bounded queries."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from saferwork.accounts.decorators import grant_sudo
from saferwork.learning import selectors, services
from saferwork.learning.models import Enrolment, Module, StepProgress
from saferwork.learning.tests.conftest import build_module
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

SECRET = "MY-SECRET-REFLECTION"


def _step_urls(enrolment: Enrolment) -> list[str]:
    return [reverse("learning:step", args=[enrolment.pk, p]) for p in (1, 2, 3, 4)]


def _all_urls(module: Module, enrolment: Enrolment) -> list[str]:
    step = module.versions.get().steps.first()
    return [
        reverse("learning:module", args=[module.pk]),
        *_step_urls(enrolment),
        reverse("learning:certificate", args=[enrolment.pk]),
        reverse("learning:badge", args=[enrolment.pk]),
        reverse("learning:author_module", args=[module.pk]),
        reverse("learning:step_new", args=[module.pk]),
        reverse("learning:step_edit", args=[step.pk]),
        reverse("learning:assign", args=[module.pk]),
        reverse("learning:media", args=[step.pk, "file"]),
    ]


def _finish(enrolment: Enrolment, learner: Any) -> None:
    read, scenario, check, reflect = list(enrolment.version.steps.all())  # type: ignore[union-attr]
    services.complete_step(enrolment=enrolment, step=read)
    services.complete_step(enrolment=enrolment, step=scenario, choice=0)
    services.answer_check(enrolment=enrolment, step=check, answers=[1, 0])
    services.save_reflection(enrolment=enrolment, step=reflect, owner=learner, text=SECRET)


def test_outsider_reaches_none_of_an_organisations_learning(
    verified_client: Any, outsider: Any, own_module: Module, enrolled: Enrolment
) -> None:
    client = verified_client(outsider)
    for url in _all_urls(own_module, enrolled):
        assert client.get(url).status_code in (403, 404), url
    for url in (
        reverse("learning:start", args=[own_module.pk]),
        reverse("learning:module_publish", args=[own_module.pk]),
        reverse("learning:module_draft", args=[own_module.pk]),
        reverse("learning:module_open", args=[own_module.pk]),
        reverse("learning:step_delete", args=[own_module.versions.get().steps.first().pk]),
        reverse("learning:step_move", args=[own_module.versions.get().steps.first().pk]),
        reverse("learning:step", args=[enrolled.pk, 1]),
    ):
        assert client.post(url, {"open": "yes"}).status_code in (403, 404), url
    # Their own report, home and lists show nothing of ours.
    for url in (
        reverse("learning:home"),
        reverse("learning:manage"),
        reverse("learning:author_list"),
        reverse("learning:report"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and b"Own module" not in response.content


def test_learner_cannot_author_or_assign(verified_client: Any, learner: Any, own_module: Module) -> None:
    client = verified_client(learner)
    for url in (
        reverse("learning:author_list"),
        reverse("learning:module_new"),
        reverse("learning:author_module", args=[own_module.pk]),
        reverse("learning:manage"),
        reverse("learning:assign", args=[own_module.pk]),
        reverse("learning:report"),
    ):
        assert client.get(url).status_code == 403, url


def test_coordinator_cannot_edit_shared_modules(verified_client: Any, coordinator: Any) -> None:
    shared = Module.objects.filter(organisation__isnull=True).first()
    assert verified_client(coordinator).get(reverse("learning:author_module", args=[shared.pk])).status_code == 404


def test_learner_signs_in_without_a_second_factor(client: Any, learner: Any, enrolled: Enrolment) -> None:
    assert not learner.requires_second_factor
    client.force_login(learner)
    assert client.get(reverse("learning:home")).status_code == 200
    assert client.get(reverse("learning:step", args=[enrolled.pk, 1])).status_code == 200


def test_learner_walks_the_module_without_javascript(
    verified_client: Any, learner: Any, enrolled: Enrolment, own_module: Module
) -> None:
    client = verified_client(learner)
    home = client.get(reverse("learning:home")).content.decode()
    assert "Own module" in home
    page = client.get(reverse("learning:step", args=[enrolled.pk, 1])).content.decode()
    assert "govuk-exit-this-page" in page and "<strong>text</strong>" in page
    # Not reached yet: sent back to where they are.
    assert client.get(reverse("learning:step", args=[enrolled.pk, 3])).url.endswith("/steps/1/")
    assert client.post(reverse("learning:step", args=[enrolled.pk, 1])).url.endswith("/steps/2/")
    assert client.post(reverse("learning:step", args=[enrolled.pk, 2]), {"choice": "0"}).status_code == 302
    assert "FEEDBACK-A" in client.get(reverse("learning:step", args=[enrolled.pk, 2])).content.decode()
    failed = client.post(reverse("learning:step", args=[enrolled.pk, 3]), {"q0": "0", "q1": "0"}).content.decode()
    assert "Not passed yet" in failed and "You scored 50%" in failed
    passed = client.post(reverse("learning:step", args=[enrolled.pk, 3]), {"q0": "1", "q1": "0"}).content.decode()
    assert "You passed" in passed
    done = client.post(reverse("learning:step", args=[enrolled.pk, 4]), {"text": SECRET})
    assert done.url == reverse("learning:module", args=[own_module.pk])
    overview = client.get(done.url).content.decode()
    assert "Module completed" in overview
    pdf = client.get(reverse("learning:certificate", args=[enrolled.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # Resume: the overview's button takes them to where they last were.
    client.get(reverse("learning:step", args=[enrolled.pk, 2]))
    enrolled.refresh_from_db()
    assert enrolled.current_position == 2


def test_reflection_is_unreadable_by_every_other_role(
    verified_client: Any,
    learner: Any,
    other_learner: Any,
    coordinator: Any,
    leader: Any,
    programme_admin: Any,
    organisation: Any,
    enrolled: Enrolment,
    own_module: Module,
) -> None:
    _finish(enrolled, learner)
    assert SECRET in verified_client(learner).get(reverse("learning:step", args=[enrolled.pk, 4])).content.decode()
    # The programme admin is also made a member here, to show membership alone opens nothing.
    factories.MembershipFactory(user=programme_admin, organisation=organisation)
    services.assign(
        module=own_module, organisation=organisation, people=[services.Assignee(other_learner.email)], actor=coordinator
    )
    for person in (coordinator, leader, programme_admin, other_learner):
        client = verified_client(person)
        for url in [
            *_all_urls(own_module, enrolled),
            reverse("learning:report"),
            reverse("learning:home"),
            "/programme/audit/",
        ]:
            response = client.get(url)
            body = response.content.decode() if response.status_code == 200 else ""
            assert SECRET not in body, (person.email, url)
        assert client.get(reverse("learning:step", args=[enrolled.pk, 4])).status_code == 404
        client.logout()


def test_author_builds_and_publishes_a_module(verified_client: Any, coordinator: Any, organisation: Any) -> None:
    client = verified_client(coordinator)
    response = client.post(reverse("learning:module_new"), {"title": "Our module", "summary": "", "minutes": "10"})
    module = Module.objects.get(organisation=organisation, versions__title="Our module")
    assert response.url == reverse("learning:author_module", args=[module.pk])
    new_step = reverse("learning:step_new", args=[module.pk])
    client.post(new_step, {"kind": "content", "title": "Read", "body": "# Hi"})
    client.post(new_step, {"kind": "scenario", "title": "S", "choices": "Do A | Good | 1\nDo B | Hmm"})
    bad = client.post(new_step, {"kind": "check", "title": "C", "questions": "Q?\n- a\n- b", "pass_mark": "50"})
    assert "needs a right answer" in bad.content.decode()
    client.post(new_step, {"kind": "check", "title": "C", "questions": "Q?\n- a\n* b\n> because", "pass_mark": "50"})
    client.post(new_step, {"kind": "reflection", "title": "R", "prompt": "Why?"})
    vtt = SimpleUploadedFile("c.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n", content_type="text/vtt")
    fake = SimpleUploadedFile("v.mp4", b"not a video at all", content_type="video/mp4")
    refused = client.post(
        new_step, {"kind": "media", "title": "M", "media_file": fake, "captions": vtt, "transcript": "Hello"}
    )
    assert "not a real .mp4 file" in refused.content.decode()
    version = module.versions.get()
    assert [s.kind for s in version.steps.all()] == ["content", "scenario", "check", "reflection"]
    assert version.steps.get(kind="scenario").choices[1] == {"label": "Do B", "feedback": "Hmm", "next": None}
    client.post(reverse("learning:step_move", args=[version.steps.get(kind="reflection").pk]), {"direction": "up"})
    assert [s.kind for s in version.steps.all()] == ["content", "scenario", "reflection", "check"]
    client.post(reverse("learning:module_publish", args=[module.pk]))
    version.refresh_from_db()
    assert version.is_published
    assert client.get(reverse("learning:step_new", args=[module.pk])).status_code == 404
    client.post(reverse("learning:module_draft", args=[module.pk]))
    assert module.versions.count() == 2


def test_media_step_serves_file_and_captions_to_its_learners_only(
    verified_client: Any,
    coordinator: Any,
    organisation: Any,
    learner: Any,
    other_learner: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    module = services.create_module(organisation=organisation, title="Media", summary="", minutes=5, actor=coordinator)
    version = module.versions.get()
    step = services.save_step(
        version=version,
        content=services.StepContent(kind="media", title="Watch", transcript="Words spoken"),
        media=("talk.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 64),
        captions=b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
    )
    services.publish(version=version, actor=coordinator)
    services.assign(
        module=module, organisation=organisation, people=[services.Assignee(learner.email)], actor=coordinator
    )
    services.start(enrolment=module.enrolments.get())
    client = verified_client(learner)
    got = client.get(reverse("learning:media", args=[step.pk, "file"]))
    assert got.status_code == 200 and got["Content-Type"] == "video/webm"
    captions = client.get(reverse("learning:media", args=[step.pk, "captions"]))
    assert b"".join(captions.streaming_content).startswith(b"WEBVTT")
    page = client.get(reverse("learning:step", args=[module.enrolments.get().pk, 1])).content.decode()
    assert "<track" in page and "Words spoken" in page
    client.logout()
    assert verified_client(other_learner).get(reverse("learning:media", args=[step.pk, "file"])).status_code == 404


def test_coordinator_assigns_by_member_email_and_upload(
    verified_client: Any, coordinator: Any, organisation: Any, learner: Any, own_module: Module
) -> None:
    services.department_named(organisation=organisation, name="Finance")
    client = verified_client(coordinator)
    upload = SimpleUploadedFile("list.csv", b"email,department\nlisted@example.org,Finance\n", content_type="text/csv")
    response = client.post(
        reverse("learning:assign", args=[own_module.pk]),
        {
            "members": [str(learner.pk)],
            "department": "Housing",
            "emails": "typed@example.org, Parks",
            "staff_list": upload,
        },
    )
    assert response.status_code == 302
    found = {
        e.email: e.department.name for e in Enrolment.objects.filter(module=own_module).select_related("department")
    }
    assert found == {learner.email: "Housing", "typed@example.org": "Parks", "listed@example.org": "Finance"}
    client.post(reverse("learning:module_open", args=[own_module.pk]), {"open": "yes"})
    assert own_module.offers.filter(organisation=organisation).exists()


def _populate(module: Module, organisation: Any, coordinator: Any, counts: dict[str, tuple[int, int]]) -> None:
    """``counts``: department -> (assigned, completed), written straight to the table."""
    for name, (assigned, completed) in counts.items():
        department = services.department_named(organisation=organisation, name=name)
        for n in range(assigned):
            Enrolment.objects.create(
                organisation=organisation,
                module=module,
                email=f"{name}-{n}@example.org".lower(),
                department=department,
                assigned_by=coordinator,
                completed_at="2026-02-01T10:00:00Z" if n < completed else None,
            )


def test_report_suppresses_small_groups_on_page_and_in_exports(
    verified_client: Any, coordinator: Any, organisation: Any, own_module: Module, settings: Any
) -> None:
    settings.LEARNING_SUPPRESSION_THRESHOLD = 10
    _populate(own_module, organisation, coordinator, {"Housing": (30, 20), "Parks": (25, 12), "Legal": (4, 3)})
    report = selectors.completion_report(organisation)
    assert report.assigned.cell("Legal", "Own module").hidden
    assert report.completed.cell("Legal", "Own module").hidden
    # A one-column table: Legal's row total equals its cell, and the column total would give it away.
    assert report.assigned.column_totals["Own module"].hidden or report.assigned.cell("Parks", "Own module").hidden
    assert report.rate("Housing", "Own module") == "67%"
    client = verified_client(coordinator)
    page = client.get(reverse("learning:report")).content.decode()
    assert "20 of 30" in page and "hidden" in page
    assert ">3 of 4" not in page and "75%" not in page
    grant_sudo_client(client)
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get(reverse("learning:report_export", args=["csv"])).streaming_content).decode()
            )
        )
    )
    legal = next(r for r in rows if r[:2] == ["Legal", "Own module"])
    assert legal[2:] == ["hidden", "hidden", "hidden"]
    book = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("learning:report_export", args=["xlsx"])).streaming_content))
    )
    values = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    assert ["Legal", "Own module", "hidden", "hidden", "hidden"] in [list(v) for v in values]


def grant_sudo_client(client: Any) -> None:
    from django.http import HttpRequest

    request = HttpRequest()
    request.session = client.session
    grant_sudo(request)
    request.session.save()


def test_export_needs_sudo(verified_client: Any, coordinator: Any) -> None:
    response = verified_client(coordinator).get(reverse("learning:report_export", args=["csv"]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:sudo"))


def test_duty_record_reads_suppressed_counts(
    organisation: Any, coordinator: Any, own_module: Module, settings: Any
) -> None:
    import datetime as dt

    from saferwork.learning import duty

    settings.LEARNING_SUPPRESSION_THRESHOLD = 10
    _populate(own_module, organisation, coordinator, {"Housing": (12, 3)})
    section = duty.section(organisation, dt.date(2020, 1, 1), dt.date(2030, 12, 31))
    assert section is not None
    figures = {f.label: f for f in section.figures}
    assert figures["Learning modules assigned or taken up (to the end of the period)"].value == 12
    completed = figures["Learning modules completed in the period"]
    assert completed.value is None and completed.shown == "hidden"
    assert any("Own module" in s.title for s in section.steps)


def test_pages_queries_do_not_grow_with_data(
    verified_client: Any,
    coordinator: Any,
    organisation: Any,
    learner: Any,
    own_module: Module,
    enrolled: Enrolment,
    django_assert_max_num_queries: Any,
) -> None:
    _finish(enrolled, learner)
    for n in range(6):
        extra = build_module(organisation=organisation, actor=coordinator, title=f"Extra {n}")
        services.assign(
            module=extra, organisation=organisation, people=[services.Assignee(learner.email)], actor=coordinator
        )
    _populate(own_module, organisation, coordinator, {f"Dept {n}": (12, 6) for n in range(8)})
    client = verified_client(learner)
    for url in [reverse("learning:home"), reverse("learning:module", args=[own_module.pk]), *_step_urls(enrolled)]:
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url
    client.logout()
    client = verified_client(coordinator)
    for url in (
        reverse("learning:author_list"),
        reverse("learning:author_module", args=[own_module.pk]),
        reverse("learning:manage"),
        reverse("learning:assign", args=[own_module.pk]),
        reverse("learning:report"),
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url
    assert StepProgress.objects.filter(enrolment=enrolled).count() == 4


def test_demo_seeds_learning_with_shown_and_hidden_cells(settings: Any, client: Any) -> None:
    from django.core.management import call_command

    from saferwork.accounts.models import User
    from saferwork.organisations.models import Organisation

    call_command("seed_demo", force=True, verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)  # idempotent
    union = Organisation.objects.get(slug="care-workers-union")
    participant = User.objects.get(email="participant@saferwork.test")
    mine = Enrolment.objects.filter(organisation=union, user=participant)
    assert mine.count() == 3 and mine.filter(completed_at__isnull=False).count() == 1
    assert mine.filter(due_on__isnull=False).count() == 1  # the disclosure module has a date
    assert mine.filter(assigned=False).count() == 1  # taken up from "open to all"
    report = selectors.completion_report(union)
    bystander = next(m for m in report.modules if m == "Being an active bystander")
    assert report.assigned.cell("Home care", bystander).value == 31
    assert report.completed.cell("Home care", bystander).value == 18
    assert report.assigned.cell("Head office", bystander).hidden
