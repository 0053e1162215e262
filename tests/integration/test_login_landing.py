"""Where people land after logging in: staff in their dashboard, patients in their account."""

from __future__ import annotations

import pytest

from tests.support.accounts import Client, UserFactory, log_in


@pytest.mark.parametrize(
    ("role", "landing"),
    [("admin", "/dashboard"), ("caregiver", "/dashboard"), ("patient", "/account")],
)
async def test_without_a_next_page_each_role_lands_on_its_home(
    client: Client, make_user: UserFactory, role: str, landing: str
) -> None:
    await make_user(f"{role}@example.com", role=role)
    response = await log_in(client, f"{role}@example.com")
    assert response.status_code == 303
    assert response.headers["location"] == landing
    assert (await client.get(landing)).status_code == 200


async def test_an_explicit_local_next_page_wins_for_staff(
    client: Client, make_user: UserFactory
) -> None:
    await make_user("admin@example.com", role="admin")
    response = await log_in(client, "admin@example.com", next_path="/dashboard/payments")
    assert response.headers["location"] == "/dashboard/payments"


@pytest.mark.parametrize("foreign", ["https://evil.example/", "//evil.example", "/\\evil"])
async def test_a_foreign_next_page_is_replaced_by_the_role_home(
    client: Client, make_user: UserFactory, foreign: str
) -> None:
    await make_user("carer@example.com", role="caregiver")
    response = await log_in(client, "carer@example.com", next_path=foreign)
    assert response.headers["location"] == "/dashboard"


async def test_the_login_form_carries_no_default_next_page(client: Client) -> None:
    page = await client.get("/login")
    assert 'name="next" value=""' in page.text
    asked = await client.get("/login", params={"next": "/dashboard/audit"})
    assert 'name="next" value="/dashboard/audit"' in asked.text
