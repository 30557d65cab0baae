from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from saferwork.lib.redirects import safe_next
from saferwork.organisations.middleware import SESSION_KEY


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
    return redirect(safe_next(request))
