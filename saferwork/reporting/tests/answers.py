"""A whole report's answers, with distinctive words that must never appear outside the
encryption. Plain data without Django, so that the cluster test can post them too."""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "about-you": {"role": "witness"},
    "what-happened": {
        "behaviours": ["comments", "touching"],
        "description": "Quartzberry the delivery driver grabbed my colleague",
    },
    "when": {"first_date": "2026-10-01", "last_date": "2026-11-02", "ongoing": "yes"},
    "where": {"place": "third_party", "place_detail": "Loading bay at Zephyrmart depot"},
    "who": {"people": ["contractor"], "who_detail": "Wears a Vellichor Logistics jacket"},
    "witnesses": {"witnesses": "yes", "witness_detail": "Oluwaseun Marchetti-Blyth saw it"},
    "impact": {"impact": "She now avoids the loading bay entirely"},
    "what-next": {"wants": "formal"},
    "your-name": {"named": "no", "notify_email": "private.reporter@example.net"},
    "who-can-see": {},
}
SECRETS_IN_ANSWERS = [
    "Quartzberry",
    "Zephyrmart",
    "Vellichor Logistics",
    "Oluwaseun Marchetti-Blyth",
    "avoids the loading bay",
    "private.reporter@example.net",
]
