"""Home, informational pages, contact form, SEO files and security headers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo.asynchronous.database import AsyncDatabase

Client = AsyncTestClient[Litestar]


async def csrf_token(client: Client) -> str:
    page = await client.get("/contact")
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


@pytest.mark.usefixtures("seeded")
async def test_home_shows_categories_and_featured_services(client: Client) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    for label in ["Baby Care", "Elderly Care", "Sick Care", "Special Care"]:
        assert label in response.text
    assert "Newborn Night Nanny" in response.text  # featured
    assert "How it works" in response.text


async def test_home_without_services_has_an_empty_state(client: Client) -> None:
    response = await client.get("/")
    assert "Our featured services will appear here soon." in response.text


@pytest.mark.parametrize(
    "path", ["/about", "/help", "/safety", "/refund-policy", "/terms", "/privacy", "/contact"]
)
async def test_informational_pages_render_with_landmarks(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    for landmark in [
        '<header class="site-header">',
        '<main id="main"',
        '<footer class="site-footer">',
        "<h1",
    ]:
        assert landmark in response.text
    assert f'<link rel="canonical" href="https://testserver.local{path}">' in response.text


async def test_contact_form_stores_the_message_and_thanks(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/contact",
        data={
            "name": "Rahima Khatun",
            "email": "Rahima@Example.com",
            "topic": "booking",
            "message": "Can a nurse visit my father in Khulna on Fridays?",
            "_csrf_token": token,
        },
    )
    assert response.status_code == 200
    assert "Thank you, Rahima Khatun" in response.text
    stored = await database["contact_messages"].find().to_list()
    assert len(stored) == 1
    assert stored[0]["email"] == "rahima@example.com"
    assert stored[0]["topic"] == "booking"


async def test_contact_form_errors_keep_the_input(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/contact",
        data={
            "name": "R",
            "email": "not-an-email",
            "topic": "booking",
            "message": "Hello there, <b>bold</b>",
            "_csrf_token": token,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section id="contact-form"')
    assert "Please enter an email address we can reply to." in response.text
    assert 'value="not-an-email"' in response.text
    assert "Hello there, &lt;b&gt;bold&lt;/b&gt;" in response.text
    assert await database["contact_messages"].count_documents({}) == 0


async def test_post_without_csrf_token_is_refused_and_stores_nothing(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    await client.get("/contact")
    response = await client.post(
        "/contact",
        data={
            "name": "Karim",
            "email": "k@example.com",
            "topic": "other",
            "message": "Hello from me",
        },
    )
    assert response.status_code == 403
    assert await database["contact_messages"].count_documents({}) == 0


@pytest.mark.usefixtures("seeded")
async def test_sitemap_lists_pages_and_active_services(client: Client) -> None:
    response = await client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "<loc>https://testserver.local/services/newborn-night-nanny</loc>" in response.text
    assert "<loc>https://testserver.local/privacy</loc>" in response.text
    assert "dialysis-day-support" not in response.text


async def test_robots_points_at_the_sitemap_and_hides_private_areas(client: Client) -> None:
    response = await client.get("/robots.txt")
    assert "Sitemap: https://testserver.local/sitemap.xml" in response.text
    assert "Disallow: /dashboard" in response.text


async def test_unknown_page_is_a_helpful_404_with_security_headers(client: Client) -> None:
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="/services"' in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_pages_load_htmx_from_our_own_static_files(client: Client) -> None:
    response = await client.get("/")
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in response.text
    assert "<script>" not in response.text
    css = await client.get("/static/css/app.css")
    assert css.status_code == 200


async def test_the_font_that_draws_the_taka_sign_is_served_from_our_own_files(
    client: Client,
) -> None:
    css = (await client.get("/static/css/app.css")).text
    fonts = re.findall(r'url\("(/static/vendor/fonts/[^"]+\.woff2)"\)', css)
    assert len(fonts) == 2, "regular and bold"
    for path in fonts:
        response = await client.get(path)
        assert response.status_code == 200
        assert response.content.startswith(b"wOF2")
    assert "unicode-range: U+0951-0952, U+0964-0965, U+0980-09FE, U+200C-200D, U+25CC" in css
