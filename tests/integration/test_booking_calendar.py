"""The booking form's month view: free days, month navigation, refused dates and time groups."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from carevia.domain.shared.time_format import format_day
from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import CaregiverFactory, next_local_date

pytestmark = pytest.mark.usefixtures("seeded")
FORM = "/services/infant-day-care/book"
HTMX = {"HX-Request": "true"}
HORIZON_DAYS = 90  # settings.booking.max_days_ahead


@pytest.fixture
async def patient(client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory) -> None:
    """Amina, signed in; Shirin works round the clock, every day, for baby care."""
    await make_caregiver("shirin@example.com", hours=("00:00", "24:00"))
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")


def today() -> date:
    return next_local_date(0)


def options(text: str) -> list[str]:
    return re.findall(r'<option value="(\d\d:\d\d)"', text)


def selected(text: str) -> str:
    found = re.findall(r'<option value="(\d\d:\d\d)" selected>', text)
    assert len(found) == 1, found
    return str(found[0])


def month_title(day: date) -> str:
    return f"{day:%B %Y}"


@pytest.mark.usefixtures("patient")
async def test_the_form_shows_the_month_as_a_grid_whose_free_days_are_links(
    client: Client,
) -> None:
    page = await client.get(FORM)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'type="date"' not in text
    assert '<table class="calendar-grid" role="grid"' in text
    assert f'<caption id="calendar-caption">{month_title(today())}</caption>' in text
    assert "Times are in Bangladesh time (GMT+6)." in text
    assert text.count('<td class="calendar-day ') >= 28
    day = next_local_date(3)
    if day.month == today().month:
        link = re.search(rf'<a href="([^"]+)" data-day="{day.isoformat()}"', text)
        assert link is not None and link.group(1).startswith(f"{FORM}?")
        assert f"date={day.isoformat()}" in link.group(1)
        assert f'aria-label="{format_day(day)}, free times"' in text
    yesterday = today() - timedelta(days=1)
    if yesterday.month == today().month:
        cell = re.search(rf'aria-disabled="true">\s*<span data-day="{yesterday.isoformat()}"', text)
        assert cell is not None, "a past day is shown but cannot be picked"
        assert f"{format_day(yesterday)}, not bookable" in text


@pytest.mark.usefixtures("patient")
async def test_a_day_link_without_javascript_opens_the_form_with_that_days_times(
    client: Client,
) -> None:
    day = next_local_date(3)
    page = await client.get(FORM, params={"month": f"{day:%Y-%m}", "quantity": "4"})
    link = re.search(rf'<a href="([^"]+)" data-day="{day.isoformat()}"', page.text)
    assert link is not None
    opened = await client.get(html.unescape(link.group(1)))
    assert opened.status_code == 200
    assert f"free on {format_day(day)}." in opened.text
    assert 'aria-selected="true"' in opened.text
    assert f'name="date" value="{day.isoformat()}"' in opened.text
    assert 'value="4"' in opened.text  # the link kept the form as typed
    assert len(options(opened.text)) > 10


@pytest.mark.usefixtures("patient")
async def test_months_are_navigated_as_fragments_inside_the_booking_horizon(
    client: Client,
) -> None:
    following = (today().replace(day=1) + timedelta(days=31)).replace(day=1)
    fragment = await client.get(
        f"{FORM}/times", params={"month": f"{following:%Y-%m}"}, headers=HTMX
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="times"')
    assert f">{month_title(following)}</caption>" in fragment.text
    assert f'aria-label="Previous month, {month_title(today())}"' in fragment.text

    last = today() + timedelta(days=HORIZON_DAYS)
    far = await client.get(f"{FORM}/times", params={"month": "2031-05"}, headers=HTMX)
    assert f">{month_title(last)}</caption>" in far.text
    assert 'data-month-nav="next"' not in far.text, "no month beyond the horizon is offered"
    beyond = last + timedelta(days=1)
    if beyond.month == last.month:
        assert f"{format_day(beyond)}, not bookable" in html.unescape(far.text)

    first = await client.get(f"{FORM}/times", params={"month": "2020-01"}, headers=HTMX)
    assert f">{month_title(today())}</caption>" in first.text
    assert 'data-month-nav="prev"' not in first.text


@pytest.mark.usefixtures("patient")
async def test_a_date_outside_the_booking_window_is_refused_with_a_message(
    client: Client,
) -> None:
    last = today() + timedelta(days=HORIZON_DAYS)
    refused = {
        "2020-01-01": "That date has passed. Choose today or a later date.",
        (today() - timedelta(days=1)).isoformat(): "That date has passed.",
        (last + timedelta(days=1)).isoformat(): (
            f"Bookings open up to {format_day(last)}. Choose an earlier date."
        ),
        "2026-13-45": "Choose a day in the calendar.",
    }
    for asked, message in refused.items():
        for path, headers in ((f"{FORM}/times", HTMX), (FORM, {})):
            answer = await client.get(path, params={"date": asked}, headers=headers)
            assert answer.status_code == 422, (asked, path)
            assert message in answer.text
            assert 'role="alert"' in answer.text
            assert options(answer.text) == [], "no times are offered for it"
            assert f'name="date" value="{asked}"' not in answer.text


@pytest.mark.usefixtures("patient")
async def test_day_service_times_are_grouped_without_night_and_start_in_the_morning(
    client: Client,
) -> None:
    day = next_local_date(4)
    fragment = await client.get(
        f"{FORM}/times", params={"date": day.isoformat(), "quantity": "4"}, headers=HTMX
    )
    labels = re.findall(r'<optgroup label="(\w+)">', fragment.text)
    assert labels == ["Morning", "Afternoon", "Evening"]
    offered = options(fragment.text)
    assert offered[0] == "06:00" and offered[-1] == "20:30"
    assert selected(fragment.text) == "06:00"
    assert ">6:00 am</option>" in fragment.text and "12:00 am" not in fragment.text
    assert f"{len(offered)} start times free on {format_day(day)}." in fragment.text
    asked = await client.get(
        f"{FORM}/times",
        params={"date": day.isoformat(), "quantity": "4", "start_time": "14:30"},
        headers=HTMX,
    )
    assert selected(asked.text) == "14:30", "a free time asked for stays chosen"


@pytest.mark.usefixtures("patient")
async def test_night_care_offers_night_times_and_starts_at_night(client: Client) -> None:
    day = next_local_date(4)
    fragment = await client.get(
        "/services/newborn-night-nanny/book/times",
        params={"date": day.isoformat(), "quantity": "8"},
        headers=HTMX,
    )
    labels = re.findall(r'<optgroup label="(\w+)">', fragment.text)
    assert labels == ["Morning", "Afternoon", "Evening", "Night"]
    assert selected(fragment.text) == "21:00"
    assert "00:00" in options(fragment.text)
