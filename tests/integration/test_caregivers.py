"""Caregivers: the demo seed, who can be booked, and the public profile page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.passwords import verify_password
from carevia.domain.caregivers import CaregiverRepository, TimeWindow, WeeklyAvailability
from carevia.domain.caregivers.seed import EMAIL_DOMAIN, seed_caregivers
from carevia.domain.catalogue import Category
from tests.support.accounts import UserFactory

Client = AsyncTestClient[Litestar]
Database = AsyncDatabase[dict[str, Any]]
DEMO_PASSWORD = "gentle-hands-demo-24"
DEMO_EMAILS = {"email": {"$regex": re.escape(f"@{EMAIL_DOMAIN}") + "$"}}


@pytest.fixture
async def demo(database: Database) -> int:
    return await seed_caregivers(database, datetime.now(UTC), DEMO_PASSWORD)


async def snapshot(database: Database) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    users = await database["users"].find(DEMO_EMAILS).sort("email").to_list()
    caregivers = await database["caregivers"].find().sort("_id").to_list()
    return users, caregivers


async def profile_of(database: Database, email: str) -> dict[str, Any]:
    user = await database["users"].find_one({"email": email})
    assert user is not None
    caregiver = await database["caregivers"].find_one({"_id": user["_id"]})
    assert caregiver is not None
    return caregiver


async def test_seeding_twice_changes_nothing(database: Database, demo: int) -> None:
    before = await snapshot(database)
    assert demo == len(before[1]) >= 10
    assert await seed_caregivers(database, datetime.now(UTC), DEMO_PASSWORD) == 0
    assert await snapshot(database) == before


async def test_demo_caregivers_cover_every_category_and_the_big_divisions(
    database: Database, demo: int
) -> None:
    verified = await database["caregivers"].find({"verified": True}).to_list()
    assert len(verified) >= 8
    for category in Category:
        offering = [c for c in verified if category.value in c["categories"]]
        assert len(offering) >= 2, f"{category} needs two verified caregivers"
    for division in ("Dhaka", "Chattogram"):
        assert sum(division in c["divisions"] for c in verified) >= 3
    assert await database["caregivers"].count_documents({"verified": False}) >= 1


async def test_each_demo_caregiver_has_a_verified_caregiver_account(
    database: Database, demo: int
) -> None:
    users, caregivers = await snapshot(database)
    assert {u["_id"] for u in users} == {c["_id"] for c in caregivers}
    assert all(u["role"] == "caregiver" and u["email_verified_at"] for u in users)
    shirin = next(u for u in users if u["email"] == f"shirin.akhter@{EMAIL_DOMAIN}")
    assert await verify_password(shirin["password_hash"], DEMO_PASSWORD)


async def test_the_seed_never_attaches_a_profile_to_someone_elses_account(
    database: Database, make_user: UserFactory
) -> None:
    patient = await make_user(f"shirin.akhter@{EMAIL_DOMAIN}", role="patient")
    await seed_caregivers(database, datetime.now(UTC), DEMO_PASSWORD)
    assert await database["caregivers"].find_one({"_id": patient.id}) is None
    assert (await database["users"].find_one({"_id": patient.id}) or {})["role"] == "patient"


async def test_candidates_are_verified_best_rated_first_and_in_the_category(
    database: Database, demo: int
) -> None:
    found = await CaregiverRepository(database).candidates(Category.ELDERLY_CARE, None)
    expected = (
        await database["caregivers"]
        .find({"verified": True, "categories": "elderly-care"})
        .to_list()
    )
    expected.sort(key=lambda c: (-c["rating"]["average"], c["_id"]))
    assert [c.id for c in found] == [c["_id"] for c in expected]
    assert len(found) >= 2
    unverified = await database["caregivers"].find_one({"verified": False})
    assert unverified is not None and "elderly-care" in unverified["categories"]
    assert unverified["_id"] not in {c.id for c in found}


async def test_candidates_in_a_division_leave_out_caregivers_who_do_not_serve_it(
    database: Database, demo: int
) -> None:
    repository = CaregiverRepository(database)
    everywhere = await repository.candidates(Category.SICK_CARE, None)
    in_chattogram = await repository.candidates(Category.SICK_CARE, "Chattogram")
    assert in_chattogram == [c for c in everywhere if "Chattogram" in c.divisions]
    assert len(in_chattogram) < len(everywhere)


async def test_equal_ratings_are_ordered_by_id_every_time(
    database: Database, make_user: UserFactory
) -> None:
    now = datetime.now(UTC)
    ids = sorted(ObjectId() for _ in range(3))
    for position, caregiver_id in enumerate(reversed(ids)):
        await database["caregivers"].insert_one(
            {
                "_id": caregiver_id,
                "display_name": f"Carer {position}",
                "bio": "",
                "categories": ["special-care"],
                "divisions": ["Dhaka"],
                "languages": ["Bangla"],
                "years_experience": 2,
                "verified": True,
                "rating": {"average": 4.5, "count": 3},
                "created_at": now,
                "updated_at": now,
            }
        )
    found = await CaregiverRepository(database).candidates(Category.SPECIAL_CARE, "Dhaka")
    assert [c.id for c in found] == ids


async def test_verification_and_availability_are_updated_in_place(
    database: Database, demo: int
) -> None:
    repository = CaregiverRepository(database)
    rumana = await profile_of(database, f"rumana.chowdhury@{EMAIL_DOMAIN}")
    verified = await repository.set_verified(rumana["_id"], True)
    assert verified is not None and verified.verified
    assert rumana["_id"] in {c.id for c in await repository.list_verified(50)}
    week = WeeklyAvailability(friday=[TimeWindow("20:00", "24:00")])
    updated = await repository.set_availability(rumana["_id"], week, ["2030-01-02", "2030-01-01"])
    assert updated is not None
    assert updated.availability == week and updated.days_off == ["2030-01-01", "2030-01-02"]
    assert await repository.get(str(rumana["_id"])) == updated
    assert await repository.get("not-an-id") is None
    assert await repository.set_verified(ObjectId(), True) is None


async def test_the_profile_page_shows_every_section(
    client: Client, database: Database, demo: int
) -> None:
    shirin = await profile_of(database, f"shirin.akhter@{EMAIL_DOMAIN}")
    response = await client.get(f"/caregivers/{shirin['_id']}")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Shirin Akhter</h1>" in page
    # A demo caregiver has no photo: the avatar drawn from her initials stands in.
    assert f'<img src="/avatars/{shirin["_id"]}"' in page
    assert "Verified by Carevia" in page
    assert "8 years of experience" in page
    # No visit of hers is reviewed here: no number, and no rating in the structured data.
    assert "No reviews yet" in page and "aggregateRating" not in page and "★" not in page
    assert "I have looked after newborns" in page
    for category in ("baby-care", "elderly-care"):
        assert f'href="/services?category={category}">Book with Shirin for ' in page
    assert '<a href="/services?category=elderly-care">Elderly Care</a>' in page
    assert "<dd>Dhaka</dd>" in page and "<dd>Bangla, English</dd>" in page
    assert "<li>Newborn Care Training</li>" in page
    assert re.search(r'<th scope="row">Friday</th>\s*<td><span class="muted">Day off</span>', page)
    assert re.search(r'<th scope="row">Saturday</th>\s*<td>8:00 am – 8:00 pm</td>', page)
    assert (
        f'<link rel="canonical" href="https://testserver.local/caregivers/{shirin["_id"]}">' in page
    )
    assert re.search(r"<title>Shirin Akhter, Baby Care and Elderly Care caregiver in Dhaka", page)
    assert re.search(r'<meta name="description" content="Shirin Akhter is a verified', page)


async def test_a_night_shift_shows_on_both_days(
    client: Client, database: Database, demo: int
) -> None:
    nasrin = await profile_of(database, f"nasrin.sultana@{EMAIL_DOMAIN}")
    page = (await client.get(f"/caregivers/{nasrin['_id']}")).text
    assert re.search(r"Saturday</th>\s*<td>8:00 pm – midnight</td>", page)
    assert re.search(r"Sunday</th>\s*<td>midnight – 8:00 am, 8:00 pm – midnight</td>", page)


@pytest.mark.parametrize("caregiver_id", ["6b155894aad4cb8c47cf83fa", "not-an-object-id", "%24ne"])
async def test_unknown_or_malformed_ids_get_the_not_found_page(
    client: Client, demo: int, caregiver_id: str
) -> None:
    response = await client.get(f"/caregivers/{caregiver_id}")
    assert response.status_code == 404
    assert "We could not find this caregiver" in response.text


async def test_an_unverified_caregiver_has_no_public_profile(
    client: Client, database: Database, demo: int
) -> None:
    rumana = await profile_of(database, f"rumana.chowdhury@{EMAIL_DOMAIN}")
    response = await client.get(f"/caregivers/{rumana['_id']}")
    assert response.status_code == 404
    assert "Rumana" not in response.text
    await CaregiverRepository(database).set_verified(rumana["_id"], True)
    assert (await client.get(f"/caregivers/{rumana['_id']}")).status_code == 200
