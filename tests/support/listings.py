"""Caregivers of every kind the public lists must tell apart, and what a page shows of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.bookings import DHAKA, add_caregiver, next_local_date

Database = AsyncDatabase[dict[str, Any]]
PROFILE_LINK = re.compile(r'href="/caregivers/([0-9a-f]{24})"')
# The day the "free on" filter is asked about: far enough ahead for any notice period.
BUSY_DAY = next_local_date(3)


@dataclass(frozen=True)
class Listed:
    """Who should be listed (`shown`) and who must not be, by name."""

    shown: dict[str, ObjectId]
    hidden: dict[str, ObjectId]


def profile_ids(html: str) -> list[str]:
    """The caregivers a page links to, in page order, each once."""
    return list(dict.fromkeys(PROFILE_LINK.findall(html)))


async def caregiver(
    database: Database,
    email: str,
    name: str,
    *,
    categories: tuple[str, ...],
    divisions: list[str],
    languages: list[str],
    rating: float,
    years: int,
    age_days: int,
    **options: Any,
) -> ObjectId:
    caregiver_id = await add_caregiver(
        database, email, categories=categories, rating=rating, name=name, **options
    )
    await database["caregivers"].update_one(
        {"_id": caregiver_id},
        {
            "$set": {
                "divisions": divisions,
                "languages": languages,
                "years_experience": years,
                "created_at": datetime.now(UTC) - timedelta(days=age_days),
                "checks": {"national_id": True, "certificates": 2, "references": 2},
            }
        },
    )
    return caregiver_id


async def hold_whole_day(database: Database, caregiver_id: ObjectId, day: date) -> None:
    await hold(database, caregiver_id, day, time(0, 0), time(23, 59))


async def hold(
    database: Database, caregiver_id: ObjectId, day: date, begin: time, end: time
) -> None:
    """Claim the half hours of the local `day` from `begin` to `end`, as a booking would."""
    start = datetime.combine(day, begin, tzinfo=DHAKA).astimezone(UTC)
    stop = datetime.combine(day, end, tzinfo=DHAKA).astimezone(UTC)
    booking_id = ObjectId()
    await database["slot_claims"].insert_many(
        {
            "_id": f"{caregiver_id}:{slot.isoformat()}",
            "caregiver_id": caregiver_id,
            "booking_id": booking_id,
            "slot_start": slot,
        }
        for slot in (start + timedelta(minutes=30 * n) for n in range(48))
        if slot < stop
    )


async def seed_listing_world(database: Database) -> Listed:
    """Six listed caregivers that differ in every filtered field, and four who are not listed.

    Nasrin is off on BUSY_DAY, Mitu's BUSY_DAY is fully held, and Lipi has no working hours.
    """
    same: dict[str, Any] = {"divisions": ["Dhaka"], "languages": ["Bangla"], "years": 4}
    shown = {
        "Shirin Akhter": await caregiver(
            database,
            "shirin@example.com",
            "Shirin Akhter",
            categories=("baby-care",),
            divisions=["Dhaka"],
            languages=["Bangla", "English"],
            rating=4.8,
            years=8,
            age_days=30,
        ),
        "Nasrin Sultana": await caregiver(
            database,
            "nasrin@example.com",
            "Nasrin Sultana",
            categories=("baby-care", "elderly-care"),
            divisions=["Dhaka", "Chattogram"],
            languages=["Bangla"],
            rating=4.2,
            years=5,
            age_days=20,
            days_off=(BUSY_DAY.isoformat(),),
        ),
        "Rahim Uddin": await caregiver(
            database,
            "rahim@example.com",
            "Rahim Uddin",
            categories=("elderly-care",),
            divisions=["Chattogram"],
            languages=["Bangla", "Chakma"],
            rating=3.6,
            years=12,
            age_days=10,
        ),
        "Tania Roy": await caregiver(
            database,
            "tania@example.com",
            "Tania Roy",
            categories=("sick-care",),
            divisions=["Sylhet", "Dhaka"],
            languages=["English", "Hindi"],
            rating=0,
            years=2,
            age_days=5,
        ),
        "Mitu Das": await caregiver(
            database,
            "mitu@example.com",
            "Mitu Das",
            categories=("baby-care",),
            divisions=["Chattogram"],
            languages=["bangla"],
            rating=4.5,
            years=3,
            age_days=40,
        ),
        "Lipi Akter": await caregiver(
            database,
            "lipi@example.com",
            "Lipi Akter",
            categories=("baby-care",),
            rating=4.0,
            age_days=1,
            **same,
        ),
    }
    await hold_whole_day(database, shown["Mitu Das"], BUSY_DAY)
    await database["caregivers"].update_one(
        {"_id": shown["Lipi Akter"]}, {"$set": {"availability": {}}}
    )
    hidden = {
        "Disabled": await caregiver(
            database,
            "disabled@example.com",
            "Dina Disabled",
            categories=("baby-care",),
            rating=4.9,
            age_days=2,
            **same,
        ),
        "Deleted": await caregiver(
            database,
            "deleted@example.com",
            "Dolly Deleted",
            categories=("baby-care",),
            rating=4.9,
            age_days=2,
            **same,
        ),
        "Unverified": await caregiver(
            database,
            "unverified@example.com",
            "Usha Unverified",
            categories=("baby-care",),
            rating=4.9,
            age_days=2,
            verified=False,
            **same,
        ),
    }
    await database["users"].update_one({"_id": hidden["Disabled"]}, {"$set": {"is_active": False}})
    await database["users"].update_one(
        {"_id": hidden["Deleted"]}, {"$set": {"deleted_at": datetime.now(UTC)}}
    )
    return Listed(shown=shown, hidden=hidden)
