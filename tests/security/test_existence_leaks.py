"""Someone else's booking answers exactly as a booking that does not exist: 404, same body.

A 403 for a real code and a 404 for a made-up one would let anyone probe which booking
codes exist; every booking route, page, fragment, action and API answers alike.
"""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.payment_flows import paid_booking

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
MISSING_CODE = "CV-ZZZZZZ"
MISSING_SESSION = "cs_test_nosuchsession"
HTMX = {"HX-Request": "true"}


def page_routes(code: str) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("GET", f"/bookings/{code}", {}),
        ("GET", f"/bookings/{code}", HTMX),
        ("GET", f"/bookings/{code}/cancel", {}),
        ("GET", f"/bookings/{code}/move", {}),
        ("POST", f"/bookings/{code}/move", {}),
        ("GET", f"/bookings/{code}/receipt", {}),
        ("GET", f"/checkout/cancelled?booking={code}", {}),
        ("POST", f"/bookings/{code}/cancel", {}),
        ("POST", f"/bookings/{code}/cancel", HTMX),
        ("POST", f"/bookings/{code}/pay", {}),
        ("POST", f"/bookings/{code}/pay-due", {}),
    ]


def staff_routes(code: str) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("GET", f"/dashboard/bookings/{code}", {}),
        ("GET", f"/dashboard/bookings/{code}", HTMX),
        ("POST", f"/dashboard/bookings/{code}/start", {}),
        ("POST", f"/dashboard/bookings/{code}/complete", HTMX),
    ]


def api_routes(code: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", f"/api/v1/bookings/{code}", None),
        ("POST", f"/api/v1/bookings/{code}/transition", {"to": "in_progress"}),
        ("POST", f"/api/v1/bookings/{code}/transition", {"to": "cancelled"}),
    ]


async def answer(client: Client, method: str, path: str, headers: dict[str, str]) -> Any:
    if method == "GET":
        return await client.get(path, headers=headers)
    token = await csrf_token(client, "/account")
    return await client.post(
        path, data={"_csrf_token": token}, headers={**headers, "x-csrftoken": token}
    )


def same_answer(theirs: Any, missing: Any, code: str, missing_code: str) -> list[str]:
    if theirs.status_code != 404 or missing.status_code != 404:
        return [f"{theirs.status_code} for theirs, {missing.status_code} for a missing one"]
    if theirs.text.replace(code, missing_code) != missing.text:
        return ["the bodies differ"]
    return []


@pytest.fixture
async def amina_booking(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> tuple[str, str]:
    """Amina's paid booking with Shirin; Karim (patient) and Busy (caregiver) are strangers."""
    shirin = await make_caregiver("shirin@example.com")
    await make_caregiver("busy@example.com", name="Busy Begum")
    await make_user("amina@example.com")
    await make_user("karim@example.com", first_name="Karim")
    await log_in(client, "amina@example.com")
    booking = await paid_booking(client, database, caregiver_id=str(shirin))
    client.cookies.clear()
    return booking


async def test_another_patients_booking_answers_like_a_missing_one_on_every_page(
    client: Client, database: Database, amina_booking: tuple[str, str]
) -> None:
    code, session_id = amina_booking
    await log_in(client, "karim@example.com")
    problems = []
    for method, path, headers in page_routes(code):
        theirs = await answer(client, method, path, headers)
        missing = await answer(client, method, path.replace(code, MISSING_CODE), headers)
        problems += [
            f"{method} {path} {headers}: {p}"
            for p in same_answer(theirs, missing, code, MISSING_CODE)
        ]
    theirs = await client.get(f"/checkout/success?session_id={session_id}")
    missing = await client.get(f"/checkout/success?session_id={MISSING_SESSION}")
    problems += [
        f"success page: {p}" for p in same_answer(theirs, missing, session_id, MISSING_SESSION)
    ]
    assert not problems, "\n".join(problems)
    stored = await database["bookings"].find_one({"code": code})
    assert stored is not None and stored["status"] == "confirmed"


async def test_another_caregivers_booking_answers_like_a_missing_one_in_the_dashboard(
    client: Client, database: Database, amina_booking: tuple[str, str]
) -> None:
    code, _ = amina_booking
    await log_in(client, "busy@example.com")
    problems = []
    for method, path, headers in staff_routes(code) + page_routes(code)[:5]:
        theirs = await answer(client, method, path, headers)
        missing = await answer(client, method, path.replace(code, MISSING_CODE), headers)
        problems += [
            f"{method} {path} {headers}: {p}"
            for p in same_answer(theirs, missing, code, MISSING_CODE)
        ]
    assert not problems, "\n".join(problems)
    stored = await database["bookings"].find_one({"code": code})
    assert stored is not None and stored["status"] == "confirmed"


async def test_the_api_answers_404_with_one_envelope_for_theirs_and_missing(
    client: Client, database: Database, amina_booking: tuple[str, str]
) -> None:
    code, _ = amina_booking
    problems = []
    for stranger in ("karim@example.com", "busy@example.com"):
        headers = {"Authorization": f"Bearer {await api_token(client, stranger)}"}
        for method, path, body in api_routes(code):
            other = path.replace(code, MISSING_CODE)
            if method == "GET":
                theirs = await client.get(path, headers=headers)
                missing = await client.get(other, headers=headers)
            else:
                theirs = await client.post(path, json=body, headers=headers)
                missing = await client.post(other, json=body, headers=headers)
            if theirs.status_code == missing.status_code == 403:
                continue  # refused for the role alone, whatever the code: nothing is learned
            problems += [
                f"{stranger} {method} {path} {body}: {p}"
                for p in same_answer(theirs, missing, code, MISSING_CODE)
            ]
    assert not problems, "\n".join(problems)
    stored = await database["bookings"].find_one({"code": code})
    assert stored is not None and stored["status"] == "confirmed"
