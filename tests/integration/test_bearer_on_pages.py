"""Bearer tokens belong to the API; a page never bounces a browser around over one."""

from __future__ import annotations

from tests.support.accounts import Client, UserFactory, api_token, log_in

BROWSER = {
    "Authorization": "Bearer junk",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}


async def test_a_stale_bearer_header_reaches_the_login_page_in_one_redirect(
    client: Client,
) -> None:
    account = await client.get("/account", headers=BROWSER, follow_redirects=False)
    assert account.status_code in {302, 303}
    assert account.headers["location"] == "/login?next=/account"

    login = await client.get(account.headers["location"], headers=BROWSER, follow_redirects=False)
    assert login.status_code == 200
    assert "Log in" in login.text


async def test_a_page_goes_by_the_session_whatever_the_bearer_header_says(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("amina@example.com", first_name="Amina")
    await make_user("admin@example.com", role="admin")
    admin_token = await api_token(client, "admin@example.com")
    assert (await log_in(client, "amina@example.com")).status_code == 303

    for header in ("Bearer junk", f"Bearer {admin_token}"):
        page = await client.get("/account", headers={**BROWSER, "Authorization": header})
        assert page.status_code == 200
        assert "Hello, Amina" in page.text
    api = await client.get("/api/v1/me", headers={"Authorization": "Bearer junk"})
    assert api.status_code == 401
