"""Tallies straight into the reach tables, for dashboard and export tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from saferwork.reach.models import PositionTally, SessionTally

_next_session = [10_000]


def tally(
    organisation: Any,
    *,
    month: dt.date = dt.date(2026, 3, 1),
    region: str = "London",
    mode: str = "in_person",
    positions: dict[str, int] | None = None,
    trainers: list[Any] | None = None,
) -> SessionTally:
    positions = positions if positions is not None else {"staff": 6}
    _next_session[0] += 1
    t = SessionTally.objects.create(
        session_id=_next_session[0],
        organisation=organisation,
        region=region,
        mode=mode,
        month=month,
        attendees=sum(positions.values()),
    )
    PositionTally.objects.bulk_create([PositionTally(tally=t, position=p, count=n) for p, n in positions.items()])
    if trainers:
        t.trainers.set(trainers)
    return t
