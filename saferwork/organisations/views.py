from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from saferwork.accounts.decorators import sudo_required
from saferwork.organisations import services
from saferwork.organisations.middleware import SESSION_KEY
from saferwork.organisations.models import ROLE_FLAGS
from saferwork.organisations.permissions import membership_has, role_required


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
    """Make another of the person's organisations the current one."""
    try:
        wanted = int(request.POST.get("organisation", ""))
    except ValueError as exc:
        raise Http404("No such organisation") from exc
    membership = next((m for m in request.memberships if m.organisation_id == wanted), None)  # type: ignore[attr-defined]
    if membership is None:
        raise Http404("No such organisation")
    request.session[SESSION_KEY] = membership.organisation_id
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/dashboard/"
    return redirect(next_url)


@never_cache
@role_required("is_coordinator", "is_programme_admin")
@sudo_required
def member(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's roles or remove them, through the audited services (sudo mode)."""
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=pk)
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
