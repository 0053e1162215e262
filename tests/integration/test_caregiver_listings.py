"""Who the public sees: the service page's caregiver cards, profiles and the sitemap."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.accounts import UserFactory
from tests.support.bookings import DHAKA, CaregiverFactory, add_caregiver, next_local_date
from tests.support.listings import Database, Listed, hold, profile_ids, seed_listing_world
from tests.support.reviews import MovableClock, reviewed_booking, reviews_at

Client = AsyncTestClient[Litestar]
pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
async def world(database: Database) -> Listed:
    return await seed_listing_world(database)


def caregiver_section(html: str) -> str:
    found = re.search(r'<section class="section" id="caregivers".*?</section>', html, re.S)
    assert found, "the service page has a caregivers section"
    return found.group(0)


async def test_a_service_page_lists_exactly_the_verified_active_caregivers_offering_it(
    client: Client, world: Listed
) -> None:
    page = await client.get("/services/newborn-night-nanny")
    assert page.status_code == 200
    section = caregiver_section(page.text)
    offering_baby_care = {"Shirin Akhter", "Nasrin Sultana", "Mitu Das", "Lipi Akter"}
    assert set(profile_ids(section)) == {str(world.shown[name]) for name in offering_baby_care}
    # Best rated first, as on the booking form.
    assert profile_ids(section)[0] == str(world.shown["Shirin Akhter"])
    assert "See all caregivers" in section


async def test_a_card_says_what_was_checked_and_when_the_caregiver_is_next_free(
    client: Client, world: Listed
) -> None:
    section = caregiver_section((await client.get("/services/newborn-night-nanny")).text)
    card = re.search(
        r'<article class="card caregiver-card">.*?Shirin Akhter.*?</article>', section, re.S
    )
    assert card
    text = card.group(0)
    for words in ("National ID checked", "2 certificates checked", "2 references checked"):
        assert words in text
    assert "8 years" in text and "Bangla, English" in text and "Dhaka" in text
    assert "Next free: <time" in text and "(10)" in text
    lipi = section[section.index("Lipi Akter") :]
    assert lipi[: lipi.index("</article>")].count("No free time in the next two weeks") == 1


async def test_a_service_nobody_offers_says_so(client: Client, world: Listed) -> None:
    section = caregiver_section((await client.get("/services/autism-support")).text)
    assert profile_ids(section) == []
    assert "No verified caregiver offers this service at the moment." in section


async def test_a_disabled_deleted_or_unverified_caregiver_has_no_public_profile(
    client: Client, world: Listed
) -> None:
    assert (await client.get(f"/caregivers/{world.shown['Tania Roy']}")).status_code == 200
    for caregiver_id in world.hidden.values():
        page = await client.get(f"/caregivers/{caregiver_id}")
        assert page.status_code == 404
        assert "We could not find this caregiver" in page.text


async def test_the_sitemap_lists_every_listed_profile_and_no_other(
    client: Client, world: Listed
) -> None:
    sitemap = (await client.get("/sitemap.xml")).text
    listed = set(re.findall(r"/caregivers/([0-9a-f]{24})</loc>", sitemap))
    assert listed == {str(caregiver_id) for caregiver_id in world.shown.values()}
    assert "/caregivers</loc>" in sitemap


async def test_a_profile_is_person_json_ld_with_a_rating_only_when_reviewed(
    client: Client, world: Listed
) -> None:
    reviewed = (await client.get(f"/caregivers/{world.shown['Shirin Akhter']}")).text
    unreviewed = (await client.get(f"/caregivers/{world.shown['Tania Roy']}")).text
    for page in (reviewed, unreviewed):
        assert '"@type": "Person"' in page or '"@type":"Person"' in page
    assert "aggregateRating" in reviewed
    assert "aggregateRating" not in unreviewed


async def test_the_next_free_time_skips_days_off_and_held_time(
    client: Client, database: Database
) -> None:
    today = next_local_date(0)
    open_day = today + timedelta(days=5)
    off = tuple((today + timedelta(days=n)).isoformat() for n in range(15) if n != 5)
    shirin = await add_caregiver(database, "shirin@example.com", days_off=off)
    await hold(database, shirin, open_day, time(8, 0), time(10, 0))
    section = caregiver_section((await client.get("/services/newborn-night-nanny")).text)
    # Newborn Night Nanny is booked for 8 hours at least; 10:00 to 18:00 fits 08:00-20:00.
    starts = datetime.combine(open_day, time(10, 0), tzinfo=DHAKA).astimezone(UTC)
    assert f'datetime="{starts.isoformat().replace("+00:00", "Z")}"' in section
    await hold(database, shirin, open_day, time(12, 0), time(12, 30))
    section = caregiver_section((await client.get("/services/newborn-night-nanny")).text)
    assert "No free time in the next two weeks" in section


async def test_a_service_page_shows_its_recent_visible_reviews(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    amina, rokeya = await make_user("amina@example.com"), await make_user("rokeya@example.com")
    admin = await make_user("admin@example.com", role="admin")
    shown = await reviewed_booking(database, amina, await make_caregiver("shirin@example.com"))
    hidden = await reviewed_booking(database, rokeya, await make_caregiver("nasrin@example.com"))
    await reviews_at(database, MovableClock()).hide(admin, str(hidden), "Mentions a phone number")
    page = (await client.get("/services/infant-day-care")).text
    assert f"review-{shown}-title" in page
    assert f"review-{hidden}-title" not in page
    assert "Recent reviews" not in (await client.get("/services/newborn-night-nanny")).text
