"""The attendee's badge claim page, reached from the link in their email (no account)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from saferwork.badges import services as badges
from saferwork.delivery import claims
from saferwork.delivery.forms import ClaimForm
from saferwork.delivery.services import DeliveryError
from saferwork.lib import ratelimit


@never_cache
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, token: str) -> HttpResponse:
    address = ratelimit.client_address(request)
    limit = settings.RATE_LIMIT_BADGE_CLAIM
    if ratelimit.is_limited("badge-claim", address, limit):
        return render(request, "delivery/rate_limited.html", status=429)
    found = claims.find_claim(token)
    attended = found is not None and getattr(getattr(found.participant, "attendance", None), "attended", False)
    if found is None or not attended:
        ratelimit.hit("badge-claim", address, limit)
        return render(request, "delivery/claim_unavailable.html", status=404)
    if found.credential_id:
        return render(request, "delivery/claim_done.html", {"claim": found})
    achievement = badges.default_achievement()
    form = ClaimForm(
        request.POST if request.method == "POST" else None,
        neutral_name=achievement.wording(show_topic=False)["name"],
        topic_name=achievement.wording(show_topic=True)["name"],
    )
    if request.method == "POST" and form.is_valid():
        try:
            claims.claim_badge(claim=found, show_topic=form.show_topic)
        except (DeliveryError, badges.BadgeError) as error:
            form.add_error(None, str(error))
        else:
            return redirect("delivery:claim", token=token)
    return render(request, "delivery/claim.html", {"form": form, "claim": found})
