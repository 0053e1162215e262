"""The month view and time groups of the booking form."""

from __future__ import annotations

from datetime import date, time

from carevia.domain.bookings.booking_calendar import BookingWindow, group_times, month_view

WINDOW = BookingWindow(date(2026, 12, 9), date(2027, 3, 9))
EVERY_HALF_HOUR = [time(hour, minute) for hour in range(24) for minute in (0, 30)]


def test_day_services_group_times_without_night_and_preselect_the_first_morning_time() -> None:
    day = group_times(EVERY_HALF_HOUR, night=False)
    assert [group.label for group in day.groups] == ["Morning", "Afternoon", "Evening"]
    assert day.groups[0].times[0] == time(6, 0)
    assert day.groups[-1].times[-1] == time(20, 30)
    assert day.preselected == time(6, 0)
    assert day.count == 30


def test_night_services_add_night_times_and_preselect_the_first_of_them() -> None:
    day = group_times(EVERY_HALF_HOUR, night=True)
    assert [group.name for group in day.groups] == ["morning", "afternoon", "evening", "night"]
    assert time(0, 0) in day.groups[-1].times and time(23, 30) in day.groups[-1].times
    assert day.preselected == time(21, 0)
    evenings = group_times([time(9, 0), time(18, 30), time(19, 0)], night=True)
    assert evenings.preselected == time(18, 30)
    assert group_times([], night=True).preselected is None


def test_a_time_asked_for_is_kept_only_when_it_is_free() -> None:
    day = group_times([time(9, 0), time(14, 30)], night=False)
    assert day.chosen("14:30") == "14:30"
    assert day.chosen("15:00") == "09:00"
    assert day.chosen("<script>") == "09:00"


def test_the_window_refuses_past_and_far_days_in_words() -> None:
    assert WINDOW.refusal(date(2026, 12, 8)) == (
        "That date has passed. Choose today or a later date."
    )
    assert WINDOW.refusal(date(2027, 3, 10)) == (
        "Bookings open up to Tue 9 Mar 2027. Choose an earlier date."
    )
    assert WINDOW.refusal(date(2026, 12, 9)) is None
    assert WINDOW.refusal(date(2027, 3, 9)) is None
    assert WINDOW.month_of(date(2031, 1, 1)) == date(2027, 3, 1)
    assert WINDOW.month_of(None) == date(2026, 12, 1)


def test_a_month_starts_on_saturday_and_closes_days_outside_the_window() -> None:
    december = month_view(date(2026, 12, 1), WINDOW, {date(2026, 12, 10)})
    assert december.title == "December 2026"
    assert [short for short, _ in december.weekday_names] == [
        "Sa", "Su", "Mo", "Tu", "We", "Th", "Fr"
    ]  # fmt: skip
    cells = {cell.day: cell.state for week in december.weeks for cell in week if cell}
    assert len(cells) == 31
    assert cells[date(2026, 12, 8)] == "closed"
    assert cells[date(2026, 12, 9)] == "full"
    assert cells[date(2026, 12, 10)] == "free"
    assert december.weeks[0][:3] == [None, None, None]  # 1 Dec 2026 is a Tuesday
    assert december.previous is None and december.next == date(2027, 1, 1)
    assert december.focus_day(None) == date(2026, 12, 10)
    march = month_view(date(2027, 3, 1), WINDOW, set())
    assert march.next is None and march.previous == date(2027, 2, 1)
