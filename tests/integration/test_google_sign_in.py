"""Sign in with Google through the local test provider: the real verification path, end to end.

Each refusal (a tampered ID token, another audience, an expired token, another nonce, a
replayed state) answers 400 with a clear message and leaves nobody signed in.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey
from litestar import Litestar
from pymongo.asynchronous.database import AsyncDatabase

from carevia.devtools.openid_provider import LocalOpenIDProvider, PickedIdentity
from carevia.domain.accounts import UserRepository
from tests.support.accounts import DEFAULT_PASSWORD, Client, UserFactory, csrf_token
from tests.support.openid import answer_with, begin, provider_of, sign_in_with_google

NEW_PERSON = PickedIdentity(
    email="nadia.islam@example.com", given_name="Nadia", family_name="Islam", email_verified=True
)


async def signed_in_email(client: Client) -> str | None:
    page = await client.get("/api/v1/me")
    return page.json()["email"] if page.status_code == 200 else None


async def test_a_new_person_signs_up_with_google_and_lands_in_their_account(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    answer = await sign_in_with_google(client, "Nadia.Islam@example.com")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/account"
    account = await client.get("/account")
    assert account.status_code == 200
    assert "nadia.islam@example.com" in account.text
    user = await UserRepository(database).get_by_email("nadia.islam@example.com")
    assert user is not None
    assert (user.source, user.role, user.is_verified, user.has_password) == (
        "google",
        "patient",
        True,
        False,
    )
    assert user.google_subject == NEW_PERSON.subject


async def test_signing_in_again_reaches_the_same_account_and_logging_out_ends_it(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    await sign_in_with_google(client, NEW_PERSON.email)
    await client.post("/logout", headers={"x-csrftoken": await token_of(client)})
    assert (await client.get("/account", follow_redirects=False)).status_code == 303

    again = await sign_in_with_google(client, NEW_PERSON.email, next_path="/account/bookings")

    assert again.headers["location"] == "/account/bookings"
    assert (await client.get("/account/bookings")).status_code == 200
    assert await UserRepository(database).count({"email": NEW_PERSON.email}) == 1


async def test_an_unverified_google_email_creates_no_account(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    answer = await sign_in_with_google(client, "rafi.hasan@example.com", verified=False)

    assert answer.status_code == 400
    assert "Google has not confirmed this email address" in answer.text
    assert await UserRepository(database).get_by_email("rafi.hasan@example.com") is None


async def test_the_originals_takeover_is_refused(
    client: Client, make_user: UserFactory, database: AsyncDatabase[dict[str, Any]]
) -> None:
    """An unverified Google email equal to an account's asks for that account's password."""
    victim = await make_user("salma.begum@example.com")

    answer = await sign_in_with_google(client, "salma.begum@example.com", verified=False)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login/google/link?token=")
    assert (await client.get("/account", follow_redirects=False)).status_code == 303
    link_page = await client.get(answer.headers["location"])
    assert "enter its password" in link_page.text
    refused = await confirm_link(client, answer.headers["location"], "not-the-password-1")
    assert refused.status_code == 422
    assert "The email or password is not right." in refused.text
    assert (await client.get("/account", follow_redirects=False)).status_code == 303
    stored = await UserRepository(database).get(victim.id)
    assert stored is not None and stored.google_subject is None


async def test_linking_an_unverified_account_needs_its_password_and_then_links(
    client: Client, make_user: UserFactory, database: AsyncDatabase[dict[str, Any]]
) -> None:
    owner = await make_user("karim.uddin@example.com", verified=False)

    answer = await sign_in_with_google(client, "karim.uddin@example.com", verified=True)
    assert answer.headers["location"].startswith("/login/google/link?token=")
    linked = await confirm_link(client, answer.headers["location"], DEFAULT_PASSWORD)

    assert linked.status_code == 303
    assert linked.headers["location"] == "/account"
    assert (await client.get("/account")).status_code == 200
    stored = await UserRepository(database).get(owner.id)
    assert stored is not None
    assert stored.google_subject == PickedIdentity(email="karim.uddin@example.com").subject
    # The link is used up: it cannot be confirmed twice.
    assert (await client.get(answer.headers["location"])).status_code == 404


async def test_both_sides_verified_links_at_once_with_the_accounts_role(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("shirin.akhter@example.com", role="caregiver")

    answer = await sign_in_with_google(client, "shirin.akhter@example.com", verified=True)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard"
    assert await signed_in_email(client) == "shirin.akhter@example.com"
    assert (await client.get("/dashboard")).status_code == 200


async def test_a_disabled_account_cannot_sign_in_with_google(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("old.friend@example.com", is_active=False)

    answer = await sign_in_with_google(client, "old.friend@example.com", verified=True)
    assert answer.headers["location"].startswith("/login/google/link?token=")
    refused = await confirm_link(client, answer.headers["location"], DEFAULT_PASSWORD)

    assert refused.status_code == 422
    assert (await client.get("/account", follow_redirects=False)).status_code == 303


def tampered(provider: LocalOpenIDProvider, nonce: str) -> str:
    """An honest token whose payload now names someone else, under the old signature."""
    header, payload, signature = provider.sign(provider.claims_for(NEW_PERSON, nonce)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "admin@demo.carevia.example"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def signed_by_a_stranger(provider: LocalOpenIDProvider, nonce: str) -> str:
    kid = provider.jwks()["keys"][0]["kid"]
    stranger = RSAKey.generate_key(2048, parameters={"kid": kid})
    claims = provider.claims_for(NEW_PERSON, nonce)
    return jwt.encode({"alg": "RS256", "kid": kid}, claims, stranger)


def for_another_audience(provider: LocalOpenIDProvider, nonce: str) -> str:
    return provider.sign({**provider.claims_for(NEW_PERSON, nonce), "aud": "another-site"})


def expired(provider: LocalOpenIDProvider, nonce: str) -> str:
    an_hour_ago = int(datetime.now(UTC).timestamp()) - 3600
    claims = provider.claims_for(NEW_PERSON, nonce)
    return provider.sign({**claims, "iat": an_hour_ago - 300, "exp": an_hour_ago})


def with_another_nonce(provider: LocalOpenIDProvider, nonce: str) -> str:
    return provider.sign(provider.claims_for(NEW_PERSON, "some-other-nonce"))


FORGERIES: dict[str, tuple[Callable[[LocalOpenIDProvider, str], str], str]] = {
    "a tampered ID token": (tampered, "could not be verified"),
    "a token signed with another key": (signed_by_a_stranger, "could not be verified"),
    "a wrong aud": (for_another_audience, "meant for another site"),
    "an expired token": (expired, "has expired"),
    "a nonce mismatch": (with_another_nonce, "belongs to another sign-in"),
}


async def test_each_forged_id_token_is_refused_with_a_clear_message(
    client: Client, app: Litestar
) -> None:
    """One app for all five: each case begins its own sign-in, so none sees another's state."""
    wrong = {}
    for case, (forge, message) in FORGERIES.items():
        asked = await begin(client)
        answer = await answer_with(client, app, asked, forge(provider_of(app), asked["nonce"]))
        if problem := refusal_problem(answer, message):
            wrong[case] = problem
    assert wrong == {}
    assert await signed_in_email(client) is None


async def test_a_replayed_state_is_refused(client: Client, app: Litestar) -> None:
    asked = await begin(client)
    provider = provider_of(app)
    token = provider.sign(provider.claims_for(NEW_PERSON, asked["nonce"]))
    assert (await answer_with(client, app, asked, token)).status_code == 303
    await client.post("/logout", headers={"x-csrftoken": await token_of(client)})

    answer = await answer_with(client, app, asked, token)

    assert_refused(answer, "already been used or has expired")


async def test_an_answer_carried_into_another_browser_is_refused(
    client: Client, app: Litestar
) -> None:
    asked = await begin(client)
    provider = provider_of(app)
    client.cookies.clear()  # another browser: no key of the one that began the sign-in

    answer = await answer_with(
        client, app, asked, provider.sign(provider.claims_for(NEW_PERSON, asked["nonce"]))
    )

    assert_refused(answer, "already been used or has expired")


def refusal_problem(answer: Any, message: str) -> str | None:
    """Why this answer is not a clear 400 refusal that signs nobody in, if it is not."""
    if answer.status_code != 400:
        return f"answered {answer.status_code}"
    if message not in answer.text:
        return f"does not say {message!r}"
    if "carevia_session" in answer.headers.get("set-cookie", ""):
        return "set a session cookie"
    return None


def assert_refused(answer: Any, message: str) -> None:
    assert refusal_problem(answer, message) is None


async def token_of(client: Client) -> str:
    return await csrf_token(client, "/")


async def confirm_link(client: Client, link_page: str, password: str) -> Any:
    return await client.post(
        "/login/google/link",
        data={
            "token": link_page.split("token=", 1)[1],
            "password": password,
            "_csrf_token": await csrf_token(client, link_page),
        },
        follow_redirects=False,
    )
