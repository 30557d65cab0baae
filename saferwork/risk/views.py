"""The risk register: assessments, their hazards and controls, the heatmap, and suggestions from data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saferwork.accounts.decorators import sudo_required
from saferwork.audit import services as audit_log
from saferwork.organisations.permissions import role_required
from saferwork.organisations.switching import offers_other_organisation
from saferwork.risk import documents, library, selectors, services
from saferwork.risk.forms import (
    AcceptForm,
    AssessmentEditForm,
    AssessmentForm,
    ControlForm,
    DeleteAssessmentForm,
    DismissForm,
    HazardForm,
    RerateForm,
    ReviewForm,
    ShareForm,
)
from saferwork.risk.models import Assessment, Control, Hazard, Suggestion
from saferwork.risk.permissions import can_change, can_manage_risk, manage_risk_required

REGISTER_PAGE_SIZE = 50

# Suggestions read reporting statistics and survey results: leaders see both.
suggestions_required = role_required("is_leader")


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied("You do not belong to an organisation.")
    return membership


def _visible(request: HttpRequest) -> Any:
    membership = _membership(request)
    user = None if can_manage_risk(membership) else request.user
    return selectors.assessments_for(membership.organisation, user=user)


@offers_other_organisation
def get_assessment_for_user(request: HttpRequest, pk: int, *, change: bool = False) -> Assessment:
    """The assessment, if it is in the current organisation and the person may see it:
    leaders and coordinators, its owner, and people it is shared with; else 404.
    ``change`` then asks for a leader, coordinator or the owner, else 403."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    found = _visible(request).select_related("organisation", "owner").filter(pk=pk).first()
    if found is None:
        raise Http404
    if change and not can_change(membership, found):
        raise PermissionDenied("Only its owner, leaders and coordinators can change this assessment.")
    return found


def get_hazard_for_user(request: HttpRequest, pk: int, *, change: bool = False) -> Hazard:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    hazard = Hazard.objects.for_organisation(membership.organisation).filter(pk=pk).first()
    if hazard is None:
        raise Http404
    hazard.assessment = get_assessment_for_user(request, hazard.assessment_id, change=change)
    return hazard


def get_control_for_user(request: HttpRequest, pk: int, *, change: bool = False) -> Control:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    control = Control.objects.for_organisation(membership.organisation).filter(pk=pk).first()
    if control is None:
        raise Http404
    control.hazard = get_hazard_for_user(request, control.hazard_id, change=change)
    return control


# ---------------------------------------------------------------- the register


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """Every assessment for leaders and coordinators; one's own and shared ones for anyone else."""
    membership = _membership(request)
    found = _visible(request)
    today = selectors.today_for(membership.organisation)
    # Count and page on the bare assessments; only the page's rows get their counts.
    page = Paginator(found.order_by("kind", "title", "id").only("pk"), REGISTER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(selectors.register_rows(found.filter(pk__in=[a.pk for a in page])))
    return render(
        request,
        "risk/register.html",
        {
            "page": page,
            "rows": [(a, a.review_overdue(today)) for a in rows],
            "heatmap": selectors.heatmap(found),
            "manager": can_manage_risk(membership),
            "leader": membership.has("is_leader"),
            "pending_suggestions": Suggestion.objects.for_organisation(membership.organisation)
            .filter(status=Suggestion.Status.PENDING)
            .count()
            if membership.has("is_leader")
            else 0,
        },
    )


@manage_risk_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = AssessmentForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.create_assessment(organisation=organisation, actor=request.user, **data)
        except services.RiskError as exc:
            form.add_error("owner", str(exc))
        else:
            messages.success(request, "Assessment added")
            return redirect("risk:assessment", assessment.pk)
    return render(request, "risk/assessment_form.html", {"form": form})


def _render_assessment(request: HttpRequest, assessment: Assessment, **forms: Any) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    hazards = list(assessment.hazards.order_by("id"))
    controls = list(Control.objects.filter(hazard__in=hazards).select_related("owner").order_by("due_on", "id"))
    actions = selectors.control_actions(assessment.organisation, controls)
    by_hazard: dict[int, list[tuple[Control, list[Any], bool]]] = {h.pk: [] for h in hazards}
    for control in controls:
        found = actions[control.pk]
        by_hazard[control.hazard_id].append((control, found, any(selectors.is_done_with_evidence(a) for a in found)))
    matrix = assessment.the_matrix
    labels = library.factor_labels()
    today = selectors.today_for(assessment.organisation)
    context = {
        "assessment": assessment,
        "matrix": matrix,
        "hazards": [
            {
                "hazard": h,
                "who": [library.WHO_LABELS.get(w, w) for w in h.who],
                "factors": [labels.get(f, f) for f in h.factors],
                "inherent": matrix.describe(h.inherent_likelihood, h.inherent_severity),
                "current": matrix.describe(h.current_likelihood, h.current_severity),
                "target": matrix.describe(h.target_likelihood, h.target_severity),
                "band": matrix.band(h.current_likelihood, h.current_severity),
                "controls": by_hazard[h.pk],
            }
            for h in hazards
        ],
        "can_change": can_change(membership, assessment),
        "shared_with": list(assessment.shared_with.order_by("full_name", "email")),
        "reviews": list(assessment.reviews.select_related("reviewed_by")[:20]),
        "review_overdue": assessment.review_overdue(today),
        "share_form": forms.get("share_form") or ShareForm(organisation=assessment.organisation),
        "review_form": forms.get("review_form") or ReviewForm(),
    }
    return render(request, "risk/assessment.html", context)


@login_required
@require_GET
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_assessment(request, get_assessment_for_user(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what the assessment is about and who owns it (its ratings and reviews stay)."""
    found = get_assessment_for_user(request, pk, change=True)
    initial = {n: getattr(found, n) for n in ("kind", "title", "department", "scope")} | {"owner": found.owner_id}
    form = AssessmentEditForm(request.POST or None, initial=initial, organisation=found.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_assessment(assessment=found, actor=request.user, **form.cleaned_data)
        except services.RiskError as exc:
            form.add_error("owner", str(exc))
        else:
            messages.success(request, "Assessment changed")
            membership = request.membership  # type: ignore[attr-defined]
            if not can_manage_risk(membership) and form.cleaned_data["owner"] != request.user:
                return redirect("risk:register")  # no longer theirs to see
            return redirect("risk:assessment", found.pk)
    return render(request, "risk/assessment_form.html", {"form": form, "assessment": found})


@login_required
@sudo_required
@require_GET
def assessment_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The assessment as DOCX or PDF, for whoever may read it; each export is audited."""
    if fmt not in {"docx", "pdf"}:
        raise Http404
    found = get_assessment_for_user(request, pk)
    content = documents.docx_bytes(found) if fmt == "docx" else documents.pdf_bytes(found)
    with transaction.atomic():
        audit_log.record(
            action="saferwork.risk.assessment_exported",
            actor=request.user,
            organisation=found.organisation,
            target=found,
            data={"format": fmt},
        )
    response = HttpResponse(content, content_type=documents.DOCX_MIME if fmt == "docx" else documents.PDF_MIME)
    response["Content-Disposition"] = f'attachment; filename="risk-assessment-{found.pk}.{fmt}"'
    return response


@login_required
@require_POST
def share(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_assessment_for_user(request, pk, change=True)
    form = ShareForm(request.POST, organisation=found.organisation)
    if form.is_valid():
        try:
            services.share_assessment(assessment=found, user=form.cleaned_data["person"], actor=request.user)
        except services.RiskError as exc:
            form.add_error("person", str(exc))
        else:
            messages.success(request, "Assessment shared")
            return redirect("risk:assessment", found.pk)
    return _render_assessment(request, found, share_form=form)


@login_required
@require_POST
def unshare(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """Stop sharing the assessment with one person (owner, leaders and coordinators only)."""
    found = get_assessment_for_user(request, pk, change=True)
    person = found.shared_with.filter(pk=user_pk).first()
    if person is None:
        raise Http404
    services.unshare_assessment(assessment=found, user=person, actor=request.user)
    messages.success(request, f"No longer shared with {person.get_full_name() or person.email}")
    return redirect(reverse("risk:assessment", args=[found.pk]) + "#shared-with")


@sudo_required
@require_http_methods(["GET", "POST"])
def assessment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete an assessment: the page lists what goes, what stays, and asks
    what happens to actions of its controls that are still open."""
    found = get_assessment_for_user(request, pk, change=True)
    hazards = list(found.hazards.order_by("id"))
    controls = list(Control.objects.filter(hazard__in=hazards).order_by("id"))
    made = [a for group in selectors.control_actions(found.organisation, controls).values() for a in group]
    open_count = sum(1 for a in made if a.is_open)
    form = DeleteAssessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (open_count == 0 or form.is_valid()):
        choice = form.cleaned_data["open_actions"] if open_count else "keep"
        services.delete_assessment(assessment=found, actor=request.user, open_actions=choice)
        messages.success(request, f"Assessment deleted: {found.title}")
        return redirect("risk:register")
    return render(
        request,
        "risk/assessment_delete.html",
        {
            "assessment": found,
            "form": form,
            "hazard_count": len(hazards),
            "control_count": len(controls),
            "review_count": found.reviews.count(),
            "action_count": len(made),
            "open_count": open_count,
            "done_count": sum(1 for a in made if a.status == "done"),
        },
    )


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_assessment_for_user(request, pk, change=True)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.record_review(
                assessment=found,
                next_review_on=form.cleaned_data["next_review_on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except services.RiskError as exc:
            form.add_error("next_review_on", str(exc))
        else:
            messages.success(request, "Review recorded")
            return redirect("risk:assessment", found.pk)
    return _render_assessment(request, found, review_form=form)


# ---------------------------------------------------------------- hazards and controls


@login_required
@require_http_methods(["GET", "POST"])
def hazard_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_assessment_for_user(request, pk, change=True)
    form = HazardForm(request.POST or None, matrix=found.the_matrix)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            hazard = services.add_hazard(
                assessment=found,
                title=d["title"],
                description=d["description"],
                who=d["who"],
                factors=d["factors"],
                source=d["source"],
                existing_precautions=d["existing_precautions"],
                inherent=(d["inherent_likelihood"], d["inherent_severity"]),
                current=(d["current_likelihood"], d["current_severity"]),
                target=(d["target_likelihood"], d["target_severity"]),
                actor=request.user,
            )
        except services.RiskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Hazard added")
            return redirect(reverse("risk:assessment", args=[found.pk]) + f"#hazard-{hazard.pk}")
    return render(
        request,
        "risk/hazard_form.html",
        {"form": form, "assessment": found, "factors": library.factors(), "matrix": found.the_matrix},
    )


def _hazard_ratings(d: dict[str, Any], prefix: str) -> tuple[int, int]:
    return (d[f"{prefix}_likelihood"], d[f"{prefix}_severity"])


@login_required
@require_http_methods(["GET", "POST"])
def hazard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a hazard's words and ratings; its current rating only until it has a control."""
    hazard = get_hazard_for_user(request, pk, change=True)
    with_current = services.current_rating_editable(hazard)
    initial = {n: getattr(hazard, n) for n in services.HAZARD_TEXT_FIELDS} | {
        f"{p}_{k}": getattr(hazard, f"{p}_{k}")
        for p in ("inherent", "current", "target")
        for k in ("likelihood", "severity")
    }
    form = HazardForm(
        request.POST or None, initial=initial, matrix=hazard.assessment.the_matrix, with_current=with_current
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_hazard(
                hazard=hazard,
                title=d["title"],
                description=d["description"],
                who=d["who"],
                factors=d["factors"],
                source=d["source"],
                existing_precautions=d["existing_precautions"],
                inherent=_hazard_ratings(d, "inherent"),
                current=_hazard_ratings(d, "current") if with_current else None,
                target=_hazard_ratings(d, "target"),
                actor=request.user,
            )
        except services.RiskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Hazard changed")
            return redirect(reverse("risk:assessment", args=[hazard.assessment_id]) + f"#hazard-{hazard.pk}")
    return render(
        request,
        "risk/hazard_form.html",
        {
            "form": form,
            "assessment": hazard.assessment,
            "hazard": hazard,
            "factors": library.factors(),
            "matrix": hazard.assessment.the_matrix,
            "with_current": with_current,
            "current": hazard.assessment.the_matrix.describe(hazard.current_likelihood, hazard.current_severity),
        },
    )


@sudo_required
@require_http_methods(["GET", "POST"])
def hazard_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a hazard and its controls: the page says what goes and what stays."""
    hazard = get_hazard_for_user(request, pk, change=True)
    if request.method == "POST":
        services.delete_hazard(hazard=hazard, actor=request.user)
        messages.success(request, f"Hazard deleted: {hazard.title}")
        return redirect("risk:assessment", hazard.assessment_id)
    controls = list(hazard.controls.order_by("due_on", "id"))
    actions = selectors.control_actions(hazard.organisation, controls)
    return render(
        request,
        "risk/hazard_delete.html",
        {
            "hazard": hazard,
            "controls": [(c, actions[c.pk]) for c in controls],
            "action_count": sum(len(found) for found in actions.values()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def control_new(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_hazard_for_user(request, pk, change=True)
    form = ControlForm(request.POST or None, organisation=hazard.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_control(hazard=hazard, actor=request.user, **form.cleaned_data)
        except services.RiskError as exc:
            form.add_error("owner", str(exc))
        else:
            messages.success(request, "Control added")
            return redirect(reverse("risk:assessment", args=[hazard.assessment_id]) + f"#hazard-{hazard.pk}")
    return render(request, "risk/control_form.html", {"form": form, "hazard": hazard})


@login_required
@require_http_methods(["GET", "POST"])
def control_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a control's words, owner, due date or evidence note (its action keeps its own)."""
    control = get_control_for_user(request, pk, change=True)
    initial = {"description": control.description, "owner": control.owner_id, "due_on": control.due_on}
    initial["evidence_note"] = control.evidence_note
    form = ControlForm(request.POST or None, initial=initial, organisation=control.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_control(control=control, actor=request.user, **form.cleaned_data)
        except services.RiskError as exc:
            form.add_error("owner", str(exc))
        else:
            messages.success(request, "Control changed")
            return redirect(reverse("risk:assessment", args=[control.hazard.assessment_id]) + f"#control-{control.pk}")
    actions_made = selectors.control_actions(control.organisation, [control])[control.pk]
    return render(
        request,
        "risk/control_form.html",
        {"form": form, "hazard": control.hazard, "control": control, "actions": actions_made},
    )


@sudo_required
@require_http_methods(["GET", "POST"])
def control_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a control; actions made from it stay in the hub."""
    control = get_control_for_user(request, pk, change=True)
    if request.method == "POST":
        services.delete_control(control=control, actor=request.user)
        messages.success(request, f"Control deleted: {control.description}")
        return redirect(
            reverse("risk:assessment", args=[control.hazard.assessment_id]) + f"#hazard-{control.hazard_id}"
        )
    actions_made = selectors.control_actions(control.organisation, [control])[control.pk]
    return render(request, "risk/control_delete.html", {"control": control, "actions": actions_made})


@login_required
@require_POST
def control_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: the control becomes an action in the hub (or its existing action is shown)."""
    control = get_control_for_user(request, pk, change=True)
    try:
        action = services.control_to_action(control=control, actor=request.user)
    except services.RiskError as exc:
        messages.error(request, str(exc))
        return redirect(
            reverse("risk:assessment", args=[control.hazard.assessment_id]) + f"#hazard-{control.hazard_id}"
        )
    messages.success(request, "Action added to the actions hub")
    return redirect("actions:detail", action.pk)


@login_required
@require_http_methods(["GET", "POST"])
def rerate(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_hazard_for_user(request, pk, change=True)
    matrix = hazard.assessment.the_matrix
    blockers = selectors.rerate_blockers(hazard)
    form = RerateForm(
        request.POST or None,
        matrix=matrix,
        initial={"likelihood": hazard.current_likelihood, "severity": hazard.current_severity},
    )
    if request.method == "POST" and not blockers and form.is_valid():
        try:
            services.rerate_residual(
                hazard=hazard,
                likelihood=form.cleaned_data["likelihood"],
                severity=form.cleaned_data["severity"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except services.RiskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Residual risk re-rated")
            return redirect(reverse("risk:assessment", args=[hazard.assessment_id]) + f"#hazard-{hazard.pk}")
    return render(
        request,
        "risk/rerate.html",
        {
            "form": form,
            "hazard": hazard,
            "blockers": blockers,
            "current": matrix.describe(hazard.current_likelihood, hazard.current_severity),
        },
    )


# ---------------------------------------------------------------- suggestions


@suggestions_required
@require_http_methods(["GET", "POST"])
def suggestions(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    if request.method == "POST":
        added = services.refresh_suggestions(organisation=organisation, actor=request.user)
        messages.success(request, f"{added} new suggestion{'s' if added != 1 else ''}")
        return redirect("risk:suggestions")
    found = list(Suggestion.objects.for_organisation(organisation).select_related("decided_by", "hazard")[:200])
    return render(
        request,
        "risk/suggestions.html",
        {
            "pending": [s for s in found if s.status == Suggestion.Status.PENDING],
            "decided": [s for s in found if s.status != Suggestion.Status.PENDING],
        },
    )


def _suggestion(request: HttpRequest, pk: int) -> Suggestion:
    found = Suggestion.objects.for_organisation(request.organisation).filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found


@suggestions_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (adding the hazard to a chosen assessment) or dismiss one suggestion, with a reason."""
    suggestion = _suggestion(request, pk)
    organisation = request.organisation  # type: ignore[attr-defined]
    assessments = Assessment.objects.for_organisation(organisation).order_by("kind", "title")
    accept_form = AcceptForm(prefix="accept", assessments=assessments)
    dismiss_form = DismissForm(prefix="dismiss")
    if request.method == "POST":
        if suggestion.status != Suggestion.Status.PENDING:
            messages.error(request, "This suggestion has already been decided")
            return redirect("risk:suggestions")
        if request.POST.get("decision") == "accept":
            accept_form = AcceptForm(request.POST, prefix="accept", assessments=assessments)
            if accept_form.is_valid():
                d = accept_form.cleaned_data
                hazard = services.accept_suggestion(
                    suggestion=suggestion,
                    assessment=d["assessment"],
                    reason=d["reason"],
                    rating=(d["likelihood"], d["severity"]),
                    actor=request.user,
                )
                messages.success(request, "Suggestion accepted: hazard added")
                return redirect(reverse("risk:assessment", args=[hazard.assessment_id]) + f"#hazard-{hazard.pk}")
        elif request.POST.get("decision") == "dismiss":
            dismiss_form = DismissForm(request.POST, prefix="dismiss")
            if dismiss_form.is_valid():
                services.dismiss_suggestion(
                    suggestion=suggestion, reason=dismiss_form.cleaned_data["reason"], actor=request.user
                )
                messages.success(request, "Suggestion dismissed")
                return redirect("risk:suggestions")
    return render(
        request,
        "risk/decide.html",
        {"suggestion": suggestion, "accept_form": accept_form, "dismiss_form": dismiss_form},
    )
