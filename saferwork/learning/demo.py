"""Demo learning (``seed_demo`` calls :func:`seed_learning_demo`).

DEBUG only, through ``seed_demo``; idempotent: an organisation that already has
enrolments is left alone. The Care Workers' Union opens one starter module to everyone
and assigns two more, with enough staff by department for the suppressed report to show
some numbers and hide others; Pat Quinn has completed one module and started another.
Northfield Borough Council has a module of its own, published, with a draft of version 2.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from saferwork.accounts.models import User
from saferwork.actions.selectors import today_for
from saferwork.learning import services, starter
from saferwork.learning.models import Enrolment, Module
from saferwork.organisations.models import Organisation

WHAT_IT_IS = "starter-what-sexual-harassment-is"
BYSTANDER = "starter-active-bystander"
DISCLOSURE = "starter-responding-to-disclosure"
# department: (assigned, completed) of staff assigned by email who have not signed in here.
STAFF = {"Home care": (30, 18), "Residential care": (22, 11), "Head office": (6, 2)}


def _walk(enrolment: Enrolment, user: User, *, upto: int | None = None) -> None:
    """Complete the module's steps as the learner would, passing every check first time."""
    assert enrolment.version is not None
    for step in list(enrolment.version.steps.all())[:upto]:
        if step.kind == "check":
            services.answer_check(enrolment=enrolment, step=step, answers=[q["correct"] for q in step.questions])
        elif step.kind == "reflection":
            services.save_reflection(
                enrolment=enrolment, step=step, owner=user, text="I had not thought of the group chat as work."
            )
        elif step.kind == "scenario":
            services.complete_step(enrolment=enrolment, step=step, choice=len(step.choices) - 1)
        else:
            services.complete_step(enrolment=enrolment, step=step)


def seed_learning_demo() -> bool:
    union = Organisation.objects.get(slug="care-workers-union")
    if Enrolment.objects.for_organisation(union).exists():
        return False
    starter.load()  # in place since the data migration, unless a test flushed the tables
    coordinator = User.objects.get(email="coordinator@saferwork.test")
    participant = User.objects.get(email="participant@saferwork.test")
    modules = {m.slug: m for m in Module.objects.filter(slug__in=[WHAT_IT_IS, BYSTANDER, DISCLOSURE])}
    services.open_to_all(module=modules[WHAT_IT_IS], organisation=union, actor=coordinator, is_open=True)
    home_care = services.department_named(organisation=union, name="Home care")
    assert home_care is not None
    for slug in (BYSTANDER, DISCLOSURE):
        services.assign(
            module=modules[slug],
            organisation=union,
            people=[services.Assignee(participant.email, home_care.pk)],
            actor=coordinator,
            # The disclosure module has a date, so the demo shows it and its reminder.
            due_on=today_for(union) + dt.timedelta(days=14) if slug == DISCLOSURE else None,
        )
    done = services.start(enrolment=services.take_up(module=modules[WHAT_IT_IS], organisation=union, user=participant))
    _walk(done, participant)
    started = services.start(
        enrolment=Enrolment.objects.get(organisation=union, module=modules[BYSTANDER], user=participant)
    )
    _walk(started, participant, upto=1)
    finished_at = timezone.now() - dt.timedelta(days=3)
    for name, (assigned, completed) in STAFF.items():
        department = services.department_named(organisation=union, name=name)
        for offset, slug in enumerate((BYSTANDER, DISCLOSURE, WHAT_IT_IS)):
            Enrolment.objects.bulk_create(
                Enrolment(
                    organisation=union,
                    module=modules[slug],
                    email=f"{name.split()[0].lower()}-{n:02d}@care-workers.example",
                    department=department,
                    assigned_by=coordinator,
                    completed_at=finished_at if n < completed - 2 * offset else None,
                )
                for n in range(assigned)
            )

    council = Organisation.objects.get(slug="northfield-council")
    lead = User.objects.get(email="leader@saferwork.test")
    own = services.create_module(
        organisation=council,
        title="Northfield's behavioural standards in practice",
        summary="What the council's standards ask of every member of staff, with examples from council work.",
        minutes=10,
        actor=lead,
    )
    version = own.versions.get()
    services.save_step(
        version=version,
        content=services.StepContent(
            kind="content",
            title="Our standards",
            body="Every member of staff is expected to treat colleagues, residents and contractors with respect.\n\n"
            "- Comments about someone's body or private life are not banter.\n"
            "- Managers act on what they see or hear, whether or not anyone complains.\n\n"
            "If something happens to you, use [[reporting]].",
        ),
    )
    services.save_step(
        version=version,
        content=services.StepContent(
            kind="check",
            title="Check",
            data={
                "pass_mark": 100,
                "questions": [
                    {
                        "text": "Must a manager wait for a complaint before acting?",
                        "options": ["Yes", "No"],
                        "correct": 1,
                        "feedback": "Managers act on what they see or hear.",
                    }
                ],
            },
        ),
    )
    services.publish(version=version, actor=lead)
    draft = services.draft_of(module=own)
    services.save_step(
        version=draft,
        content=services.StepContent(
            kind="reflection", title="Your reflection", data={"prompt": "Which standard would you find hardest?"}
        ),
    )
    services.assign(
        module=own,
        organisation=council,
        people=[services.Assignee("handler@saferwork.test"), services.Assignee("manager@saferwork.test")],
        actor=lead,
        invite=False,
    )
    services.open_to_all(module=modules[DISCLOSURE], organisation=council, actor=lead, is_open=True)
    return True
