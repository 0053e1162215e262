"""Messages on a booking: who may read and write, the page without JavaScript, the limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from tests.support.accounts import Client, UserFactory
from tests.support.bookings import CaregiverFactory
from tests.support.messages import (
    HTMX,
    Database,
    Visit,
    a_visit,
    other_booking,
    post_message,
    sign_in_as,
    thread_path,
)

ROLES = ("anonymous", "patient_a", "patient_b", "caregiver_x", "caregiver_y", "admin")
# Every role on A's booking with X: B and Y are the strangers, so "their" view of it is the
# view of someone else's booking. The owner-side outcomes first, then the strangers' 404.
EXPECTED: dict[str, dict[str, int | str]] = {
    "page": {"patient_a": 200, "caregiver_x": 200, "admin": 200},
    "fragment": {"patient_a": 200, "caregiver_x": 200, "admin": 200},
    "post": {"patient_a": 200, "caregiver_x": 200, "admin": 200},
    "dashboard page": {"patient_a": 403, "caregiver_x": 200, "admin": 200},
    "dashboard fragment": {"patient_a": 403, "caregiver_x": 200, "admin": 200},
    "dashboard post": {"patient_a": 403, "caregiver_x": 200, "admin": 200},
}
STRANGERS = {"patient_b": 404, "caregiver_y": 404, "anonymous": "login"}
DASHBOARD_STRANGERS = {"patient_b": 403, "caregiver_y": 404, "anonymous": "login"}


@pytest.fixture
async def visit(
    seeded: int, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> Visit:
    return await a_visit(database, make_user, make_caregiver)


async def attempt(client: Client, action: str, code: str) -> Any:
    dashboard = action.startswith("dashboard")
    if action.endswith("page"):
        path = f"{'/dashboard' if dashboard else ''}/bookings/{code}"
        return await client.get(path, follow_redirects=False)
    if action.endswith("fragment"):
        path = thread_path(code, dashboard=dashboard)
        return await client.get(path, headers=HTMX, follow_redirects=False)
    return await post_message(client, code, f"Hello from {action}", dashboard=dashboard, htmx=True)


def outcome(response: Any) -> int | str:
    if response.status_code in (302, 303) and "/login" in response.headers.get("location", ""):
        return "login"
    if response.status_code == 401 and "/login" in response.headers.get("hx-redirect", ""):
        return "login"
    return int(response.status_code)


async def test_only_the_people_of_the_visit_read_or_write_its_thread(
    client: Client, database: Database, visit: Visit
) -> None:
    found: dict[tuple[str, str], int | str] = {}
    for role in ROLES:
        await sign_in_as(client, role)
        for action in EXPECTED:
            response = await attempt(client, action, visit.code)
            found[(role, action)] = outcome(response)
            if found[(role, action)] == 200 and "post" not in action:
                assert 'id="messages"' in response.text, (role, action)
    expected = {
        (role, action): {
            **outcomes,
            **(DASHBOARD_STRANGERS if action.startswith("dashboard") else STRANGERS),
        }[role]
        for role in ROLES
        for action, outcomes in EXPECTED.items()
    }
    assert found == expected
    # Only the three allowed posts on the patient's side and two on the dashboard were stored.
    authors = await database["messages"].distinct("author_role")
    assert sorted(authors) == ["admin", "caregiver", "patient"]
    assert await database["messages"].count_documents({}) == 5


async def test_a_plain_form_posts_and_comes_back_to_the_page(
    client: Client, database: Database, visit: Visit
) -> None:
    await sign_in_as(client, "patient_a")
    sent = await post_message(client, visit.code, "  Could you arrive at 9 instead?  ")
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/bookings/{visit.code}#messages"
    page = await client.get(f"/bookings/{visit.code}")
    assert "Could you arrive at 9 instead?</p>" in page.text
    # The caregiver answers from the visit page, again without JavaScript.
    await sign_in_as(client, "caregiver_x")
    answer = await post_message(client, visit.code, "Yes, 9 is fine.", dashboard=True)
    assert answer.headers["location"] == f"/dashboard/bookings/{visit.code}#messages"
    # Without htmx the thread's own address sends the browser to the page holding it.
    moved = await client.get(thread_path(visit.code), follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"].endswith("#messages")
    stored = await database["messages"].find({}, sort=[("created_at", 1)]).to_list()
    assert [m["text"] for m in stored] == ["Could you arrive at 9 instead?", "Yes, 9 is fine."]


async def test_unread_counts_and_the_seen_receipt(client: Client, visit: Visit) -> None:
    await sign_in_as(client, "caregiver_x")
    for text in ("I will bring gloves.", "And a thermometer."):
        assert (await post_message(client, visit.code, text, dashboard=True)).status_code == 303
    workspace = await client.get("/dashboard/profile")
    assert "unread" not in workspace.text  # the writer has nothing unread
    await sign_in_as(client, "patient_a")
    home = await client.get("/services")
    assert re.search(
        r'class="nav-badge"[^>]*>2<span class="visually-hidden"> unread messages', home.text
    )
    # Opening the booking page reads the thread: the count is gone on the next page.
    page = await client.get(f"/bookings/{visit.code}")
    assert "Seen" not in page.text  # nothing of the patient's own has been read
    assert "nav-badge" not in (await client.get("/services")).text
    await sign_in_as(client, "caregiver_x")
    visit_page = await client.get(f"/dashboard/bookings/{visit.code}")
    items = re.findall(r'<li id="message-[0-9a-f]+"(.*?)</li>', visit_page.text, re.S)
    # "Seen" sits under the caregiver's last message, the last one the patient has read.
    assert ["Seen <time" in item for item in items] == [False, True]


async def test_text_is_escaped_and_never_made_a_link(client: Client, visit: Visit) -> None:
    await sign_in_as(client, "patient_a")
    text = (
        '<script>alert(1)</script> <a href="https://evil.example">x</a> '
        "https://example.com +8801712345678"
    )
    assert (await post_message(client, visit.code, text)).status_code == 303
    page = await client.get(f"/bookings/{visit.code}")
    shown = re.search(r'<p class="thread-text">(.*?)</p>', page.text, re.S)
    assert shown is not None
    assert "<" not in shown.group(1) and "&lt;script&gt;" in shown.group(1)
    assert "https://example.com +8801712345678" in shown.group(1)
    assert 'href="https://example.com' not in page.text and "tel:+8801712345678" not in page.text


async def test_length_cap_and_empty_messages_are_refused_with_the_draft_kept(
    client: Client, database: Database, visit: Visit
) -> None:
    await sign_in_as(client, "patient_a")
    too_long = await post_message(client, visit.code, "x" * 2_001, htmx=True)
    assert too_long.status_code == 422
    assert "1 to 2,000 characters" in too_long.text and "x" * 2_001 in too_long.text
    blank = await post_message(client, visit.code, "   ")
    assert blank.status_code == 400 and "1 to 2,000 characters" in blank.text
    assert (await post_message(client, visit.code, "x" * 2_000)).status_code == 303
    assert await database["messages"].count_documents({}) == 1


async def test_the_rate_limit_refuses_with_429_and_says_why(
    client: Client, database: Database, visit: Visit
) -> None:
    await sign_in_as(client, "patient_a")
    for number in range(10):
        assert (await post_message(client, visit.code, f"Note {number}")).status_code == 303
    refused = await post_message(client, visit.code, "One more")
    assert refused.status_code == 429
    assert "10 messages in the last minute" in refused.text
    in_place = await post_message(client, visit.code, "One more", htmx=True)
    assert in_place.status_code == 422 and "10 messages in the last minute" in in_place.text
    # Others may still write: the limit is each person's own.
    await sign_in_as(client, "caregiver_x")
    assert (await post_message(client, visit.code, "Noted.", dashboard=True)).status_code == 303
    # A day's worth, counted from stored messages, refuses until the day has passed.
    earlier = datetime.now(UTC) - timedelta(hours=2)
    await database["messages"].update_many(
        {"author_id": visit.patient_a.id}, {"$set": {"created_at": earlier}}
    )
    copies = [
        {**m, "_id": ObjectId()}
        for m in await database["messages"].find({"author_id": visit.patient_a.id}).to_list()
    ] * 9
    await database["messages"].insert_many([{**m, "_id": ObjectId()} for m in copies])
    await sign_in_as(client, "patient_a")
    daily = await post_message(client, visit.code, "Still here")
    assert daily.status_code == 429 and "100 messages today" in daily.text


async def test_a_thread_is_read_only_30_days_after_the_visit_and_once_cancelled(
    client: Client, database: Database, visit: Visit
) -> None:
    recent = await other_booking(database, visit, days_ago=29, status="completed")
    old = await other_booking(database, visit, days_ago=31, status="completed")
    cancelled = await other_booking(database, visit, days_ago=-5, status="cancelled")
    await sign_in_as(client, "patient_a")
    assert (await post_message(client, recent.code, "Thank you!")).status_code == 303
    for booking, reason in ((old, "30 days after the visit"), (cancelled, "was cancelled")):
        page = await client.get(f"/bookings/{booking.code}")
        assert reason in page.text and 'id="message-text"' not in page.text
        refused = await post_message(client, booking.code, "Hello?")
        assert refused.status_code == 409 and reason in refused.text
    assert await database["messages"].count_documents({}) == 1


async def test_support_inbox_lists_threads_waiting_for_an_answer_oldest_first(
    client: Client, database: Database, visit: Visit
) -> None:
    second = await other_booking(database, visit, days_ago=-3, status="confirmed")
    await sign_in_as(client, "patient_a")
    await post_message(client, visit.code, "First question")
    await post_message(client, second.code, "Second question")
    await sign_in_as(client, "admin")
    inbox = await client.get("/dashboard/messages")
    assert inbox.text.index(visit.code) < inbox.text.index(second.code)
    assert "2 waiting" in inbox.text
    await post_message(client, visit.code, "Support here: answered.", dashboard=True)
    await sign_in_as(client, "caregiver_x")
    # A caregiver's word does not answer for support: the second thread still waits.
    await post_message(client, second.code, "I can help too.", dashboard=True)
    await sign_in_as(client, "admin")
    inbox = await client.get("/dashboard/messages")
    assert visit.code not in inbox.text and second.code in inbox.text
    assert f'href="/dashboard/bookings/{second.code}#messages"' in inbox.text
    # A caregiver's own list holds their conversations, newest first; another's holds none.
    await sign_in_as(client, "caregiver_x")
    own = await client.get("/dashboard/messages")
    assert own.text.index(second.code) < own.text.index(visit.code)
    assert "2 unread" in own.text  # the first thread: the question and support's answer
    await sign_in_as(client, "caregiver_y")
    other = await client.get("/dashboard/messages")
    assert visit.code not in other.text and "No messages yet." in other.text


async def test_a_new_caregiver_takes_over_the_thread_and_its_unread_count(
    client: Client, database: Database, visit: Visit
) -> None:
    await sign_in_as(client, "patient_a")
    await post_message(client, visit.code, "Will you bring the blood pressure cuff?")
    # Support moves the visit to caregiver Y (the drawer's Reassign changes the booking so).
    await database["bookings"].update_one(
        {"_id": visit.booking.id}, {"$set": {"caregiver_id": visit.caregiver_y}}
    )
    await post_message(client, visit.code, "Sorry, one more thing: the gate is blue.")
    await sign_in_as(client, "caregiver_x")
    assert "unread" not in (await client.get("/dashboard/profile")).text
    assert visit.code not in (await client.get("/dashboard/messages")).text
    await sign_in_as(client, "caregiver_y")
    assert "2 unread" in (await client.get("/dashboard/messages")).text
