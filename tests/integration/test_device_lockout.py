"""Wrong guesses lock an account for strangers, not for a browser that signed in to it before."""

from __future__ import annotations

from carevia.web.auth import DEVICE_COOKIE
from tests.support.accounts import Client, UserFactory, log_in

WRONG = "not-the-password-at-all"


async def lock_out(client: Client, email: str) -> None:
    """Five wrong passwords, as anyone on the internet could send them."""
    for _ in range(5):
        assert (await log_in(client, email, WRONG)).status_code == 422
    assert (await log_in(client, email)).status_code == 429


async def test_a_trusted_browser_signs_in_to_a_locked_account(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    first = await log_in(client, "amina@example.com")
    assert first.status_code == 303
    device = first.cookies.get(DEVICE_COOKIE)
    assert device
    client.cookies.clear()  # now a stranger's browser

    await lock_out(client, "amina@example.com")

    client.cookies.set(DEVICE_COOKIE, device)
    trusted = await log_in(client, "amina@example.com")
    assert trusted.status_code == 303
    assert trusted.headers["location"] == "/account"


async def test_an_untrusted_browser_stays_throttled(client: Client, make_user: UserFactory) -> None:
    await make_user("amina@example.com")
    await make_user("rahim@example.com")
    other = await log_in(client, "rahim@example.com")
    assert other.status_code == 303
    # A device cookie of another account does not vouch for this one.
    assert other.cookies.get(DEVICE_COOKIE)

    await lock_out(client, "amina@example.com")
    client.cookies.set(DEVICE_COOKIE, "forged.cookie")
    assert (await log_in(client, "amina@example.com")).status_code == 429


async def test_a_trusted_browser_that_keeps_guessing_is_locked_itself(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    assert (await log_in(client, "amina@example.com")).status_code == 303
    for _ in range(5):
        assert (await log_in(client, "amina@example.com", WRONG)).status_code == 422
    assert (await log_in(client, "amina@example.com")).status_code == 429
