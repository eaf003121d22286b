"""View decorators: a page for clinic staff needs an actor."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from keel.accounts.mfa import second_factor_redirect, session_is_partial
from keel.accounts.requests import request_actor
from keel.accounts.selectors import Actor

P = ParamSpec("P")
ActorView = Callable[Concatenate[HttpRequest, Actor, P], HttpResponse]


def with_actor(view: ActorView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Pass the acting user to ``view``; anonymous users go to the login page.

    A partial session (second factor still to give) goes to the second-factor page.

    A signed-in user who may not act (no active membership) gets 404, like any
    page outside their scope.
    """

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if session_is_partial(request):
            return second_factor_redirect(request)
        actor = request_actor(request)
        if actor is None:
            raise Http404
        return view(request, actor, *args, **kwargs)

    update_wrapper(wrapper, view)
    return wrapper
