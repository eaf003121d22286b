"""Every route x method x role against patient A's records, checked against the matrix.

The expected statuses are data in ``keel/accounts/authz_matrix.py``. Routes
are found from the URL configuration and the OpenAPI document (see
``harness.py``), so a route without a row fails here. For each role, every
cell must give the declared status; a role outside ``SEES_PATIENT_A`` must never
receive patient A's name or MRN; a refused write must leave the database as
it was; anonymous page requests must go to the login page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import World
from keel.accounts.authz_matrix import API, INFRASTRUCTURE, PAGES, ROLES, SEES_PATIENT_A
from tests.security.harness import (
    Route,
    build_objects,
    declared,
    discover_routes,
    fingerprint,
    rolled_back,
    send,
)

pytestmark = pytest.mark.django_db


def test_every_route_and_method_has_a_row_for_every_role() -> None:
    """A new page or API operation fails here until the matrix declares it."""
    routes, problems = discover_routes()
    assert not problems, "\n".join(problems)
    missing = [r.label for r in routes if declared(r) is None]
    assert not missing, "routes without a row in keel/accounts/authz_matrix.py:\n" + "\n".join(
        missing
    )
    incomplete = [
        f"{r.label}: {sorted(set(ROLES) - set(row))}"
        for r in routes
        if (row := declared(r)) is not None and set(row) != set(ROLES)
    ]
    assert not incomplete, "rows without every role:\n" + "\n".join(incomplete)
    live = {(r.kind, r.key, r.method) for r in routes}
    stale = [
        f"{kind} {key} {method}"
        for kind, table in (("page", PAGES), ("api", API))
        for key, methods in table.items()
        for method in methods
        if (kind, key, method) not in live
    ]
    assert not stale, "rows for routes that no longer exist:\n" + "\n".join(stale)


def test_infrastructure_left_out_is_named_with_a_reason() -> None:
    routes, _ = discover_routes()
    assert all(reason.strip() for reason in INFRASTRUCTURE.values())
    assert not {r.key for r in routes} & set(INFRASTRUCTURE)


def _secrets_of_a(world: World) -> list[str]:
    return [world.patient_a.family_name, world.patient_a.mrn]


@pytest.mark.parametrize("role", ROLES)
def test_role_gets_exactly_the_declared_status_everywhere(world: World, role: str) -> None:
    """One role, every cell: status as declared, no leak, a refused write changes nothing."""
    objects = build_objects(world)
    routes, _ = discover_routes()
    client = world.client(role)
    login_url = reverse("accounts:login")
    baseline = fingerprint()
    failures: list[str] = []
    cells = 0
    for route in routes:
        row = declared(route)
        if row is None:
            continue  # reported by test_every_route_and_method_has_a_row_for_every_role
        expected = row[role]
        with rolled_back():
            outcome = send(client, route, objects)
            refused = expected >= 400 or role == "anonymous"
            changed = route.writes and refused and fingerprint() != baseline
        cells += 1
        where = f"{role} {route.label} ({route.kind})"
        if outcome.status != expected:
            kind = "LEAK" if 200 <= outcome.status < 300 and expected >= 300 else "mismatch"
            failures.append(f"{kind}: {where}: got {outcome.status}, declared {expected}")
        if role not in SEES_PATIENT_A:
            failures.extend(
                f"LEAK: {where}: patient A's {secret!r} in the body"
                for secret in _secrets_of_a(world)
                if secret in outcome.body
            )
        if changed:
            failures.append(f"LEAK: {where}: refused write ({outcome.status}) changed the database")
        if (
            role == "anonymous"
            and route.kind == "page"
            and outcome.status == 302
            and not outcome.location.startswith(login_url)
        ):
            failures.append(f"{where}: anonymous sent to {outcome.location!r}, not login")
    assert cells == len(routes)
    assert not failures, f"{len(failures)} of {cells} cells differ:\n" + "\n".join(failures)


def test_routes_are_many() -> None:
    """Guard against a walk of the URLconf that silently finds nothing."""
    routes, _ = discover_routes()
    assert len([r for r in routes if r.kind == "api"]) >= 30
    assert len([r for r in routes if r.kind == "page"]) >= 90
    assert isinstance(routes[0], Route)
