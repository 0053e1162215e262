"""After any sequence of review writes, every stored summary is the aggregate of the reviews."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from carevia.domain.accounts import User
from carevia.domain.reviews import ReviewForm
from carevia.domain.shared import Conflict, Forbidden, Invalid, NotFound
from carevia.domain.shared.documents import from_document
from tests.integration.test_cli import clean_environment, run_carevia
from tests.support.accounts import UserFactory
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

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.timeout(180)]
RUNS = hypothesis_settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
VISITS = 4  # two caregivers × two services, so each write touches a shared summary
WRITES = st.one_of(
    st.tuples(st.just("write"), st.integers(0, VISITS - 1), st.integers(1, 5)),
    st.tuples(st.sampled_from(["hide", "unhide", "reply"]), st.integers(0, VISITS - 1), st.just(0)),
    st.tuples(st.just("wait"), st.just(0), st.integers(1, 15)),
)
# One example always reaches every kind of write, and an edit refused after its window.
EVERY_KIND = [
    ("write", 0, 5),
    ("reply", 0, 0),
    ("hide", 0, 0),
    ("write", 1, 3),
    ("unhide", 0, 0),
    ("wait", 0, 15),
    ("write", 0, 2),
]
REFUSED = (Conflict, Forbidden, Invalid, NotFound)


async def test_summaries_equal_the_visible_reviews_after_any_writes(
    database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    patients = [await make_user(f"patient{n}@example.com") for n in range(2)]
    admin = await make_user("admin@example.com", role="admin")
    carer_ids = [
        await make_caregiver("shirin@example.com", rating=0),
        await make_caregiver("rahim@example.com", rating=0, name="Rahim Uddin"),
    ]
    carers = [
        from_document(await database["users"].find_one({"_id": oid}) or {}, User)
        for oid in carer_ids
    ]
    visits = [
        await past_booking(
            database,
            patients[n % 2],
            carer_ids[n // 2],
            service=("infant-day-care", "toddler-care")[n % 2],
            days_ago=10 + n,
        )
        for n in range(VISITS)
    ]
    loop = asyncio.get_running_loop()
    clock = MovableClock()
    reviews = reviews_at(database, clock)
    subjects = [("caregiver_id", "caregivers", oid) for oid in carer_ids] + [
        ("service_id", "services", oid) for oid in {v.service_id for v in visits}
    ]
    seen: set[str] = set()

    async def write(kind: str, n: int, value: int) -> None:
        visit = visits[n]
        found = await database["reviews"].find_one({"booking_id": visit.id})
        review_id = str(found["_id"]) if found else "000000000000000000000000"
        if kind == "write":
            form = ReviewForm(stars=str(value), text="Lovely visit. " * value)
            await reviews.submit(patients[n % 2], visit.code, form)
        elif kind == "hide":
            await reviews.hide(admin, review_id, "Mentions a phone number")
        elif kind == "unhide":
            await reviews.unhide(admin, review_id, "The number was removed")
        elif kind == "reply":
            await reviews.reply(carers[n // 2], review_id, "Thank you for having me.")
        else:
            clock.move(days=value)

    async def play(steps: list[tuple[str, int, int]]) -> None:
        await database["reviews"].delete_many({})
        await reviews.rebuild_summaries()
        for kind, n, value in steps:
            try:
                await write(kind, n, value)
                seen.add(kind)
            except REFUSED:
                seen.add(f"{kind} refused")
            for subject, collection, oid in subjects:
                expected = await summary_from_reviews(database, subject, oid)
                assert await stored_summary(database, collection, oid) == expected, (kind, n)

    @RUNS
    @given(st.lists(WRITES, min_size=1, max_size=10))
    @example(EVERY_KIND)
    def any_writes(steps: list[tuple[str, int, int]]) -> None:
        asyncio.run_coroutine_threadsafe(play(steps), loop).result(timeout=60)

    await asyncio.to_thread(any_writes)
    assert {"write", "hide", "unhide", "reply", "write refused"} <= seen


async def test_the_rebuild_command_recomputes_every_summary(
    database: Database, mongo_uri: str, database_name: str, tmp_path: Path
) -> None:
    await seed_demo_reviews(database)
    shirin = await database["users"].find_one({"email": {"$regex": "^shirin\\."}})
    assert shirin is not None
    made_up = {"average": 4.9, "count": 112, "distribution": [0, 0, 0, 12, 100]}
    await database["caregivers"].update_one({"_id": shirin["_id"]}, {"$set": {"rating": made_up}})
    await database["services"].update_many({}, {"$set": {"rating": made_up}})
    env = clean_environment(APP_ENV="test", MONGODB_URI=mongo_uri, MONGODB_DB=database_name)
    result = run_carevia("reviews", "rebuild", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "rating summaries from the stored reviews" in result.stdout
    for subject, collection in (("caregiver_id", "caregivers"), ("service_id", "services")):
        async for document in database[collection].find({}, {"_id": 1}):
            expected = await summary_from_reviews(database, subject, document["_id"])
            assert await stored_summary(database, collection, document["_id"]) == expected
    assert (await stored_summary(database, "caregivers", shirin["_id"]))["count"] == 3
