"""A passive crawl of every GET route for every role, after the ZAP baseline's rules.

Each answer must carry the security headers, leak no software versions or tracebacks,
say `no-store` when it is personal, put a CSRF token in every form that posts, and keep
people's email addresses, phone numbers and tokens out of every URL it hands out. Cookies
are checked as they are set, once with the test settings and once as in production.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient

from carevia.app import create_app
from carevia.settings import MailSettings, Settings, StripeSettings
from tests.security.matrix import MATRIX, ROUTES, request
from tests.security.world import EMAILS, ROLES, World
from tests.support.accounts import DEFAULT_PASSWORD, csrf_token

GET_ROUTES = [route for route in ROUTES if route["method"] == "GET"]
REQUIRED_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "",
    "permissions-policy": "",
    "cross-origin-opener-policy": "",
}
# Answers that identify nobody: probes, static files, the schema and the crawler files.
# Published pictures are the same for everyone who asks, so they are cached even when
# someone signed in asks (a pending photo answers `private, no-store` itself).
NOT_PERSONAL = (
    "/static/",
    "/healthz",
    "/readyz",
    "/schema",
    "/robots.txt",
    "/sitemap.xml",
    "/files/",
    "/avatars/",
)
PERSONAL = ("/account", "/bookings", "/checkout", "/dashboard", "/api/v1/me", "/api/v1/bookings")
VERSION = re.compile(
    r"\b(litestar|starlette|uvicorn|python|pymongo|jinja2?|secantus|mongodb)[ /-]v?\d+\.\d+",
    re.IGNORECASE,
)
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
URL_ATTRIBUTE = re.compile(r'\b(?:href|src|action|hx-get|hx-post|hx-push-url)="([^"]*)"')
SECRET_IN_URL = re.compile(r"[?&](?:token|access_token|password|session)=", re.IGNORECASE)
PEOPLE = [*EMAILS.values(), "+8801712345678", "01712345678"]


def header_problems(path: str, response: Any) -> list[str]:
    headers = response.headers
    found = [
        f"{name} missing or wrong"
        for name, value in REQUIRED_HEADERS.items()
        if not headers.get(name) or value not in headers.get(name, "")
    ]
    policy = headers.get("content-security-policy", "")
    if "unsafe-inline" in policy or "unsafe-eval" in policy or "frame-ancestors" not in policy:
        found.append(f"weak CSP: {policy!r}")
    found += [f"{name}: {headers[name]}" for name in ("server", "x-powered-by") if name in headers]
    found += [f"version in {name}" for name, value in headers.items() if VERSION.search(value)]
    return found


def body_problems(path: str, response: Any) -> list[str]:
    text = response.text
    found = [f"version in body: {m.group(0)}" for m in VERSION.finditer(text)][:1]
    if TRACEBACK.search(text):
        found.append("traceback in body")
    for attributes, inner in FORM.findall(text):
        if re.search(r'method="post"', attributes, re.IGNORECASE) and "_csrf_token" not in inner:
            action = re.search(r'action="([^"]*)"', attributes)
            found.append(f"POST form without a CSRF token: {action and action.group(1)}")
    return found


def url_problems(path: str, response: Any) -> list[str]:
    urls = [response.headers.get("location", ""), path]
    content_type = response.headers.get("content-type", "")
    if "html" in content_type:
        # mailto: and tel: links are the contact itself, opened on the device, never fetched.
        urls += [
            url
            for url in URL_ATTRIBUTE.findall(response.text)
            if not url.startswith(("mailto:", "tel:"))
        ]
    found = []
    for url in filter(None, urls):
        decoded = url.replace("%40", "@").replace("%2B", "+").replace("&amp;", "&")
        if any(person in decoded for person in PEOPLE) or SECRET_IN_URL.search(decoded):
            found.append(f"personal data or a secret in a URL: {url}")
    return found


def caching_problems(path: str, role: str, response: Any) -> list[str]:
    if role == "anonymous" and not path.startswith(
        ("/account", "/bookings", "/dashboard", "/api/v1/me", "/api/v1/bookings", "/checkout")
    ):
        return []
    if path.startswith(NOT_PERSONAL):
        return []
    value = response.headers.get("cache-control", "")
    return [] if "no-store" in value else [f"personal answer may be cached: {value!r}"]


def cookie_problems(response: Any, secure: bool) -> list[str]:
    get_list = getattr(response.headers, "get_list", None)
    cookies = get_list("set-cookie") if get_list else [response.headers.get("set-cookie", "")]
    found = []
    for cookie in filter(None, cookies):
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        name = cookie.split("=", 1)[0]
        missing = {"httponly", "samesite"} - flags | ({"secure"} - flags if secure else set())
        if missing:
            found.append(f"cookie {name} lacks {sorted(missing)}")
    return found


async def crawl(world: World, role: str, secure: bool) -> list[str]:
    problems = []
    for route in GET_ROUTES:
        response = await request(world, route, role)
        path = route["path"]
        found = (
            header_problems(path, response)
            + body_problems(path, response)
            + url_problems(path, response)
            + caching_problems(path, role, response)
            + cookie_problems(response, secure)
        )
        problems += [f"{role} GET {path} ({response.status_code}): {p}" for p in found]
    return problems


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize("role", ROLES)
async def test_every_get_route_passes_the_passive_checks(world: World, role: str) -> None:
    assert await crawl(world, role, secure=True) == []


@pytest.mark.asyncio(loop_scope="package")
async def test_cookies_set_by_signing_in_and_choosing_a_theme_carry_their_flags(
    world: World,
) -> None:
    client = world.client
    client.cookies.clear()
    first_visit = await client.get("/login")
    token = await csrf_token(client)
    responses = [
        first_visit,
        await client.post(
            "/login",
            data={"email": EMAILS["patient_a"], "password": DEFAULT_PASSWORD, "_csrf_token": token},
        ),
        await client.post("/theme", data={"theme": "dark", "_csrf_token": token}),
        await client.post(
            "/api/v1/auth/token", json={"email": EMAILS["patient_a"], "password": DEFAULT_PASSWORD}
        ),
    ]
    assert "csrftoken" in first_visit.headers.get("set-cookie", "")
    client.cookies.clear()
    assert [p for r in responses for p in cookie_problems(r, secure=True)] == []


def production(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings,
        env="production",
        secret_key="p" * 40,
        stripe=StripeSettings(secret_key="sk_test_local", webhook_secret="whsec_local_test"),
        mail=MailSettings(host="127.0.0.1", port=2525),
    )


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def production_client(
    world: World, world_settings: Settings
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The same database under production settings: Stripe, SMTP, and no development routes."""
    app = create_app(production(world_settings))
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        yield client


def test_production_serves_none_of_the_development_routes(world_settings: Settings) -> None:
    app = create_app(production(world_settings))
    served = {route.path for route in app.routes}
    assert served & {row["path"] for row in MATRIX["excluded"]} == set()


@pytest.mark.asyncio(loop_scope="package")
async def test_production_pages_and_cookies_pass_the_passive_checks(
    production_client: AsyncTestClient[Litestar],
) -> None:
    client = production_client
    first_visit = await client.get("/login")
    token = await csrf_token(client)
    signed_in = await client.post(
        "/login",
        data={"email": EMAILS["patient_a"], "password": DEFAULT_PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )
    assert "carevia_session" in signed_in.headers.get("set-cookie", "")
    problems = cookie_problems(first_visit, secure=True) + cookie_problems(signed_in, secure=True)
    for path in ("/", "/login", "/services", "/account", "/account/bookings", "/api/v1/me"):
        response = await client.get(path, follow_redirects=False)
        problems += [
            f"{path}: {p}"
            for p in header_problems(path, response)
            + body_problems(path, response)
            + url_problems(path, response)
            + caching_problems(path, "patient_a", response)
            + cookie_problems(response, secure=True)
        ]
    assert problems == []


@pytest.mark.asyncio(loop_scope="package")
async def test_production_without_google_keys_offers_no_google_sign_in(
    production_client: AsyncTestClient[Litestar],
) -> None:
    client = production_client
    client.cookies.clear()

    login = await client.get("/login")
    started = await client.get("/login/google", follow_redirects=False)
    discovery = await client.get("/dev/openid/.well-known/openid-configuration")

    assert "Sign in with Google" not in login.text
    assert started.status_code == 404
    assert "not available here" in started.text
    assert discovery.status_code == 404
