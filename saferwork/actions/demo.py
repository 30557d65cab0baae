"""Demo actions for Northfield Borough Council (``seed_demo`` calls :func:`seed_actions_demo`).

DEBUG only, through ``seed_demo``; idempotent: an action whose title is already there is
left alone. Every action is "manual": the survey and risk modules add their own sources.
"""

from __future__ import annotations

import datetime as dt

from saferwork.accounts.models import User
from saferwork.actions import selectors, services
from saferwork.actions.models import Action
from saferwork.organisations.models import Organisation

# title, department, owner email, days from today, status, evidence link
DEMO_ACTIONS = [
    (
        "Publish the sexual harassment policy on the staff intranet",
        "Human resources",
        "leader@saferwork.test",
        -20,
        "done",
        "https://intranet.northfield.example/policies/sexual-harassment",
    ),
    (
        "Brief every depot supervisor on the reporting route",
        "Waste and recycling",
        "leader@saferwork.test",
        -5,
        "in_progress",
        "",
    ),
    (
        "Add lone and night working to the housing officers' risk assessment",
        "Housing",
        "handler@saferwork.test",
        -2,
        "not_started",
        "",
    ),
    (
        "Agree a code of conduct for contractors on council sites",
        "Facilities",
        "leader@saferwork.test",
        21,
        "not_started",
        "",
    ),
    (
        "Put the reporting posters up in every staff kitchen",
        "Facilities",
        "handler@saferwork.test",
        10,
        "in_progress",
        "",
    ),
    ("Run a second drop-in session for the library staff", "Libraries", "leader@saferwork.test", 30, "cancelled", ""),
]


def seed_actions_demo() -> int:
    """Add the demo actions that are missing; returns how many were added."""
    organisation = Organisation.objects.get(slug="northfield-council")
    leader = User.objects.get(email="leader@saferwork.test")
    today = selectors.today_for(organisation)
    existing = set(Action.objects.for_organisation(organisation).values_list("title", flat=True))
    added = 0
    for title, department, email, days, status, link in DEMO_ACTIONS:
        if title in existing:
            continue
        action = services.create_action(
            organisation=organisation,
            title=title,
            department=department,
            owner=User.objects.get(email=email),
            due_on=today + dt.timedelta(days=days),
            actor=leader,
        )
        if link:
            services.add_evidence_link(action=action, url=link, label="The policy on the intranet", actor=leader)
        if status != action.status:
            services.change_status(action=action, status=status, actor=leader)
        added += 1
    return added
