"""The acting user of an HTTP request, for views and API operations."""

from __future__ import annotations

from django.http import HttpRequest

from keel.accounts.mfa import session_is_partial, session_state_forget
from keel.accounts.models import User
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor, actor_build, membership_default_clinic_id
from keel.accounts.services import ACTIVE_CLINIC_SESSION_KEY

_ACTOR_ATTR = "_keel_actor"


def request_actor(request: HttpRequest) -> Actor | None:
    """Return who is acting: the token's actor, or the session user in their active clinic.

    None for anonymous users, for staff without an active membership, and for
    a partial session (a user who needs a second factor and has not given it
    yet, ``keel.accounts.mfa``): such a session reaches no gate.
    The result is computed once per request.
    """
    if hasattr(request, _ACTOR_ATTR):
        cached: Actor | None = getattr(request, _ACTOR_ATTR)
        return cached
    actor = None if session_is_partial(request) else _session_actor(request)
    setattr(request, _ACTOR_ATTR, actor)
    return actor


def request_actor_for_audit(request: HttpRequest) -> Actor | None:
    """Who the session belongs to, second factor or not: only to name them in audit rows.

    Sign-in, second-factor and sign-out events of a partial session are
    recorded under the user's own name. Never use this to decide access.
    """
    return request_actor(request) or _session_actor(request)


def request_actor_set(request: HttpRequest, actor: Actor) -> None:
    """Record the actor authenticated by an API token."""
    setattr(request, _ACTOR_ATTR, actor)


def request_actor_forget(request: HttpRequest) -> None:
    """Recompute the actor on next use (after the session's second factor was verified)."""
    session_state_forget(request)
    if hasattr(request, _ACTOR_ATTR):
        delattr(request, _ACTOR_ATTR)


def _session_actor(request: HttpRequest) -> Actor | None:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    if user.account_type != AccountType.STAFF:
        return actor_build(user=user, clinic_id=None)
    stored = request.session.get(ACTIVE_CLINIC_SESSION_KEY)
    if isinstance(stored, int):
        actor = actor_build(user=user, clinic_id=stored)
        if actor is not None:
            return actor
    clinic_id = membership_default_clinic_id(user=user)
    if clinic_id is None:
        return None
    request.session[ACTIVE_CLINIC_SESSION_KEY] = clinic_id
    return actor_build(user=user, clinic_id=clinic_id)
