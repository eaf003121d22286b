"""Pages for the second factor: set up an authenticator, verify a sign-in, account security."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device

from keel.accounts.decorators import with_actor
from keel.accounts.mfa import (
    mfa_enrolled,
    mfa_has_recovery_codes,
    mfa_required_by_role,
    session_is_partial,
    session_mfa_verified,
)
from keel.accounts.mfa_forms import RecoveryCodeForm, TotpCodeForm
from keel.accounts.mfa_models import TotpAuthenticator
from keel.accounts.mfa_services import (
    CodeCheck,
    Enrolment,
    mfa_disable,
    recovery_code_use,
    recovery_codes_remaining,
    recovery_codes_replace,
    totp_device_confirm,
    totp_device_pending,
    totp_verify,
)
from keel.accounts.models import User
from keel.accounts.requests import request_actor_for_audit, request_actor_forget
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction, AuditOutcome
from keel.audit.services import audit_record
from keel.common.exceptions import ValidationFailed

QR_SCALE = 5
QR_BORDER = 2


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _failure_message(check: CodeCheck) -> str:
    if check.locked_until is not None:
        seconds = max(1, int((check.locked_until - timezone.now()).total_seconds()) + 1)
        unit = "second" if seconds == 1 else "seconds"
        return (
            f"That code was not accepted. Wait {seconds} {unit} before the next try; "
            "each wrong code doubles the wait."
        )
    return "That code was not accepted. Check the code and try again."


def _audit(
    request: HttpRequest,
    *,
    action: AuditAction,
    object_type: str,
    user: User,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    detail: dict[str, object] | None = None,
) -> None:
    actor = request_actor_for_audit(request)
    audit_record(
        actor=actor,
        username=None if actor is not None else user.get_username(),
        action=action,
        object_type=object_type,
        object_id=user.pk,
        outcome=outcome,
        detail=detail,
    )


def _complete_sign_in(request: HttpRequest, device: Device) -> None:
    """Mark the session verified by ``device`` and give it a new key (privilege change)."""
    otp_login(request, device)
    request.session.cycle_key()
    request_actor_forget(request)


def _codes_page(request: HttpRequest, codes: list[str], *, next_url: str) -> HttpResponse:
    return render(
        request, "accounts/mfa/recovery_codes.html", {"codes": codes, "next_url": next_url}
    )


@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Register an authenticator app: show the secret, confirm a code, show recovery codes."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    has_factor = mfa_enrolled(user=user) or mfa_has_recovery_codes(user=user)
    if has_factor and not session_mfa_verified(request):
        # Replacing a second factor needs the current one first.
        query = urlencode({"next": reverse("accounts:mfa_setup")})
        return redirect(f"{reverse('accounts:mfa_verify')}?{query}")
    next_url = _next_url(request)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = totp_device_confirm(user=user, code=form.cleaned_data["code"])
        if isinstance(result, Enrolment):
            _complete_sign_in(request, result.device)
            _audit(request, action=AuditAction.CREATE, object_type="mfa_totp_device", user=user)
            return _codes_page(request, result.recovery_codes, next_url=next_url)
        _audit(
            request,
            action=AuditAction.LOGIN_FAILED,
            object_type="mfa_totp",
            user=user,
            outcome=AuditOutcome.DENIED,
            detail={"step": "enrolment", "throttled": result.locked_until is not None},
        )
        form.add_error("code", _failure_message(result))
    device = totp_device_pending(user=user)
    uri = device.config_url
    secret = device.base32_key
    qr = segno.make(uri, error="m")
    qr_width, qr_height = qr.symbol_size(scale=QR_SCALE, border=QR_BORDER)
    context: dict[str, Any] = {
        "form": form,
        "next_url": next_url,
        "otpauth_uri": uri,
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "qr_data_uri": qr.svg_data_uri(scale=QR_SCALE, border=QR_BORDER),
        "qr_width": qr_width,
        "qr_height": qr_height,
        "required": mfa_required_by_role(user=user),
        "partial": session_is_partial(request),
    }
    return render(request, "accounts/mfa/setup.html", context)


@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    if session_mfa_verified(request) or not session_is_partial(request):
        return HttpResponseRedirect(next_url)
    if not mfa_enrolled(user=user) and not mfa_has_recovery_codes(user=user):
        return redirect(f"{reverse('accounts:mfa_setup')}?{urlencode({'next': next_url})}")
    method = request.POST.get("method", "totp")
    posted = request.POST if request.method == "POST" else None
    totp_form = TotpCodeForm(posted if method == "totp" else None)
    recovery_form = RecoveryCodeForm(posted if method == "recovery" else None)
    if posted is not None:
        form = totp_form if method == "totp" else recovery_form
        if form.is_valid():
            if method == "totp":
                check = totp_verify(user=user, code=form.cleaned_data["code"])
            else:
                check = recovery_code_use(user=user, code=form.cleaned_data["recovery_code"])
            object_type = "mfa_totp" if method == "totp" else "mfa_recovery_code"
            if check.device is not None:
                _complete_sign_in(request, check.device)
                _audit(
                    request,
                    action=AuditAction.LOGIN,
                    object_type=object_type,
                    user=user,
                    detail={"step": "second_factor"},
                )
                if method == "recovery":
                    left = recovery_codes_remaining(user=user)
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. Make new ones on Account security.",
                    )
                return HttpResponseRedirect(next_url)
            _audit(
                request,
                action=AuditAction.LOGIN_FAILED,
                object_type=object_type,
                user=user,
                outcome=AuditOutcome.DENIED,
                detail={"step": "second_factor", "throttled": check.locked_until is not None},
            )
            form.add_error("code" if method == "totp" else "recovery_code", _failure_message(check))
    context = {
        "totp_form": totp_form,
        "recovery_form": recovery_form,
        "next_url": next_url,
        "has_totp": mfa_enrolled(user=user),
        "has_recovery_codes": mfa_has_recovery_codes(user=user),
    }
    return render(request, "accounts/mfa/verify.html", context)


@with_actor
def account_security(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Two-step sign-in status: set up, replace, new recovery codes, turn off (if optional)."""
    user = actor.user
    device = TotpAuthenticator.objects.filter(user=user, confirmed=True).first()
    context = {
        "required": mfa_required_by_role(user=user),
        "device": device,
        "recovery_left": recovery_codes_remaining(user=user),
        "disable_form": TotpCodeForm(),
    }
    return render(request, "accounts/mfa/security.html", context)


@require_POST
@with_actor
def mfa_recovery_codes_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Replace the recovery codes (needs an authenticator and a verified session)."""
    user = actor.user
    if not (mfa_enrolled(user=user) and session_mfa_verified(request)):
        messages.error(request, "Set up an authenticator app first.")
        return redirect("accounts:security")
    codes = recovery_codes_replace(user=user)
    _audit(request, action=AuditAction.CREATE, object_type="mfa_recovery_codes", user=user)
    return _codes_page(request, codes, next_url=reverse("accounts:security"))


@require_POST
@with_actor
def mfa_disable_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Turn two-step sign-in off (optional roles only), confirmed with a current code."""
    user = actor.user
    form = TotpCodeForm(request.POST)
    if form.is_valid():
        try:
            check = mfa_disable(user=user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            messages.error(request, " ".join(exc.errors.get("code", [exc.message])))
            return redirect("accounts:security")
        if check.ok:
            _audit(request, action=AuditAction.DELETE, object_type="mfa_totp_device", user=user)
            messages.success(request, "Two-step sign-in is off.")
            return redirect("accounts:security")
        form.add_error("code", _failure_message(check))
    device = TotpAuthenticator.objects.filter(user=user, confirmed=True).first()
    context = {
        "required": mfa_required_by_role(user=user),
        "device": device,
        "recovery_left": recovery_codes_remaining(user=user),
        "disable_form": form,
    }
    return render(request, "accounts/mfa/security.html", context, status=422)
