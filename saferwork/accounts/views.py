from __future__ import annotations

import base64
import io
import time
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from saferwork.accounts import services
from saferwork.accounts.decorators import grant_sudo, in_sudo_mode, sudo_required
from saferwork.accounts.forms import CodeForm, InvitationForm, PasswordResetForm, SetPasswordForm, SignInForm
from saferwork.accounts.models import User
from saferwork.lib import ratelimit
from saferwork.lib.redirects import safe_next
from saferwork.organisations import services as membership_services
from saferwork.organisations.permissions import membership_has, role_required
from saferwork.reporting import keys as reporting_keys

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 5 * 60
LOCKED_MESSAGE = (
    "Too many attempts. For your safety, signing in to this account is paused for 15 minutes. "
    "If this was not you, reset your password."
)


@never_cache
@sensitive_post_parameters()
@sensitive_variables()
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():  # type: ignore[union-attr,attr-defined]
        return redirect(safe_next(request))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        address = ratelimit.client_address(request)
        by_address = ("sign-in-address", address, settings.RATE_LIMIT_SIGN_IN_ADDRESS)
        by_account = ("sign-in-account", email, settings.RATE_LIMIT_SIGN_IN_ACCOUNT)
        # Counted before the password is checked, atomically: requests that arrive together
        # cannot all be evaluated before the pause begins.
        address_count = ratelimit.attempt(*by_address)
        account_count = ratelimit.attempt(*by_account) if address_count is not None else None
        if address_count is None or account_count is None:
            if address_count is not None:
                ratelimit.forgive(*by_address)  # nothing was tried from this address
            form.add_error(None, LOCKED_MESSAGE)
            status = 429
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                ratelimit.failed(*by_address, address_count)
                ratelimit.failed(*by_account, account_count)
                form.add_error(None, "The email address or password is not right")
            else:
                # Only wrong passwords count towards the limits.
                ratelimit.forgive(*by_address)
                ratelimit.forgive(*by_account)
                if services.has_second_factor(user):  # type: ignore[arg-type]
                    request.session.cycle_key()
                    request.session[PENDING_KEY] = {
                        "user_id": user.pk,
                        "at": int(time.time()),
                        # Bound to the password and the security stamp: signing out everywhere,
                        # changing or resetting the password ends this half-finished sign-in too.
                        "auth_hash": user.get_session_auth_hash(),
                    }
                    # The password is at hand only now: unlock the handler's reporting key for
                    # this session (kept encrypted under a key in an HttpOnly cookie).
                    reporting_keys.on_password_verified(request, user, form.cleaned_data["password"])
                    next_url = safe_next(request, "")
                    target = reverse("accounts:sign_in_code")
                    response = redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
                    return reporting_keys.apply_cookies(request, response)
                else:
                    login(request, user)
                    reporting_keys.on_password_verified(request, user, form.cleaned_data["password"])
                    response = redirect(safe_next(request))
                    return reporting_keys.apply_cookies(request, response)
    return render(request, "accounts/sign_in.html", {"form": form, "next": safe_next(request, "")}, status=status)


def _pending_user(request: HttpRequest) -> User | None:
    """The person whose password this session accepted, if that still stands.

    ``None`` once the five minutes are up, or once the account's session hash has moved
    on (sign out everywhere, a password change or reset) since the password was given.
    """
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("at", 0) + PENDING_SECONDS < time.time():
        return None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None or not constant_time_compare(str(pending.get("auth_hash", "")), user.get_session_auth_hash()):
        request.session.pop(PENDING_KEY, None)
        return None
    return user


def _backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@never_cache
@sensitive_post_parameters()
@sensitive_variables()
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, "Sign in again: the time to enter your code ran out.")
        return redirect("accounts:sign_in")
    backup_left = _backup_codes_left(user)
    form = CodeForm(request.POST or None, backup_codes=backup_left > 0)
    status = 200
    if request.method == "POST" and form.is_valid():
        count = ratelimit.attempt("second-factor", str(user.pk), settings.RATE_LIMIT_SECOND_FACTOR)
        if count is None:
            form.add_error("code", LOCKED_MESSAGE)
            status = 429
        else:
            device = services.verify_second_factor(user=user, token=form.cleaned_data["code"])
            if device is None:
                ratelimit.failed("second-factor", str(user.pk), settings.RATE_LIMIT_SECOND_FACTOR, count)
                left = settings.RATE_LIMIT_SECOND_FACTOR[0] - count
                form.add_error(
                    "code",
                    "The code is not right or has expired"
                    + (
                        f". You have {left} more {'try' if left == 1 else 'tries'}"
                        if left > 0
                        else f". {LOCKED_MESSAGE}"
                    ),
                )
                status = 429 if left <= 0 else 200
            else:
                del request.session[PENDING_KEY]
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                otp_login(request, device)
                ratelimit.reset("second-factor", str(user.pk), settings.RATE_LIMIT_SECOND_FACTOR)
                if device.__class__.__name__ == "StaticDevice":
                    left = _backup_codes_left(user)
                    messages.warning(
                        request,
                        f"You signed in with a backup code. You have {left} left: "
                        "make new ones from your account page.",
                    )
                return redirect(safe_next(request))
    return render(
        request,
        "accounts/sign_in_code.html",
        {"form": form, "next": safe_next(request, ""), "backup_left": backup_left},
        status=status,
    )


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if services.has_second_factor(user):
        if user.is_verified():  # type: ignore[attr-defined]
            return redirect("accounts:account")
        # A session that predates enrolment elsewhere must prove the existing factor.
        logout(request)
        return redirect("accounts:sign_in")
    device = services.start_totp_enrolment(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp_enrolment(user=user, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": True})
        form.add_error("code", "The code is not right. Check the time on your phone is set automatically")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    backup_left = _backup_codes_left(user)
    return render(
        request,
        "accounts/account.html",
        {"has_second_factor": services.has_second_factor(user), "backup_left": backup_left},
    )


@never_cache
@sudo_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        codes = services.regenerate_backup_codes(user=request.user)  # type: ignore[arg-type]
        return render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": False})
    return render(request, "accounts/backup_codes_confirm.html")


@never_cache
@login_required
@sensitive_post_parameters()
@sensitive_variables()
def sudo(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = CodeForm(request.POST or None, backup_codes=_backup_codes_left(user) > 0)
    next_url = safe_next(request, reverse("accounts:account"))
    status = 200
    if request.method == "POST" and form.is_valid():
        count = ratelimit.attempt("second-factor", str(user.pk), settings.RATE_LIMIT_SECOND_FACTOR)
        if count is None:
            form.add_error("code", LOCKED_MESSAGE)
            status = 429
        elif services.verify_second_factor(user=user, token=form.cleaned_data["code"]) is None:
            ratelimit.failed("second-factor", str(user.pk), settings.RATE_LIMIT_SECOND_FACTOR, count)
            form.add_error("code", "The code is not right or has expired")
        else:
            ratelimit.forgive("second-factor", str(user.pk), settings.RATE_LIMIT_SECOND_FACTOR)
            grant_sudo(request)
            return redirect(next_url)
    return render(request, "accounts/sudo.html", {"form": form, "next": next_url}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign_in")


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.sign_out_everywhere(user=request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, "You have signed out on every device.")
    return redirect("accounts:sign_in")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm  # sends accounts.password_reset through saferwork.lib.email
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address = ratelimit.client_address(request)
        if (
            ratelimit.hit("password-reset", address, settings.RATE_LIMIT_ANONYMOUS_FORM)
            > settings.RATE_LIMIT_ANONYMOUS_FORM[0]
        ):
            response = render(request, "accounts/password_reset_done.html", status=429)
            return response
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # A case handler's reporting key follows the new password.
        reporting_keys.on_password_changed(
            self.request, self.request.user, form.cleaned_data["old_password"], form.cleaned_data["new_password1"]
        )
        return reporting_keys.apply_cookies(self.request, response)


@never_cache
@sensitive_post_parameters()
@sensitive_variables()
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is not None and invitation.accepted_at is not None:
        # A link used a second time: say it worked, and where to go now.
        return render(request, "accounts/invitation_used.html", {"invitation": invitation})
    if invitation is None or not invitation.is_usable:
        return render(request, "accounts/invitation_invalid.html", status=410 if invitation else 404)
    existing = User.objects.filter(email=invitation.email).first()
    if existing is not None:
        if request.user.is_authenticated and request.user.pk == existing.pk:
            if request.method == "POST":
                services.accept_invitation(invitation=invitation, user=existing, full_name="", password=None)
                request.session["organisation_id"] = invitation.organisation_id
                messages.success(request, f"You have joined {invitation.organisation}.")
                return redirect(settings.LOGIN_REDIRECT_URL)
            return render(request, "accounts/invitation_join.html", {"invitation": invitation})
        messages.info(request, "Sign in with this email address to accept the invitation.")
        return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': request.path})}")
    form = SetPasswordForm(request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        user = services.accept_invitation(
            invitation=invitation,
            user=None,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password"],
        )
        logout(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session["organisation_id"] = invitation.organisation_id
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})


@role_required("is_coordinator", "is_programme_admin")
def people(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    allow_admin = membership_has(request.membership, "is_programme_admin")  # type: ignore[attr-defined]
    form = InvitationForm(request.POST or None, allow_programme_admin=allow_admin)
    if request.method == "POST" and form.is_valid():
        if set(form.cleaned_data["flags"]) & membership_services.SUDO_FLAGS and not in_sudo_mode(request):
            # Giving a role (a case handler above all) needs a fresh code: a stolen session
            # alone cannot add people who would then be given reports.
            messages.info(request, "Confirm it is you, then send the invitation again.")
            return redirect(f"{reverse('accounts:sudo')}?{urlencode({'next': reverse('accounts:people')})}")
        invitation, _token = services.invite(
            organisation=organisation,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            flags=form.cleaned_data["flags"],
            invited_by=request.user,  # type: ignore[arg-type]
        )
        messages.success(
            request,
            f"Invitation sent to {invitation.email}. The link works for {settings.INVITATION_DAYS} days.",
        )
        return redirect("accounts:people")
    members = organisation.memberships.select_related("user").order_by("user__full_name", "user__email")
    pending = organisation.invitations.filter(accepted_at__isnull=True).order_by("-created_at")[:50]
    return render(request, "accounts/people.html", {"form": form, "members": members, "pending": pending})
