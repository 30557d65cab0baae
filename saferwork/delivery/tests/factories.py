"""Builders for delivery tests: attendance recorded, links spent, answers given."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from saferwork.delivery import services
from saferwork.delivery.models import EvaluationFormVersion

ANSWERS = {
    "overall": 5,
    "relevance": 4,
    "trainers": 5,
    "recognising_before": 2,
    "recognising_after": 4,
    "responding_before": 1,
    "responding_after": 4,
    "leading_before": 2,
    "leading_after": 3,
    "free_text": "",
}


def record_all_attended(session: Any, actor: Any = None, absent: int = 0) -> Any:
    people = list(session.participants.filter(status="confirmed").order_by("pk"))
    marks = {p.pk: i >= absent for i, p in enumerate(people)}
    return services.record_attendance(session=session, marks=marks, actor=actor)


def links_in_outbox(kind: str = "evaluation") -> list[str]:
    pattern = r"/evaluation/([\w-]+)/" if kind == "evaluation" else r"/badge/claim/([\w-]+)/"
    tokens = []
    for message in mail.outbox:
        tokens += re.findall(pattern, message.body)
    return tokens


def answer(token: str, **overrides: Any) -> Any:
    return services.submit_evaluation(
        token=token, version=EvaluationFormVersion.current(), answers={**ANSWERS, **overrides}
    )
