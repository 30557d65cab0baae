"""The shared question bank, version 1: our own wording, every item with its source and licence.

Codes are stable: a later wave asks the same code and the results compare. A changed
wording is a new item with a new code, never an edit. The behaviour list follows the
kinds of conduct named in public guidance on sexual harassment at work; no item copies
a published instrument's wording.
"""

from __future__ import annotations

from typing import Any

SOURCE = "SaferWork question bank, version 1"
LICENCE = "CC BY 4.0"
BEHAVIOURS_FROM = "Kinds of conduct named in EHRC guidance on sexual harassment at work (2024); own wording"
SCALE_FREQUENCY = ["Never", "Once", "A few times", "Often", "Very often"]
SCALE_CONFIDENT = ["Not at all confident", "Not very confident", "Unsure", "Fairly confident", "Very confident"]

_BEHAVIOURS = [
    ("BEH-COMMENTS", "Sexual comments or jokes made to you or about you"),
    ("BEH-QUESTIONS", "Intrusive questions about your private or sex life"),
    ("BEH-STARING", "Staring or leering that made you uncomfortable"),
    ("BEH-TOUCHING", "Unwanted touching, hugging or brushing against you"),
    ("BEH-ADVANCES", "Unwelcome sexual advances or repeated requests for dates"),
    ("BEH-REQUESTS", "Requests or pressure for sex, including in return for something at work"),
    ("BEH-IMAGES", "Being shown or sent sexually explicit images, messages or videos"),
    ("BEH-ONLINE", "Unwanted sexual contact online, on social media or in work chats"),
]

ITEMS: list[dict[str, Any]] = [
    *(
        {
            "code": code,
            "topic": "behaviour",
            "kind": "scale",
            "text": f"In the last 12 months at work, how often have you experienced this: {text.lower()}?",
            "options": SCALE_FREQUENCY,
            "adapted_from": BEHAVIOURS_FROM,
        }
        for code, text in _BEHAVIOURS
    ),
    {
        "code": "EXP-ANY",
        "topic": "behaviour",
        "kind": "yes_no",
        "text": "In the last 12 months, has anyone at work behaved towards you in a sexual way you did not want?",
        "adapted_from": BEHAVIOURS_FROM,
    },
    {
        "code": "WHO-DID",
        "topic": "who",
        "kind": "multiple",
        "text": "Who did it? Choose all that apply.",
        "options": [
            "A colleague at my level",
            "My manager or supervisor",
            "A senior leader",
            "A customer, client, patient or member of the public",
            "A contractor or other third party",
            "Someone else",
        ],
        "adapted_from": "Equality Act 2010 s.40A and the Employment Rights Act 2025 (third parties); own wording",
    },
    {
        "code": "WHERE-HAPPENED",
        "topic": "where",
        "kind": "multiple",
        "text": "Where did it happen? Choose all that apply.",
        "options": [
            "At my usual workplace",
            "At a work event or social",
            "Online or by phone",
            "While travelling for work",
            "Somewhere else",
        ],
        "adapted_from": "The places a RIDDOR-style report asks about (own premises, elsewhere, online); own wording",
    },
    {
        "code": "REP-TOLD",
        "topic": "reporting",
        "kind": "yes_no",
        "text": "Did you report it, formally or informally, to anyone at work?",
        "adapted_from": "",
    },
    {
        "code": "REP-WHY-NOT",
        "topic": "reporting",
        "kind": "multiple",
        "text": "If you did not report it, why not? Choose all that apply.",
        "options": [
            "I did not think I would be believed",
            "I was worried about what would happen to me",
            "I was worried about my career",
            "I did not know who to tell",
            "I thought nothing would happen",
            "Another reason",
        ],
        "adapted_from": "Barriers to reporting discussed in the programme's training; own wording",
    },
    {
        "code": "CONF-REPORT",
        "topic": "confidence",
        "kind": "scale",
        "text": "How confident are you that you would know how to report sexual harassment here?",
        "options": SCALE_CONFIDENT,
        "adapted_from": "",
    },
    {
        "code": "CONF-TAKEN-SERIOUSLY",
        "topic": "confidence",
        "kind": "scale",
        "text": "If you reported sexual harassment, I am confident it would be taken seriously.",
        "adapted_from": "",
    },
    {
        "code": "CONF-NO-RETALIATION",
        "topic": "confidence",
        "kind": "scale",
        "text": "People who report sexual harassment here are protected from being treated badly for it.",
        "adapted_from": "",
    },
    {
        "code": "CONF-LEADERS",
        "topic": "confidence",
        "kind": "scale",
        "text": "Leaders here show by what they do that sexual harassment is not acceptable.",
        "adapted_from": "",
    },
    {
        "code": "BYS-SEEN",
        "topic": "bystander",
        "kind": "yes_no",
        "text": "In the last 12 months, have you seen or heard sexual harassment of someone else at work?",
        "adapted_from": "",
    },
    {
        "code": "BYS-ACTED",
        "topic": "bystander",
        "kind": "single",
        "text": "What did you do the last time?",
        "options": [
            "I stepped in at the time",
            "I checked on the person afterwards",
            "I reported it",
            "I did nothing",
            "Prefer not to say",
        ],
        "adapted_from": "",
    },
    {
        "code": "BYS-CONFIDENT",
        "topic": "bystander",
        "kind": "scale",
        "text": "How confident would you feel challenging sexual harassment if you saw it?",
        "options": SCALE_CONFIDENT,
        "adapted_from": "",
    },
    {
        "code": "TXT-IMPROVE",
        "topic": "other",
        "kind": "text",
        "text": "What one thing would make this a safer place to work?",
        "hint": "Please do not name anyone or describe an incident in a way that identifies someone.",
        "adapted_from": "",
    },
    {
        "code": "DEM-AGE",
        "topic": "demographic",
        "kind": "single",
        "text": "How old are you?",
        "options": ["Under 30", "30 to 49", "50 or over", "Prefer not to say"],
        "adapted_from": "Coarse bands so that no group is small; own wording",
        "is_sensitive": True,
    },
    {
        "code": "DEM-GENDER",
        "topic": "demographic",
        "kind": "single",
        "text": "How would you describe your gender?",
        "options": ["Woman", "Man", "In another way", "Prefer not to say"],
        "adapted_from": "Coarse bands so that no group is small; own wording",
        "is_sensitive": True,
    },
    {
        "code": "DEM-CONTRACT",
        "topic": "demographic",
        "kind": "single",
        "text": "What kind of contract do you have?",
        "options": ["Permanent", "Fixed-term, agency or casual", "Prefer not to say"],
        "adapted_from": "Insecure work as a named risk factor; own wording",
        "is_sensitive": True,
    },
]


def load(QuestionItem: Any) -> int:  # noqa: N803 (a model class, as migrations pass it)
    """Create or refresh the shared bank's items; returns how many were new."""
    new = 0
    for raw in ITEMS:
        values = {
            "topic": raw["topic"],
            "kind": raw["kind"],
            "text": raw["text"],
            "hint": raw.get("hint", ""),
            "options": raw.get("options", []),
            "source": SOURCE,
            "licence": LICENCE,
            "adapted_from": raw.get("adapted_from", ""),
            "is_sensitive": raw.get("is_sensitive", False),
        }
        _, created = QuestionItem.objects.get_or_create(organisation=None, code=raw["code"], defaults=values)
        new += int(created)
    return new
