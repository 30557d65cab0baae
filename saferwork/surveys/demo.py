"""Demo climate surveys for Northfield Borough Council (``seed_demo`` calls :func:`seed_surveys_demo`).

Six departments answer two waves of the same survey: "Spring 2025" has closed (exact
response rates, every item by department, some departments too small and suppressed,
comments redacted or waiting for the redaction pass) and "Spring 2026" is open (only
bands of the response rate, some groups still waiting to reach the threshold). A third
wave is being built, so the builder's pages can be seen too. Two departments have an
action plan made from results a leader was shown.

Answers are generated from a fixed seed and written with bulk inserts (a few thousand
rows), so ``make run`` and the tests that seed the demo stay fast. DEBUG only, through
``seed_demo``; idempotent: a wave whose title and name are there is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferwork.accounts.models import User
from saferwork.actions import services as actions
from saferwork.organisations.models import Organisation
from saferwork.surveys import bank as shared_bank
from saferwork.surveys import results, services
from saferwork.surveys.models import (
    Answer,
    Invitation,
    Question,
    QuestionItem,
    Response,
    Survey,
    SurveyDepartment,
    hash_token,
    new_token,
)

TITLE = "Staff survey on sexual harassment"
CLOSED_WAVE = "Spring 2025"
OPEN_WAVE = "Spring 2026"
DRAFT_WAVE = "Autumn 2026"


@dataclass(frozen=True)
class Profile:
    """How a department answers: sizes per wave, and the odds that shape its answers."""

    name: str
    invited: tuple[int, int]  # closed wave, open wave
    answered: tuple[int, int]  # responses released (closed wave), responses so far (open wave)
    experienced: float  # share saying yes to EXP-ANY
    who: tuple[int, ...]  # WHO-DID answers this department names most (1-based)
    confidence: int  # 1 to 5: where confidence answers centre


# Human resources and Parks and leisure are small: their rows are suppressed in the closed wave.
DEPARTMENTS = [
    Profile("Housing", (80, 82), (48, 31), 0.42, (4, 1), 3),
    Profile("Waste and recycling", (95, 96), (41, 24), 0.38, (1, 2), 2),
    Profile("Libraries", (30, 31), (16, 11), 0.30, (4,), 4),
    Profile("Facilities", (40, 40), (23, 6), 0.25, (5, 1), 3),
    Profile("Human resources", (15, 15), (7, 3), 0.15, (1, 3), 4),
    Profile("Parks and leisure", (25, 26), (12, 0), 0.33, (4, 1), 3),
]

# Pages: (title, [(item code, shown only after EXP-ANY "Yes")]).
PAGES = [
    (
        "Your experiences",
        [
            ("EXP-ANY", False),
            ("BEH-COMMENTS", False),
            ("BEH-STARING", False),
            ("BEH-TOUCHING", False),
            ("BEH-ONLINE", False),
        ],
    ),
    ("What happened", [("WHO-DID", True), ("WHERE-HAPPENED", True), ("REP-TOLD", True)]),
    ("Confidence in what happens next", [("CONF-REPORT", False), ("CONF-TAKEN-SERIOUSLY", False), ("BYS-SEEN", False)]),
    ("One last thing", [("TXT-IMPROVE", False)]),
]

# Free text as people write it, and what a coordinator cleared for leaders (None: left out;
# "": still waiting for the redaction pass). Made up: no real person or place.
COMMENTS: list[tuple[str, str | None]] = [
    ("Better lighting in the depot car park, it is dark by 4pm in winter.", "Better lighting in the car park."),
    (
        "Dave on the night shift at Hollins Road makes comments about the women drivers every week.",
        "[a colleague] makes comments about the women drivers every week.",
    ),
    (
        "Managers should actually do something when you tell them, not laugh it off.",
        "Managers should actually do something when you tell them, not laugh it off.",
    ),
    (
        "Tenants at Carlton Court have made remarks to me on three visits since March.",
        "Tenants have made remarks to me on several visits.",
    ),
    ("A clear poster saying who to tell and that it is confidential.", "A clear poster saying who to tell."),
    (
        "Stop the jokes in the Friday team chat. Everyone knows who starts them.",
        "Stop the jokes in the team chat.",
    ),
    ("Training for supervisors, not just another email.", "Training for supervisors, not just another email."),
    ("My supervisor Karen in Libraries touched my back at the Christmas party.", None),
    ("Let us visit in pairs when we know a tenant has been a problem.", "Visit in pairs when a tenant is a problem."),
    (
        "Contractors on the Civic Centre refurbishment stare and whistle at staff.",
        "Contractors on a site stare and whistle at staff.",
    ),
    ("Nothing, it is fine here.", "Nothing, it is fine here."),
    ("Someone senior to listen without it going on your record.", ""),
    ("The reporting form asks for too much. Make it simpler.", ""),
    ("On 14 May a member of the public followed me to the bus stop after my shift.", ""),
]

# Two departments' action plans: (department, [(title, item code, days from today, status, evidence link)]).
PLANS = [
    (
        "Housing",
        [
            ("Tell every housing officer in team meetings how to report", "CONF-REPORT", 20, "in_progress", ""),
            ("Visit in pairs where a tenant has harassed staff before", "WHO-DID", 45, "not_started", ""),
            (
                "Add a warning flag to tenancy records after harassment of staff",
                "WHO-DID",
                -10,
                "done",
                "https://intranet.northfield.example/housing/visit-safety",
            ),
        ],
    ),
    (
        "Waste and recycling",
        [
            ("Brief supervisors on sexual comments and jokes at the depots", "BEH-COMMENTS", -3, "in_progress", ""),
            (
                "Close the Friday team chat and set rules for the new one",
                "BEH-ONLINE",
                14,
                "not_started",
                "",
            ),
        ],
    ),
]


def seed_surveys_demo() -> int:
    """Add the demo waves that are missing; returns how many waves were added."""
    organisation = Organisation.objects.get(slug="northfield-council")
    leader = User.objects.get(email="leader@saferwork.test")
    # The shared bank is a data migration's; a test database flushed by an earlier
    # transactional test has lost it, so put it back (idempotent) before asking for items.
    shared_bank.load(QuestionItem)
    existing = set(Survey.objects.for_organisation(organisation).filter(title=TITLE).values_list("wave", flat=True))
    today = timezone.localdate()
    added = 0
    closed = Survey.objects.for_organisation(organisation).filter(title=TITLE, wave=CLOSED_WAVE).first()
    if closed is None:
        closed = _closed_wave(organisation, leader, today)
        added += 1
    if OPEN_WAVE not in existing:
        _open_wave(organisation, leader, today, previous=closed)
        added += 1
    if DRAFT_WAVE not in existing:
        draft = _build(organisation, leader, DRAFT_WAVE, today + dt.timedelta(days=120), today + dt.timedelta(days=140))
        services.update_settings(survey=draft, actor=leader, changes={"previous": closed})
        added += 1
    return added


def _build(organisation: Organisation, actor: Any, wave: str, opens_on: dt.date, closes_on: dt.date) -> Survey:
    """A wave with the six departments and the four pages, through the builder's own services."""
    survey = services.create_survey(
        organisation=organisation,
        actor=actor,
        title=TITLE,
        wave=wave,
        introduction=(
            "This survey asks about sexual harassment at work in the last 12 months. "
            "Your answers cannot be traced to you, and no one sees the answers of a small group."
        ),
        opens_on=opens_on,
        closes_on=closes_on,
    )
    for profile in DEPARTMENTS:
        services.add_department(survey=survey, actor=actor, name=profile.name)
    bank = {i.code: i for i in QuestionItem.objects.filter(organisation=None)}
    experienced: Question | None = None
    for number, (title, codes) in enumerate(PAGES, start=1):
        if number == 1:
            section = survey.sections.get()
            section.title = title
            section.save(update_fields=["title"])
        else:
            section = services.add_section(survey=survey, actor=actor, title=title)
        for code, follow_up in codes:
            question = services.add_question(
                section=section,
                item=bank[code],
                actor=actor,
                show_if=experienced if follow_up else None,
                show_if_values=[1] if follow_up else [],
            )
            if code == "EXP-ANY":
                experienced = question
    return survey


def _answers(rng: random.Random, profile: Profile, questions: dict[str, Question]) -> list[tuple[Question, Any]]:
    """One person's answers: (question, choice, choices or text)."""
    given: list[tuple[Question, Any]] = []
    roll = rng.random()
    said = 1 if roll < profile.experienced else (3 if roll > 0.96 else 2)
    given.append((questions["EXP-ANY"], said))
    for code in ("BEH-COMMENTS", "BEH-STARING", "BEH-TOUCHING", "BEH-ONLINE"):
        if said == 1:
            often = rng.choices([1, 2, 3, 4, 5], weights=[4, 3, 3, 1, 1] if code == "BEH-COMMENTS" else [6, 2, 2, 1, 0])
        else:
            often = rng.choices([1, 2], weights=[12, 1])
        given.append((questions[code], often[0]))
    if said == 1:
        named = {rng.choice(profile.who)}
        if rng.random() < 0.3:
            named.add(rng.randint(1, 6))
        given.append((questions["WHO-DID"], sorted(named)))
        where = {1} if rng.random() < 0.7 else {rng.randint(2, 5)}
        given.append((questions["WHERE-HAPPENED"], sorted(where)))
        given.append((questions["REP-TOLD"], rng.choices([1, 2, 3], weights=[3, 6, 1])[0]))
    for code in ("CONF-REPORT", "CONF-TAKEN-SERIOUSLY"):
        centre = profile.confidence if code == "CONF-REPORT" else max(profile.confidence - 1, 1)
        given.append((questions[code], min(max(round(rng.gauss(centre, 1)), 1), 5)))
    given.append((questions["BYS-SEEN"], rng.choices([1, 2, 3], weights=[3, 8, 1])[0]))
    return given


def _write_responses(
    survey: Survey, *, wave_index: int, seed: int, comments: bool, release: dict[str, list[int | None]]
) -> None:
    """Bulk-insert each department's responses; ``release`` gives each response's group (None: waiting)."""
    rng = random.Random(seed)  # noqa: S311 - made-up answers, the same every time
    questions = {q.item.code: q for q in survey.questions.select_related("item")}
    taking_part = {d.department.name: d for d in survey.departments.select_related("department")}
    responses: list[Response] = []
    rows: list[Answer] = []
    texts = list(COMMENTS)
    for profile in DEPARTMENTS:
        for group in release[profile.name]:
            response = Response(id=uuid.uuid4(), survey=survey, department=taking_part[profile.name], release=group)
            responses.append(response)
            for question, value in _answers(rng, profile, questions):
                for choice in value if isinstance(value, list) else [value]:
                    rows.append(Answer(id=uuid.uuid4(), response=response, question=question, choice=choice))
            if comments and texts and rng.random() < 0.35:
                text, cleared = texts.pop(0)
                rows.append(
                    Answer(
                        id=uuid.uuid4(),
                        response=response,
                        question=questions["TXT-IMPROVE"],
                        text=text,
                        redacted=cleared or "",
                        reviewed=cleared != "",
                        left_out=cleared is None,
                    )
                )
    # No arrival order: rows go in shuffled, under random keys, as ``services._rewrite`` does.
    rng.shuffle(responses)
    rng.shuffle(rows)
    Response.objects.bulk_create(responses, batch_size=500)
    Answer.objects.bulk_create(rows, batch_size=500)
    for profile in DEPARTMENTS:
        SurveyDepartment.objects.filter(pk=taking_part[profile.name].pk).update(invited=profile.invited[wave_index])


@transaction.atomic
def _closed_wave(organisation: Organisation, leader: Any, today: dt.date) -> Survey:
    survey = _build(organisation, leader, CLOSED_WAVE, today - dt.timedelta(days=300), today - dt.timedelta(days=270))
    services.launch(survey=survey, actor=leader)
    Survey.objects.filter(pk=survey.pk).update(has_answers=True)
    # Closed: every response in one group, as ``services.close`` leaves a wave.
    _write_responses(
        survey,
        wave_index=0,
        seed=2025,
        comments=True,
        release={p.name: [1] * p.answered[0] for p in DEPARTMENTS},
    )
    survey = services.close(survey=survey, actor=leader)
    Survey.objects.filter(pk=survey.pk).update(created_at=survey.created_at - dt.timedelta(days=300))
    _plans(survey, leader, today)
    return survey


def _plans(survey: Survey, leader: Any, today: dt.date) -> None:
    """Each plan answers results a leader was shown: the cuts are released first, as the page does."""
    results.release(results=results.survey_results(survey), actor=leader)
    ids = {d.department.name: d.pk for d in survey.departments.select_related("department")}
    for department, steps in PLANS:
        cut = results.release(results=results.survey_results(survey, department_id=ids[department]), actor=leader)
        assert cut.shown, f"{department} is too small to have a plan from its own results"
        for title, code, days, status, link in steps:
            action = actions.create_action(
                organisation=survey.organisation,
                title=title,
                department=department,
                owner=leader,
                due_on=today + dt.timedelta(days=days),
                actor=leader,
                source_kind="survey_result",
                source_ref=f"{survey.pk}:{cut.key}:{code}",
            )
            if link:
                actions.add_evidence_link(action=action, url=link, label="The guidance on the intranet", actor=leader)
            if status != action.status:
                actions.change_status(action=action, status=status, actor=leader)


@transaction.atomic
def _open_wave(organisation: Organisation, leader: Any, today: dt.date, *, previous: Survey) -> Survey:
    survey = _build(organisation, leader, OPEN_WAVE, today - dt.timedelta(days=7), today + dt.timedelta(days=21))
    services.update_settings(survey=survey, actor=leader, changes={"previous": previous})
    services.launch(survey=survey, actor=leader)
    Survey.objects.filter(pk=survey.pk).update(has_answers=True)
    threshold = survey.score_threshold
    release: dict[str, list[int | None]] = {}
    for profile in DEPARTMENTS:
        # Published in groups of the threshold; the rest waits for its group to fill.
        n = profile.answered[1]
        groups: list[int | None] = [i // threshold + 1 for i in range(n - n % threshold)]
        release[profile.name] = groups + [None] * (n % threshold)
    _write_responses(survey, wave_index=1, seed=2026, comments=False, release=release)
    # A few invitations not yet used, so reminders can be sent; the plain tokens were never kept.
    taking_part = list(survey.departments.select_related("department"))
    Invitation.objects.bulk_create(
        [
            Invitation(
                survey=survey,
                department=taking_part[n % len(taking_part)],
                email=f"staff{n:03d}@northfield.example",
                token_hash=hash_token(new_token()),
                sent=True,
            )
            for n in range(1, 13)
        ]
    )
    return survey
