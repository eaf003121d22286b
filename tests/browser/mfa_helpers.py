"""Finish two-step sign-in in the browser, like a person with an authenticator app would."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from keel.accounts.mfa_models import TOTP_STEP_SECONDS, TotpAuthenticator
from keel.accounts.tests.mfa_support import totp_code
from keel.demo import data as demo

SETUP_PATH = "/accounts/mfa/setup/"
VERIFY_PATH = "/accounts/mfa/verify/"


def fresh_code(secret_base32: str, username: str) -> str:
    """A code the server has not accepted yet (each 30-second code works once per user).

    Uses the current code, or the next one (within the server's tolerance) when
    the current one was used by an earlier sign-in of this test; waits for the
    next 30 seconds only when both were used.
    """
    while True:
        last_t = (
            TotpAuthenticator.objects.filter(user__username=username, confirmed=True)
            .values_list("last_t", flat=True)
            .first()
        )
        now_t = int(time.time()) // TOTP_STEP_SECONDS
        step = max(now_t, (-1 if last_t is None else last_t) + 1)
        if step <= now_t + 1:
            return totp_code(secret_base32, at=step * TOTP_STEP_SECONDS)
        time.sleep((now_t + 1) * TOTP_STEP_SECONDS - time.time() + 0.2)


def complete_second_factor(
    page: Page, username: str, secret_base32: str = demo.DEMO_TOTP_SECRET
) -> None:
    """After "Sign in": finish first-time setup or verification if Keel asks for it.

    First-time setup reads the key the page shows (as a person types it into an
    app); verification uses ``secret_base32`` (the demo users' published secret).
    """
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if SETUP_PATH in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text()
        page.get_by_label("Authentication code").fill(fresh_code(secret, username))
        page.get_by_role("button", name="Confirm and continue").click()
        expect(page.get_by_test_id("recovery-codes")).to_be_visible()
        page.get_by_role("link", name="I have saved them, continue").click()
    elif VERIFY_PATH in page.url:
        page.get_by_label("Authentication code").fill(fresh_code(secret_base32, username))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url(lambda url: VERIFY_PATH not in url)
