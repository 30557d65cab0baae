"""Demo risk register for Northfield Borough Council (``seed_demo`` calls :func:`seed_risk_demo`).

A corporate assessment and three activity assessments owned by managers, with hazards,
controls and some controls turned into actions (one done with evidence and re-rated).
DEBUG only, through ``seed_demo``; idempotent: an assessment whose title is there is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from saferwork.accounts.models import User
from saferwork.actions import services as actions
from saferwork.organisations.models import Organisation
from saferwork.risk import selectors, services
from saferwork.risk.models import Assessment

# title, kind, department, owner email, review in days, hazards:
#   (title, who, factors, source, inherent, current, target, controls: (text, days, to action, done))
DEMO: list[tuple[Any, ...]] = [
    (
        "Corporate sexual harassment risk assessment",
        "corporate",
        "",
        "leader@saferwork.test",
        60,
        [
            (
                "Senior staff harass junior colleagues who fear for their careers",
                ["staff", "young"],
                ["power_imbalance", "insecure_agency"],
                "internal",
                (4, 4),
                (3, 4),
                (2, 3),
                [("Brief every senior leader on the behaviour standard", 30, True, False)],
            ),
            (
                "Harassment at the annual staff party and away days",
                ["staff", "agency"],
                ["alcohol_events"],
                "internal",
                (3, 4),
                (3, 3),
                (2, 3),
                [("Name a sober event lead and publish the code of conduct before each event", -3, True, True)],
            ),
        ],
    ),
    (
        "Housing officers' home visits",
        "activity",
        "Housing",
        "handler@saferwork.test",
        -4,
        [
            (
                "Tenants harass officers during lone home visits",
                ["staff", "lone_night", "third_parties"],
                ["lone_night_work", "customer_facing"],
                "third_party",
                (4, 5),
                (4, 4),
                (2, 4),
                [
                    ("Two officers on every visit to a flagged address", 14, True, False),
                    ("Add a warning marker to the tenancy system", 7, False, False),
                ],
            ),
        ],
    ),
    (
        "Night shifts at the waste depots",
        "activity",
        "Waste and recycling",
        "leader@saferwork.test",
        90,
        [
            (
                "Agency night staff harassed by supervisors",
                ["agency", "lone_night"],
                ["insecure_agency", "lone_night_work", "low_diversity"],
                "internal",
                (3, 4),
                (3, 4),
                (2, 3),
                [("Put the reporting route on every agency induction", 21, False, False)],
            ),
        ],
    ),
    (
        "Library events and online booking",
        "activity",
        "Libraries",
        "handler@saferwork.test",
        120,
        [
            (
                "Unwanted messages to staff through the public chat",
                ["staff", "third_parties"],
                ["online_contact", "customer_facing"],
                "third_party",
                (3, 3),
                (2, 3),
                (1, 3),
                [],
            ),
        ],
    ),
]


def seed_risk_demo() -> int:
    """Add the demo assessments that are missing; returns how many were added."""
    organisation = Organisation.objects.get(slug="northfield-council")
    leader = User.objects.get(email="leader@saferwork.test")
    today = selectors.today_for(organisation)
    existing = set(Assessment.objects.for_organisation(organisation).values_list("title", flat=True))
    added = 0
    for title, kind, department, email, review_in, hazards in DEMO:
        if title in existing:
            continue
        owner = User.objects.get(email=email)
        assessment = services.create_assessment(
            organisation=organisation,
            kind=kind,
            title=title,
            department=department,
            owner=owner,
            review_on=today + dt.timedelta(days=review_in),
            actor=leader,
        )
        for h_title, who, factors, source, inherent, current, target, controls in hazards:
            hazard = services.add_hazard(
                assessment=assessment,
                title=h_title,
                who=who,
                factors=factors,
                source=source,
                inherent=inherent,
                current=current,
                target=target,
                actor=leader,
            )
            for text, days, to_action, done in controls:
                control = services.add_control(
                    hazard=hazard, description=text, owner=owner, due_on=today + dt.timedelta(days=days), actor=leader
                )
                if not to_action:
                    continue
                action = services.control_to_action(control=control, actor=leader)
                if done:
                    actions.add_evidence_link(
                        action=action, url="/risk/", label="Code of conduct sent to every guest", actor=leader
                    )
                    actions.change_status(action=action, status="done", actor=leader)
                    services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader)
        added += 1
    return added
