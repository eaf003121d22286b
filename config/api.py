"""The JSON API (/api/v1/), its authentication and its error format.

Every error body has ``detail`` (a sentence) and, for invalid input, ``errors``
mapping each field name to its messages, so a client always learns which
field to fix. Error bodies never carry stack traces or patient data.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from keel.accounts.api_auth import SessionCsrfAuth, TokenAuth
from keel.alerts.api import router as alerts_router
from keel.audit.api import router as audit_router
from keel.common.exceptions import ApplicationError
from keel.common.schemas import ErrorOut
from keel.consent.api import router as consent_router
from keel.coordination.api import router as coordination_router
from keel.intake.api import router as intake_router
from keel.inventory.api import router as inventory_router
from keel.monitoring.api import router as monitoring_router
from keel.outcomes.api import router as outcomes_router
from keel.patients.api import router as patients_router
from keel.treatment.api import router as treatment_router

logger = logging.getLogger(__name__)


class _OneValuePerName(Parser):
    """Query and form values, with a name given twice kept as a list.

    Django's QueryDict quietly keeps the last of ``?patient_id=1&patient_id=2``; passed
    on as a list, a parameter that takes one value fails validation with a 422 naming it
    (found by the API fuzzer, ST201). Parameters declared as lists take every value.
    """

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key in data:
            values = data.getlist(key)
            result[key] = values if key in list_fields or len(values) > 1 else values[0]
        return result


api = NinjaAPI(
    title="Keel API",
    version="1",
    description=(
        "Keel's JSON API. Authenticate with a personal access token "
        "(`Authorization: Bearer keel_...`) or, from the browser, the login session "
        "plus the `X-CSRFToken` header. Keel supports clinical decisions; it is not "
        "medical advice."
    ),
    auth=[TokenAuth(), SessionCsrfAuth()],
    parser=_OneValuePerName(),
    urls_namespace="api",
    docs_url="/docs",
)

_BODY_LOCATIONS = frozenset({"body", "payload", "query", "path", "form"})


def _field_name(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc if str(p) not in _BODY_LOCATIONS]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = error.get("loc", ())
        errors.setdefault(_field_name(loc), []).append(str(error.get("msg", "Invalid value.")))
    detail = "Invalid input: " + ", ".join(sorted(errors))
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if "errors" in exc.extra:
        body["errors"] = exc.extra["errors"]
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "Authentication required: send a valid bearer token."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="keel"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(MultiPartParserError)
def _malformed_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # E.g. "Content-Type: multipart/form-data" without a boundary: the client's mistake.
    return api.create_response(request, {"detail": "Malformed request body."}, status=400)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("Unhandled API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": "Internal error."}, status=500)


@api.get(
    "/ping",
    response={200: dict[str, bool], 401: ErrorOut},
    operation_id="auth_ping",
    tags=["meta"],
)
def auth_ping(request: HttpRequest) -> dict[str, bool]:
    """An authenticated no-op: the baseline the benchmarks compare real work with."""
    return {"ok": True}


api.add_router("/patients", patients_router, tags=["patients"])
api.add_router("/audit", audit_router, tags=["audit"])
api.add_router("/intake", intake_router, tags=["intake"])
api.add_router("/consent", consent_router, tags=["consent"])
api.add_router("/coordination", coordination_router, tags=["coordination"])
api.add_router("/treatment", treatment_router, tags=["treatment"])
api.add_router("/inventory", inventory_router, tags=["inventory"])
api.add_router("/monitoring", monitoring_router, tags=["monitoring"])
api.add_router("/outcomes", outcomes_router, tags=["outcomes"])
api.add_router("/alerts", alerts_router, tags=["alerts"])
