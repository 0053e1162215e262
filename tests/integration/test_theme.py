"""The colour theme: remembered in a cookie and written into the page before its first paint."""

from __future__ import annotations

import re

import pytest

from tests.support.accounts import Client, csrf_token

pytestmark = pytest.mark.usefixtures("seeded")


def html_tag(page: str) -> str:
    match = re.search(r"<html[^>]*>", page)
    assert match
    return match.group(0)


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_a_chosen_theme_is_in_the_html_the_server_sends(client: Client, theme: str) -> None:
    client.cookies.set("theme", theme, domain="testserver.local")
    page = (await client.get("/services")).text
    assert html_tag(page) == f'<html lang="en" data-theme="{theme}">'
    assert f'<meta name="color-scheme" content="{theme}">' in page
    assert re.search(rf'value="{theme}" aria-pressed="true"', page)


@pytest.mark.parametrize("cookie", [None, "system", "purple", "darkness"])
async def test_without_a_valid_choice_the_page_follows_the_device(
    client: Client, cookie: str | None
) -> None:
    if cookie is not None:
        client.cookies.set("theme", cookie, domain="testserver.local")
    page = (await client.get("/")).text
    assert html_tag(page) == '<html lang="en">'
    assert '<meta name="color-scheme" content="light dark">' in page
    assert 'value="system" aria-pressed="true"' in page


async def test_choosing_a_theme_remembers_it_and_goes_back(client: Client) -> None:
    token = await csrf_token(client, "/about")
    response = await client.post(
        "/theme",
        data={"theme": "dark", "next": "/services?category=baby-care", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/services?category=baby-care"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("theme=dark;") and "Max-Age=31536000" in cookie
    assert 'data-theme="dark"' in (await client.get("/about")).text


async def test_an_htmx_choice_reloads_the_page_in_place(client: Client) -> None:
    token = await csrf_token(client, "/")
    response = await client.post(
        "/theme",
        data={"theme": "light", "next": "/", "_csrf_token": token},
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert response.headers["hx-refresh"] == "true"
    assert response.headers["set-cookie"].startswith("theme=light;")


async def test_a_foreign_next_address_goes_home(client: Client) -> None:
    token = await csrf_token(client, "/")
    response = await client.post(
        "/theme",
        data={"theme": "light", "next": "https://evil.example/", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


async def test_an_unknown_theme_or_a_missing_token_is_refused(client: Client) -> None:
    token = await csrf_token(client, "/")
    unknown = await client.post(
        "/theme", data={"theme": "neon", "_csrf_token": token}, follow_redirects=False
    )
    assert unknown.status_code == 400
    assert "set-cookie" not in unknown.headers or "theme=" not in unknown.headers["set-cookie"]
    forged = await client.post("/theme", data={"theme": "dark"}, follow_redirects=False)
    assert forged.status_code == 403
