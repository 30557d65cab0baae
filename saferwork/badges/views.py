from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from saferwork.accounts.decorators import sudo_required
from saferwork.badges import certificates, documents, keys, services
from saferwork.badges.forms import EmailCheckForm, FilterForm, PasteForm, RevokeForm
from saferwork.badges.models import Achievement, Credential
from saferwork.badges.verification import email_matches, verify_credential, verify_stored
from saferwork.lib import ratelimit
from saferwork.organisations.permissions import programme_admin_required

LIMITED = "Too many checks from your connection. Wait an hour and try again."


def _public_json(data: Any, content_type: str = "application/ld+json") -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Type"] = f"{content_type}; charset=utf-8"
    # Anyone's verifier may fetch these: they are public by design.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _public_credential(pk: Any) -> Credential:
    # Public by design: whoever holds a badge's random id may check it.
    return get_object_or_404(Credential.objects.select_related("achievement", "organisation"), pk=pk)


# ---------------------------------------------------------------- published documents


@require_GET
def issuer(request: HttpRequest) -> HttpResponse:
    return _public_json(documents.issuer_profile(services.programme_host()))


@require_GET
def key(request: HttpRequest, kid: str) -> HttpResponse:
    found = keys.verification_keys().get(kid)
    if found is None:
        raise Http404("No such key")
    return _public_json(documents.key_document(found))


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    return _public_json(documents.jwks(), "application/jwk-set+json")


@require_GET
def achievement(request: HttpRequest, slug: str) -> HttpResponse:
    found = Achievement.objects.filter(slug=slug).first()
    if found is not None:
        return _public_json(documents.achievement_document(found, show_topic=True))
    found = get_object_or_404(Achievement, neutral_slug=slug)
    return _public_json(documents.achievement_document(found, show_topic=False))


@require_GET
@never_cache
def status_list(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(documents.status_list_jwt(services.programme_host()), content_type="application/vc+jwt")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# ---------------------------------------------------------------- public pages


@never_cache
def detail(request: HttpRequest, pk: Any) -> HttpResponse:
    """The public verification page: what we checked and what we found. No sign-in."""
    credential = _public_credential(pk)
    result = verify_stored(credential)
    form = EmailCheckForm(request.POST or None)
    email_result: bool | None = None
    status = 200
    if request.method == "POST":
        address = ratelimit.client_address(request)
        if ratelimit.is_limited("badge-verify", address, settings.RATE_LIMIT_BADGE_VERIFY):
            form.add_error(None, LIMITED)
            status = 429
        elif form.is_valid():
            ratelimit.hit("badge-verify", address, settings.RATE_LIMIT_BADGE_VERIFY)
            email_result = email_matches(credential, form.cleaned_data["email"])
    return render(
        request,
        "badges/detail.html",
        {
            "credential": credential,
            "result": result,
            "form": form,
            "email_result": email_result,
            "issuer_url": documents.issuer_id(),
        },
        status=status,
    )


@require_GET
def credential_json(request: HttpRequest, pk: Any) -> HttpResponse:
    credential = _public_credential(pk)
    response = HttpResponse(
        json.dumps(credential.document, indent=2, ensure_ascii=False),
        content_type="application/vc+ld+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="badge-{credential.id}.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def credential_jwt(request: HttpRequest, pk: Any) -> HttpResponse:
    credential = _public_credential(pk)
    response = HttpResponse(credential.jwt, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="badge-{credential.id}.jwt"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def certificate(request: HttpRequest, pk: Any) -> HttpResponse:
    credential = _public_credential(pk)
    result = verify_stored(credential)
    if not result.is_valid:
        return render(
            request, "badges/certificate_unavailable.html", {"result": result, "credential": credential}, status=410
        )
    response = HttpResponse(certificates.render_pdf(credential, result), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{credential.id}.pdf"'
    return response


@never_cache
def verify_form(request: HttpRequest) -> HttpResponse:
    """Paste a credential (JSON or JWT) to check it. Rate-limited per address."""
    form = PasteForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST":
        address = ratelimit.client_address(request)
        if ratelimit.is_limited("badge-verify", address, settings.RATE_LIMIT_BADGE_VERIFY):
            form.add_error(None, LIMITED)
            status = 429
        elif form.is_valid():
            ratelimit.hit("badge-verify", address, settings.RATE_LIMIT_BADGE_VERIFY)
            result = verify_credential(form.cleaned_data["credential"])
    return render(request, "badges/verify.html", {"form": form, "result": result}, status=status)


# ---------------------------------------------------------------- programme admins


@programme_admin_required
def admin_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    badges = Credential.objects.for_organisation(request.organisation).select_related("achievement")  # type: ignore[attr-defined]
    if form.is_valid() and form.cleaned_data["status"] == "revoked":
        badges = badges.filter(revoked_at__isnull=False)
    elif form.is_valid() and form.cleaned_data["status"] == "active":
        badges = badges.filter(revoked_at__isnull=True)
    page = Paginator(badges, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "badges/admin_list.html", {"form": form, "page": page, "query": query.urlencode()})


@programme_admin_required
@sudo_required
def revoke(request: HttpRequest, pk: Any) -> HttpResponse:
    credential = get_object_or_404(
        Credential.objects.for_organisation(request.organisation).select_related("achievement"),  # type: ignore[attr-defined]
        pk=pk,
    )
    if credential.is_revoked:
        messages.info(request, "This badge was already revoked.")
        return redirect("badges:admin_list")
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_badge(credential=credential, reason=form.cleaned_data["reason"], actor=request.user)
        except services.BadgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Badge {credential.id} has been revoked.")
            return redirect("badges:admin_list")
    return render(request, "badges/revoke.html", {"credential": credential, "form": form})
