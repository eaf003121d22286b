"""The staff home page ("Today"): one card for each place the person may go, and no more.

The header and the home page read the same navigation flags, so each card here
must have its link in the header, and each link in the header (but Today) its card.
"""

from __future__ import annotations

import re

import pytest

from conftest import World

CARD = re.compile(r'<h2 class="usa-card__heading">([^<]+)</h2>')
NAV_LINK = re.compile(r'<li class="usa-nav__primary-item"><a [^>]*><span>([^<]+)</span>')


def _page(world: World, who: str) -> str:
    response = world.client(who).get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "cards"),
    [
        ("nurse_x", ["Worklist", "Alerts", "Patients", "Ledger", "Clinic protocol"]),
        ("physician_x", ["Worklist", "Alerts", "Patients", "Ledger", "Clinic protocol"]),
        (
            "clinic_admin_x",
            [
                "Ledger",
                "On-call rota",
                "Staff",
                "Alert report",
                "Consent and education texts",
                "Text packs",
                "Clinic protocol",
                "Audit trail",
            ],
        ),
        ("psychiatrist_a", ["Alerts", "Patients", "My patients"]),
    ],
)
def test_home_cards_follow_the_persons_permissions(
    world: World, who: str, cards: list[str]
) -> None:
    page = _page(world, who)
    assert CARD.findall(page) == cards
    assert NAV_LINK.findall(page) == ["Today", *cards]


def test_front_desk_gets_patients_only_and_account_links_sit_apart(world: World) -> None:
    page = _page(world, "front_desk_x")
    assert CARD.findall(page) == ["Patients"]
    # Account pages are in the account links beside the name, not in the work navigation.
    assert 'aria-label="Your account"' in page
    assert "Account security" in page and "API tokens" in page
    assert "API tokens" not in NAV_LINK.findall(page)
