"""A risk assessment as DOCX and PDF, following the HSE's five steps, for a board or an inspector.

Both formats are written from the same lines (``saferwork.lib.documents``). The counts are of
the organisation's own risks, not of people, so nothing here needs suppression.
"""

from __future__ import annotations

from saferwork.lib import documents
from saferwork.lib.documents import Lines
from saferwork.risk import library, selectors
from saferwork.risk.models import Assessment, Control

DOCX_MIME = documents.DOCX_MIME
PDF_MIME = documents.PDF_MIME


def title_of(assessment: Assessment) -> str:
    return f"Risk assessment: {assessment.title}"


def lines(assessment: Assessment) -> Lines:
    """Everything the assessment page shows, as lines: four queries however many hazards."""
    matrix = assessment.the_matrix
    hazards = list(assessment.hazards.order_by("id"))
    controls = list(Control.objects.filter(hazard__in=hazards).select_related("owner").order_by("due_on", "id"))
    actions = selectors.control_actions(assessment.organisation, controls)
    by_hazard: dict[int, list[Control]] = {h.pk: [] for h in hazards}
    for control in controls:
        by_hazard[control.hazard_id].append(control)
    labels = library.factor_labels()
    owner = assessment.owner.get_full_name() if assessment.owner else "Nobody"
    out: Lines = [
        ("h1", title_of(assessment)),
        (
            "p",
            f"{assessment.get_kind_display()} risk assessment of {assessment.organisation.name}"
            + (f", {assessment.department}" if assessment.department else ""),
        ),
        ("p", f"Owner: {owner}. Made on {assessment.created_on:%-d %B %Y}."),
        (
            "p",
            f"Review by {assessment.review_on:%-d %B %Y}; last reviewed "
            + (f"{assessment.last_reviewed_on:%-d %B %Y}." if assessment.last_reviewed_on else "not yet."),
        ),
        (
            "small",
            f"Rated on the matrix version {assessment.matrix_version}, fixed when the assessment was made: "
            "likelihood (1 to 5) times severity (1 to 5) gives the band ("
            + ", ".join(f"{b['label'].lower()} up to {b['up_to']}" for b in matrix.data["bands"])
            + ").",
        ),
    ]
    if assessment.scope:
        out.append(("p", f"What it covers: {assessment.scope}"))
    out.append(("h2", "Steps 1 to 4: hazards, who might be harmed, the ratings and the controls"))
    if not hazards:
        out.append(("p", "No hazards recorded yet."))
    for hazard in hazards:
        out.append(("h3", hazard.title))
        out.append(("p", f"Comes from: {hazard.get_source_display()}"))
        who = [library.WHO_LABELS.get(w, w) for w in hazard.who]
        out.append(("p", f"Who might be harmed: {', '.join(who) or 'Not said'}"))
        if hazard.factors:
            out.append(("p", f"Risk factors: {', '.join(labels.get(f, f) for f in hazard.factors)}"))
        if hazard.description:
            out.append(("p", f"How harm could happen: {hazard.description}"))
        if hazard.existing_precautions:
            out.append(("p", f"Precautions already in place: {hazard.existing_precautions}"))
        current = matrix.describe(hazard.current_likelihood, hazard.current_severity)
        if hazard.rerated_on:
            current += f" (re-rated after controls on {hazard.rerated_on:%-d %B %Y})"
        out.append(("step", f"Inherent risk: {matrix.describe(hazard.inherent_likelihood, hazard.inherent_severity)}"))
        out.append(("step", f"Current risk: {current}"))
        out.append(("step", f"Target risk: {matrix.describe(hazard.target_likelihood, hazard.target_severity)}"))
        if not by_hazard[hazard.pk]:
            out.append(("small", "No controls yet."))
        for control in by_hazard[hazard.pk]:
            who_owns = control.owner.get_full_name() if control.owner else "no owner"
            out.append(("p", f"Control: {control.description} ({who_owns}, due {control.due_on:%-d %B %Y})"))
            if control.evidence_note:
                out.append(("small", f"Evidence it is in place: {control.evidence_note}"))
            for action in actions[control.pk]:
                count = getattr(action, "evidence_count", 0)
                closed = f" on {action.closed_on:%-d %B %Y}" if action.closed_on else ""
                out.append(
                    (
                        "small",
                        f"Action: {action.get_status_display().lower()}{closed}, "
                        f"{count} piece{'s' if count != 1 else ''} of evidence",
                    )
                )
    out.append(("h2", "Step 5: reviews"))
    reviews = list(assessment.reviews.select_related("reviewed_by").order_by("-reviewed_on", "-id"))
    if not reviews:
        out.append(("p", "Not reviewed yet."))
    for review in reviews:
        by = review.reviewed_by.get_full_name() if review.reviewed_by else "Unknown"
        out.append(("step", f"{review.reviewed_on:%-d %B %Y}, {by}: next review by {review.next_review_on:%-d %B %Y}"))
        if review.note:
            out.append(("small", review.note))
    return out


def docx_bytes(assessment: Assessment) -> bytes:
    return documents.docx_bytes(lines(assessment))


def pdf_bytes(assessment: Assessment) -> bytes:
    return documents.pdf_bytes(title_of(assessment), lines(assessment))
