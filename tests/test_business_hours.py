"""Business-hours clock maths: worked examples a person can check, and properties over random calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_hours import BusinessHours, NoBusinessHours, add_time, elapsed_time

BERLIN = BusinessHours("Europe/Berlin", holidays=frozenset({date(2026, 12, 24), date(2026, 12, 25)}))


def berlin(*args: int) -> datetime:
    """A Berlin wall-clock time as UTC."""
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def test_eight_hours_from_friday_afternoon_fall_due_on_monday_afternoon() -> None:
    # Fri 4 Dec 2026 16:00: 1 h left on Friday, 7 h on Monday from 09:00 -> Mon 7 Dec 16:00
    assert BERLIN.add(berlin(2026, 12, 4, 16), timedelta(hours=8)) == berlin(2026, 12, 7, 16)


def test_a_request_at_night_starts_counting_when_the_team_opens() -> None:
    assert BERLIN.add(berlin(2026, 12, 1, 23, 30), timedelta(hours=1)) == berlin(2026, 12, 2, 10)
    assert BERLIN.add(berlin(2026, 12, 5, 12), timedelta(minutes=30)) == berlin(2026, 12, 7, 9, 30)  # Sat


def test_holidays_are_skipped() -> None:
    # Wed 23 Dec 16:00 + 2 h: 1 h on the 23rd, the 24th and 25th are holidays, the 26th-27th a weekend
    assert BERLIN.add(berlin(2026, 12, 23, 16), timedelta(hours=2)) == berlin(2026, 12, 28, 10)


def test_a_working_day_across_the_daylight_saving_change_is_eight_wall_clock_hours() -> None:
    # Berlin leaves summer time on Sun 25 Oct 2026: Fri 09:00 CEST to Mon 17:00 CET is 16 business hours
    start, end = berlin(2026, 10, 23, 9), berlin(2026, 10, 26, 17)
    assert BERLIN.elapsed(start, end) == timedelta(hours=16)
    assert BERLIN.add(start, timedelta(hours=16)) == end
    assert end - start == timedelta(hours=81)  # 3 days and 8 hours, plus the hour given back


def test_without_a_calendar_the_clock_runs_around_the_clock() -> None:
    start = datetime(2026, 12, 4, 16, tzinfo=UTC)
    assert add_time(None, start, timedelta(hours=8)) == start + timedelta(hours=8)
    assert elapsed_time(None, start, start - timedelta(hours=1)) == timedelta(0)


def test_a_calendar_without_open_days_is_refused() -> None:
    with pytest.raises(ValueError):
        BusinessHours(days=frozenset())
    with pytest.raises(ValueError):
        BusinessHours(opens=time(17), closes=time(9))
    every_day_off = BusinessHours(days=frozenset({0}), holidays=frozenset(
        date(2026, 1, 5) + timedelta(weeks=k) for k in range(200)
    ))
    with pytest.raises(NoBusinessHours):
        every_day_off.add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1))


ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"])


@st.composite
def calendars(draw: st.DrawFn) -> BusinessHours:
    """A random calendar: some working days, at least 4 opening hours a day, a few holidays (so 200 hours
    fit in well under the three years a calendar may take before it is refused)."""
    opens = draw(st.integers(0, 19 * 4)) * 15
    closes = draw(st.integers(opens // 15 + 16, 24 * 4 - 1)) * 15
    days = frozenset(draw(st.sets(st.integers(0, 6), min_size=1)))
    holidays = frozenset(draw(st.lists(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=8)))
    return BusinessHours(
        draw(ZONES), days, time(opens // 60, opens % 60), time(closes // 60, closes % 60), holidays
    )


INSTANTS = st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30), timezones=st.just(UTC))
SPANS = st.integers(0, 200 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))


@settings(max_examples=150, deadline=None)
@given(calendars(), INSTANTS, SPANS)
def test_adding_business_time_then_measuring_it_gives_it_back(cal: BusinessHours, start: datetime, span: timedelta) -> None:
    due = cal.add(start, span)
    assert due >= start
    assert cal.elapsed(start, due) == span  # exact, to the microsecond


@settings(max_examples=150, deadline=None)
@given(calendars(), INSTANTS, SPANS, SPANS)
def test_business_time_adds_up_and_never_runs_backwards(
    cal: BusinessHours, start: datetime, a: timedelta, b: timedelta
) -> None:
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b)
    if a <= b:
        assert cal.add(start, a) <= cal.add(start, b)


@settings(max_examples=150, deadline=None)
@given(calendars(), INSTANTS, SPANS)
def test_a_deadline_lands_inside_opening_hours_of_a_working_day(
    cal: BusinessHours, start: datetime, span: timedelta
) -> None:
    from zoneinfo import ZoneInfo

    if span == timedelta(0):
        return
    local = cal.add(start, span).astimezone(ZoneInfo(cal.timezone))
    assert local.weekday() in cal.days and local.date() not in cal.holidays
    assert cal.opens <= local.time().replace(tzinfo=None) <= cal.closes or local.time() == cal.closes
