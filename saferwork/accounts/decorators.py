"""Sudo mode: a fresh second-factor check before sensitive actions."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SUDO_SESSION_KEY = "sudo_until"


def grant_sudo(request: HttpRequest) -> None:
    request.session[SUDO_SESSION_KEY] = int(time.time()) + settings.SUDO_SECONDS


def in_sudo_mode(request: HttpRequest) -> bool:
    return int(request.session.get(SUDO_SESSION_KEY, 0)) > time.time()


def sudo_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ask for a second-factor code again unless one was given in the last few minutes.

    Use it on exports, deletions and opening a case. A POST that arrives outside sudo
    mode is not carried out: the person confirms, then comes back to the page.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if in_sudo_mode(request):
            return view(request, *args, **kwargs)
        return redirect(f"{reverse('accounts:sudo')}?{urlencode({'next': request.get_full_path()})}")

    return wrapper
