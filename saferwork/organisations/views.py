from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from saferwork.accounts.decorators import in_sudo_mode, sudo_required
from saferwork.lib.redirects import safe_next
from saferwork.organisations import selectors, services
from saferwork.organisations.forms import JoinDecisionForm
from saferwork.organisations.middleware import SESSION_KEY
from saferwork.organisations.models import ROLE_FLAGS, JoinRequest
from saferwork.organisations.permissions import membership_has, programme_admin_required, role_required
from saferwork.organisations.switching import mark_landing


class RolesForm(forms.Form):
    flags = forms.MultipleChoiceField(
        label="What they do",
        help_text="Leave all unticked for a participant. Giving the case handler role does not let them read "
        "reports: a handler who reads them gives access separately.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, allow_programme_admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(k, v) for k, v in ROLE_FLAGS.items() if allow_programme_admin or k != "is_programme_admin"]
        self.fields["flags"].choices = choices  # type: ignore[attr-defined]


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    """Make another of the person's organisations the current one, and go on to ``next``.

    ``next`` is the page the switch was made from (the switcher) or the page a link led
    to (the offer to switch). If that page is not there for the new organisation, the
    person lands on its dashboard: see ``switching.mark_landing``.
    """
    try:
        wanted = int(request.POST.get("organisation", ""))
    except ValueError as exc:
        raise Http404("No such organisation") from exc
    membership = next((m for m in request.memberships if m.organisation_id == wanted), None)  # type: ignore[attr-defined]
    if membership is None:
        raise Http404("No such organisation")
    request.session[SESSION_KEY] = membership.organisation_id
    go_on = safe_next(request)
    mark_landing(request, go_on)
    return redirect(go_on)


@never_cache
@role_required("is_coordinator")
def join_requests(request: HttpRequest) -> HttpResponse:
    """Requests to join the current organisation: the coordinators decide."""
    organisation = request.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "organisations/join_requests.html",
        {
            "pending": selectors.pending_join_requests(organisation),
            "decided": organisation.join_requests.exclude(status=JoinRequest.Status.PENDING)[:50],
            "programme": False,
        },
    )


@never_cache
@programme_admin_required
def programme_join_requests(request: HttpRequest) -> HttpResponse:
    """Every organisation's waiting requests, for the programme admins who may decide deliberately."""
    pending = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).select_related("organisation")
    return render(
        request, "organisations/join_requests.html", {"pending": pending[:200], "decided": [], "programme": True}
    )


def _decide(request: HttpRequest, join_request: JoinRequest, *, programme: bool) -> HttpResponse:
    here = request.path
    if not in_sudo_mode(request):
        # Granting a role is sensitive: a fresh code first, then back to this page.
        return redirect(f"{reverse('accounts:sudo')}?{urlencode({'next': here})}")
    form = JoinDecisionForm(request.POST or None, reason_required=programme)
    if request.method == "POST" and join_request.is_pending and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        act = services.approve_join_request if approve else services.refuse_join_request
        try:
            act(join_request=join_request, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if form.cleaned_data["decision"] == "approve":
                messages.success(
                    request,
                    f"Approved. {join_request.email} has been sent an invitation to join "
                    f"{join_request.organisation.name}.",
                )
            else:
                messages.success(request, f"Refused. {join_request.email} has not been added.")
            return redirect("organisations:programme_join_requests" if programme else "organisations:join_requests")
    context: dict[str, Any] = {
        "join_request": join_request,
        "form": form,
        "programme": programme,
        "member": selectors.membership_of(join_request.organisation, join_request.email),
        "coordinators": selectors.coordinator_emails(join_request.organisation),
    }
    return render(request, "organisations/join_request.html", context)


@never_cache
@role_required("is_coordinator")
def join_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, selectors.get_join_request_for_coordinator(request, pk), programme=False)


@never_cache
@programme_admin_required
def programme_join_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, selectors.get_join_request_for_programme_admin(request, pk), programme=True)


@never_cache
@role_required("is_coordinator", "is_programme_admin")
@sudo_required
def member(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's roles or remove them, through the audited services (sudo mode)."""
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = selectors.get_member_of_current_organisation(request, pk)
    allow_admin = membership_has(request.membership, "is_programme_admin")  # type: ignore[attr-defined]
    removing = request.method == "POST" and request.POST.get("action") == "remove"
    form = RolesForm(
        request.POST if request.method == "POST" and not removing else None,
        allow_programme_admin=allow_admin or membership.is_programme_admin,
        initial={"flags": membership.role_flags},
    )
    if removing:
        services.remove_membership(membership=membership, actor=request.user)
        messages.success(request, f"{membership.user.get_full_name()} is no longer a member of {organisation}.")
        return redirect("accounts:people")
    if request.method == "POST" and form.is_valid():
        flags = set(form.cleaned_data["flags"])
        if not allow_admin:
            # Only a programme admin gives or takes the programme admin role.
            flags = (flags - {"is_programme_admin"}) | ({"is_programme_admin"} & set(membership.role_flags))
        services.set_roles(membership=membership, flags=flags, actor=request.user)
        messages.success(request, f"Roles of {membership.user.get_full_name()} saved.")
        return redirect("accounts:people")
    return render(request, "organisations/member.html", {"form": form, "membership": membership})
