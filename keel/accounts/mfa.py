"""Who needs a second factor, and whether this session has given one (ONC 170.315(d)(13)).

The rule is data, like the permission catalogue: a role or account type listed
below must verify a second factor (TOTP, or a single-use recovery code) in every
login session before Keel shows them anything but the second-factor pages.
Everyone else may enrol from *Account security*; once enrolled, their own
second factor is asked for at every sign-in as well.

A session that has passed the password step but not the second factor is
*partial*: ``keel.accounts.requests.request_actor`` returns no actor for it, so
every gate refuses it (fail closed), ``MfaRequiredMiddleware`` sends its pages
to the verify page, and the API answers 401 "Second factor required".
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Exists
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from keel.accounts.mfa_models import TotpAuthenticator
from keel.accounts.models import Membership, User
from keel.accounts.roles import AccountType, Role

# Staff roles that must use a second factor: they reach clinical records and
# prescribing decisions (physician) or run the clinic and its audit trail (admin).
MFA_REQUIRED_ROLES: frozenset[Role] = frozenset({Role.PHYSICIAN, Role.CLINIC_ADMIN})
# Outside accounts that must use a second factor.
MFA_REQUIRED_ACCOUNT_TYPES: frozenset[AccountType] = frozenset({AccountType.PSYCHIATRIST_OF_RECORD})
RECOVERY_CODE_COUNT = 10
SECOND_FACTOR_REQUIRED = (
    "Second factor required: complete two-step sign-in at /accounts/mfa/verify/."
)

_PARTIAL_ATTR = "_keel_mfa_partial"


def mfa_required_by_role(*, user: User) -> bool:
    """True when the user's account type, or any active membership's role, needs MFA.

    Any membership counts, not only the active clinic's: the login is one
    credential, and a password alone must not open any clinic to someone who
    is a physician or clinic admin somewhere.
    """
    if AccountType(user.account_type) in MFA_REQUIRED_ACCOUNT_TYPES:
        return True
    return bool(
        Membership.objects.filter(
            user=user, is_active=True, role__in=[role.value for role in MFA_REQUIRED_ROLES]
        ).exists()
    )


def mfa_enrolled(*, user: User) -> bool:
    """True when the user has a confirmed authenticator app."""
    return bool(TotpAuthenticator.objects.filter(user=user, confirmed=True).exists())


def mfa_has_recovery_codes(*, user: User) -> bool:
    """True when the user has at least one unused recovery code."""
    return bool(
        StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists()
    )


def mfa_required(*, user: User) -> bool:
    """True when sign-in needs a second factor: by role, or because the user enrolled.

    One query (it runs on every request of a session without a verified factor).
    """
    if AccountType(user.account_type) in MFA_REQUIRED_ACCOUNT_TYPES:
        return True
    by_role = Membership.objects.filter(
        user=user, is_active=True, role__in=[role.value for role in MFA_REQUIRED_ROLES]
    )
    enrolled = TotpAuthenticator.objects.filter(user=user, confirmed=True)
    return bool(User.objects.filter(pk=user.pk).filter(Exists(by_role) | Exists(enrolled)).exists())


def session_mfa_verified(request: HttpRequest) -> bool:
    """True when a confirmed device of this user verified a code in this session.

    django-otp's ``OTPMiddleware`` sets ``user.is_verified``; without it nothing
    is verified (fail closed).
    """
    is_verified = getattr(request.user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def session_is_partial(request: HttpRequest) -> bool:
    """True for a signed-in user who needs a second factor and has not given it yet.

    Computed once per request (``session_state_forget`` clears it after verification).
    """
    cached = getattr(request, _PARTIAL_ATTR, None)
    if isinstance(cached, bool):
        return cached
    user = request.user
    partial = (
        isinstance(user, User)  # a signed-in user (never AnonymousUser)
        and not session_mfa_verified(request)
        and mfa_required(user=user)
    )
    setattr(request, _PARTIAL_ATTR, partial)
    return partial


def session_state_forget(request: HttpRequest) -> None:
    """Drop the per-request cache after the session's second-factor state changed."""
    if hasattr(request, _PARTIAL_ATTR):
        delattr(request, _PARTIAL_ATTR)


def second_factor_url(request: HttpRequest) -> str:
    """Where a partial session goes: first-time setup, or the verify page; back here after."""
    user = request.user
    needs_setup = (
        isinstance(user, User)
        and not mfa_enrolled(user=user)
        and not mfa_has_recovery_codes(user=user)
    )
    target = reverse("accounts:mfa_setup" if needs_setup else "accounts:mfa_verify")
    if request.method in {"GET", "HEAD"}:
        return f"{target}?{urlencode({'next': request.get_full_path()})}"
    return target


def second_factor_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Redirect a partial session to the second-factor page."""
    return HttpResponseRedirect(second_factor_url(request))
