from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    from saferwork.reporting.selectors import public_reporting_routes

    return render(request, "core/home.html", {"reporting_routes": public_reporting_routes()})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


# Cookies that hold the keys of a reporter's vault (see reporting.keys.Vault).
VAULT_COOKIE_PREFIXES = ("sw_", "__Host-sw_")


@never_cache
def exit_page(request: HttpRequest) -> HttpResponse:
    """Where "Exit this page" goes: end the visit here and now, then on to a neutral site.

    The session (and with it every vault: a draft, a report opened with a receipt, a
    private record) is destroyed on the server, and the cookies that held the vault keys
    are deleted, so that neither Back nor a reload can bring a page back: the pages are
    never stored (no-store) and nothing is left to render them from. Clear-Site-Data asks
    the browser to drop its cache, cookies and storage for this site as well. This signs
    out anyone signed in on this browser too, which on a shared device is what a person
    leaving in a hurry needs. A GET, so that it works as a plain link without JavaScript.
    """
    request.session.flush()
    response = HttpResponseRedirect(settings.EXIT_PAGE_URL)
    for name in request.COOKIES:
        if name.startswith(VAULT_COOKIE_PREFIXES):
            response.delete_cookie(name, samesite="Lax")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be the thing that failed.
    from django.template import loader

    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        # The database is unreachable (restarting, failing over): a calm page that asks
        # for a moment; every write is in a transaction, so nothing was half-written.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
