"""Every rating on the site is backed by stored reviews, in the pages and in their JSON-LD."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import carevia
from carevia.domain.reviews import ReviewForm
from carevia.domain.reviews.seed import demo_reviews
from tests.support.accounts import DEFAULT_PASSWORD, Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.reviews import (
    Database,
    MovableClock,
    past_booking,
    reviews_at,
    seed_demo_reviews,
    stored_summary,
    summary_from_reviews,
)

pytestmark = pytest.mark.usefixtures("seeded")
DOMAIN = Path(carevia.__file__).parent / "domain"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
RATING_KEY = re.compile(r"rating|average|review|score|stars", re.I)


def structured_data(page: str) -> dict[str, Any]:
    match = JSON_LD.search(page)
    assert match, "the page has JSON-LD"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def keys_of(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for key, item in value.items() for k in (key, *keys_of(item))]
    if isinstance(value, list):
        return [k for item in value for k in keys_of(item)]
    return []


def test_no_seed_file_holds_a_rating_number() -> None:
    for seed in DOMAIN.glob("*/seed_*.json"):
        if seed.name == "seed_reviews.json":
            continue  # the reviews themselves: the one source every rating is computed from
        found = [key for key in keys_of(json.loads(seed.read_text())) if RATING_KEY.search(key)]
        assert found == [], f"{seed.name} seeds {found}"


async def test_the_demo_data_holds_no_rating_that_reviews_do_not_back(database: Database) -> None:
    added = await seed_demo_reviews(database)
    assert added == len(demo_reviews().visits)
    assert await seed_demo_reviews(database) == 0  # a second run adds nothing
    rated = 0
    for subject, collection in (("caregiver_id", "caregivers"), ("service_id", "services")):
        async for document in database[collection].find({}, {"_id": 1}):
            expected = await summary_from_reviews(database, subject, document["_id"])
            assert await stored_summary(database, collection, document["_id"]) == expected
            rated += expected["count"] > 0
    assert rated >= 20, "most demo caregivers and many services have reviews"
    # Every reviewed visit is a completed booking in the past, by the review's own author.
    async for review in database["reviews"].find():
        booking = await database["bookings"].find_one({"_id": review["booking_id"]})
        assert booking is not None and booking["status"] == "completed"
        assert booking["patient_id"] == review["patient_id"]
        assert booking["ends_at"] < review["created_at"]


async def test_aggregate_rating_appears_only_with_reviews(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    amina = await make_user("amina@example.com")
    shirin = await make_caregiver("shirin@example.com", rating=0)
    pages = (f"/caregivers/{shirin}", "/services/infant-day-care")
    for path in pages:
        page = (await client.get(path)).text
        assert "aggregateRating" not in structured_data(page)
        assert "No reviews yet" in page
    home = (await client.get("/")).text
    assert "What families say" not in home
    booking = await past_booking(database, amina, shirin)
    form = ReviewForm(stars="4", title="Gentle", text="Gentle with our baby and always on time.")
    await reviews_at(database, MovableClock()).submit(amina, booking.code, form)
    for path in pages:
        page = (await client.get(path)).text
        rating = structured_data(page)["aggregateRating"]
        assert rating["ratingValue"] == 4.0 and rating["reviewCount"] == 1
        assert "Rated 4.0 out of 5 from 1 review" in page
    profile = (await client.get(pages[0])).text
    assert "No reviews yet" not in profile
    assert "Gentle with our baby and always on time." in profile
    assert "Amina R." in profile and "Rahman" not in profile
    home = (await client.get("/")).text
    assert "What families say" in home and "Gentle with our baby" in home


async def test_the_home_page_quotes_the_best_recent_reviews(
    client: Client, database: Database
) -> None:
    await seed_demo_reviews(database)
    home = (await client.get("/")).text
    quoted = re.findall(r'<figure class="card testimonial">', home)
    assert len(quoted) == 3
    stars = [int(n) for n in re.findall(r"(\d) out of 5 stars,", home)]
    assert stars and min(stars) >= 4
    assert "Not what we expected" not in home  # a two-star review is never a testimonial


async def test_a_deleted_account_leaves_its_reviews_without_a_name(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    nusrat = await make_user("nusrat@example.com", first_name="Nusrat", last_name="Jahan")
    shirin = await make_caregiver("shirin@example.com", rating=0)
    booking = await past_booking(database, nusrat, shirin)
    form = ReviewForm(stars="5", text="Kind, careful and always on time.")
    await reviews_at(database, MovableClock()).submit(nusrat, booking.code, form)
    await log_in(client, nusrat.email)
    export = (await client.get("/account/export")).json()
    assert [r["text"] for r in export["reviews"]] == ["Kind, careful and always on time."]
    token = await csrf_token(client, "/account/delete")
    deleted = await client.post(
        "/account/delete", data={"password": DEFAULT_PASSWORD, "_csrf_token": token}
    )
    assert deleted.status_code == 200
    review = await database["reviews"].find_one({"booking_id": booking.id})
    assert review is not None and review["author"] == "Former patient"
    # The words and the stars stay: the caregiver's rating is still backed by them.
    assert (await stored_summary(database, "caregivers", shirin))["count"] == 1
    assert "Nusrat" not in (await client.get(f"/caregivers/{shirin}")).text
