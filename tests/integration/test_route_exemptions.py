"""Routes that identify no user say so on the handler, and only they skip the checks."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from carevia.domain.payments.events import encode_event, sign, stripe_event
from carevia.settings import DEFAULT_WEBHOOK_SECRET

Client = AsyncTestClient[Litestar]
STALE_BEARER = {"Authorization": "Bearer not-a-token"}
FROM_ANOTHER_SITE = {"sec-fetch-site": "cross-site", "origin": "https://elsewhere.example"}


async def test_the_webhook_skips_sign_in_csrf_and_the_cross_site_guard(client: Client) -> None:
    payload = encode_event(stripe_event("customer.created", {"id": "cus_1", "object": "customer"}))
    headers = {"Stripe-Signature": sign(payload, DEFAULT_WEBHOOK_SECRET)}

    response = await client.post(
        "/webhooks/stripe",
        content=payload,
        headers={**headers, **STALE_BEARER, **FROM_ANOTHER_SITE},
    )

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"


async def test_an_ordinary_form_from_another_site_is_still_refused(client: Client) -> None:
    response = await client.post(
        "/contact", data={"name": "A"}, headers={**FROM_ANOTHER_SITE, "accept": "text/html"}
    )

    assert response.status_code == 403


async def test_probes_and_the_schema_ignore_a_stale_token_that_the_api_refuses(
    client: Client,
) -> None:
    assert (await client.get("/healthz", headers=STALE_BEARER)).status_code == 200
    assert (await client.get("/readyz", headers=STALE_BEARER)).status_code == 200
    schema = await client.get("/schema/openapi.json", headers=STALE_BEARER)
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Carevia API"
    assert (await client.get("/api/v1/me", headers=STALE_BEARER)).status_code == 401


async def test_probes_and_static_files_make_no_csrf_token_while_pages_do(client: Client) -> None:
    """A token (and its cookie) is made only where a form may need it, not per probe."""
    for path in ("/healthz", "/readyz", "/static/css/app.css", "/schema/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "set-cookie" not in response.headers, path
        assert response.headers["x-frame-options"] == "DENY", path
    page = await client.get("/contact")
    assert page.cookies["csrftoken"] in page.text
