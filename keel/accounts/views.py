"""Sign in and out, choose the active clinic, the staff home page, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.accounts.decorators import with_actor
from keel.accounts.forms import ApiTokenForm, LoginForm
from keel.accounts.models import User
from keel.accounts.permissions import access_membership, access_staff
from keel.accounts.requests import request_actor_for_audit
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor, api_token_list, clinic_memberships
from keel.accounts.services import (
    active_clinic_set,
    api_token_create,
    api_token_revoke,
    membership_psychiatrist_set,
)
from keel.audit.models import AuditAction, AuditOutcome
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, ValidationFailed


class KeelLoginView(LoginView):
    """The login page; every success and failure goes to the audit trail."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # Named even when a second factor is still to come (a partial session).
        actor = request_actor_for_audit(self.request)
        user = form.get_user()
        audit_record(
            actor=actor,
            action=AuditAction.LOGIN,
            object_type="user",
            object_id=user.pk,
        )
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            object_type="user",
            outcome=AuditOutcome.DENIED,
            username=str(form.data.get("username", ""))[:150],
        )
        return super().form_invalid(form)


@require_POST
def keel_logout(request: HttpRequest) -> HttpResponse:
    """Sign out: the server-side session is deleted, not just the cookie."""
    if request.user.is_authenticated:
        audit_record(
            actor=request_actor_for_audit(request),
            action=AuditAction.LOGOUT,
            object_type="user",
            object_id=request.user.pk,
        )
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("accounts:login")


@require_POST
@with_actor
def clinic_switch(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Change the active clinic (only to one the user is a member of)."""
    try:
        clinic_id = int(request.POST.get("clinic_id", ""))
    except ValueError:
        clinic_id = -1
    assert isinstance(request.user, User)  # noqa: S101 - with_actor guarantees a user
    clinic = active_clinic_set(request=request, user=request.user, clinic_id=clinic_id)
    messages.success(request, f"You are now working in {clinic.name}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return HttpResponseRedirect(target)


@with_actor
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The staff home page: where to start today (patients go to their portal)."""
    if actor.account_type == AccountType.PATIENT:
        return redirect("portal:today")
    return render(request, "accounts/home.html", {})


@require_http_methods(["GET", "POST"])
@with_actor
def api_tokens_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """List the user's API tokens and issue a new one (shown once)."""
    assert isinstance(request.user, User)  # noqa: S101 - with_actor guarantees a user
    form = ApiTokenForm(request.POST or None)
    issued_raw: str | None = None
    if request.method == "POST" and form.is_valid() and actor.clinic is not None:
        data: dict[str, Any] = form.cleaned_data
        try:
            issued = api_token_create(
                user=request.user,
                clinic=actor.clinic,
                name=data["name"],
                scopes=data["scopes"],
                days=data["days"],
            )
        except ValidationFailed as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            issued_raw = issued.raw
            form = ApiTokenForm()
    tokens = api_token_list(user=request.user)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "issued_raw": issued_raw},
    )


@require_POST
@with_actor
def api_token_revoke_view(request: HttpRequest, actor: Actor, token_id: int) -> HttpResponse:
    """Revoke one of the user's tokens."""
    assert isinstance(request.user, User)  # noqa: S101 - with_actor guarantees a user
    token = api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("accounts:api_tokens")


@require_GET
@with_actor
def staff_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The clinic's staff and their credentials; the admin records who is a psychiatrist."""
    clinic = access_staff(actor=actor)
    return render(
        request,
        "accounts/staff.html",
        {"clinic": clinic, "memberships": list(clinic_memberships(clinic=clinic))},
    )


@require_POST
@with_actor
def staff_psychiatrist_view(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    """Record (value "1") or remove (value "0") the psychiatrist credential."""
    membership = access_membership(actor=actor, membership_id=membership_id)
    value = request.POST.get("is_psychiatrist", "")
    if value not in {"0", "1"}:
        messages.error(request, "Choose whether this clinician is a psychiatrist.")
        return redirect("accounts:staff")
    try:
        membership = membership_psychiatrist_set(
            actor=actor, membership=membership, is_psychiatrist=value == "1"
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        name = membership.user.get_full_name() or membership.user.get_username()
        state = "recorded as a psychiatrist" if membership.is_psychiatrist else "not a psychiatrist"
        messages.success(request, f"{name} is {state}.")
    return redirect("accounts:staff")
