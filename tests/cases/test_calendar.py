"""Business time: weekends, evenings, public holidays, closed days and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxloop.cases import Calendar
from cxloop.errors import ValidationFailed


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def paris() -> Calendar:
    """Weekdays 9:00-12:30 and 13:30-18:00 in Paris, French public holidays."""
    spans = [["09:00", "12:30"], ["13:30", "18:00"]]
    return Calendar.build(
        timezone="Europe/Paris",
        hours={day: spans for day in ("mon", "tue", "wed", "thu", "fri")},
        holiday_country="FR",
    )


def test_adding_within_a_working_day_skips_the_lunch_break(paris: Calendar) -> None:
    # Monday 30 November 2026, 11:00 in Paris (10:00 UTC): 90 minutes before lunch, 30 after,
    # so 14:00 in Paris.
    assert paris.add(utc("2026-11-30T10:00"), 120) == utc("2026-11-30T13:00")


def test_a_deadline_that_passes_friday_evening_lands_on_monday(paris: Calendar) -> None:
    # Friday 4 December 17:00 Paris + 2 h: one hour on Friday, one on Monday from 9:00.
    assert paris.add(utc("2026-12-04T16:00"), 120) == utc("2026-12-07T09:00")


def test_a_case_opened_on_sunday_starts_counting_on_monday_morning(paris: Calendar) -> None:
    assert paris.add(utc("2026-12-06T12:00"), 30) == utc("2026-12-07T08:30")


def test_public_holidays_are_skipped(paris: Calendar) -> None:
    # Thursday 24 Dec 17:00 Paris + 2 h: Christmas Day (Friday) is a holiday in France.
    assert paris.add(utc("2026-12-24T16:00"), 120) == utc("2026-12-28T09:00")


def test_regional_holidays_come_from_the_subdivision() -> None:
    alsace = Calendar.build(
        timezone="Europe/Paris", holiday_country="FR", holiday_subdivision="57"
    )  # Moselle: 26 December is a holiday
    plain = Calendar.build(timezone="Europe/Paris", holiday_country="FR")
    assert plain.is_working_day(date(2026, 12, 26))
    assert not alsace.is_working_day(date(2026, 12, 26))


def test_closed_dates_are_skipped() -> None:
    calendar = Calendar.build(timezone="UTC", closed_dates=["2026-12-01"])
    assert calendar.add(utc("2026-11-30T16:00"), 120) == utc("2026-12-02T10:00")


def test_opening_hours_follow_the_wall_clock_across_daylight_saving() -> None:
    ny = Calendar.build(timezone="America/New_York")
    # Friday 6 March 2026 16:00 EST (21:00 UTC) + 2 h: Monday 9 March 10:00 EDT (14:00 UTC).
    assert ny.add(utc("2026-03-06T21:00"), 120) == utc("2026-03-09T14:00")


def test_zones_ahead_of_utc_open_on_the_previous_utc_day() -> None:
    tokyo = Calendar.build(timezone="Asia/Tokyo")
    # Sunday 22:00 UTC is Monday 07:00 in Tokyo; Monday 09:00 there is Monday 00:00 UTC.
    assert tokyo.add(utc("2026-11-29T22:00"), 60) == utc("2026-11-30T01:00")


def test_minutes_between_counts_only_open_time(paris: Calendar) -> None:
    assert paris.minutes_between(utc("2026-12-04T16:00"), utc("2026-12-07T09:00")) == 120
    assert paris.minutes_between(utc("2026-12-07T09:00"), utc("2026-12-04T16:00")) == -120


def test_a_twenty_four_hour_calendar_is_plain_time() -> None:
    always = Calendar.build(
        timezone="UTC",
        hours={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    start = utc("2026-11-30T23:30")
    assert always.add(start, 90) == start + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "not a time zone"),
        ({"hours": {"mon": [["17:00", "09:00"]]}}, "closes before it opens"),
        ({"hours": {"funday": [["09:00", "17:00"]]}}, "not a weekday"),
        ({"hours": {"mon": [["9am", "17:00"]]}}, "not a time like 09:00"),
        ({"hours": {}}, "at least one day"),
        ({"holiday_country": "XX"}, "no public holidays are known"),
        ({"closed_dates": ["1st of May"]}, "YYYY-MM-DD"),
    ],
)
def test_a_bad_calendar_is_refused_with_a_reason(fields: dict, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        Calendar.build(**fields)


# hypothesis wants naive bounds; the generated moments carry UTC.
NAIVE_FROM, NAIVE_TO = datetime(2026, 1, 1), datetime(2027, 12, 31)  # noqa: DTZ001
moments = st.datetimes(min_value=NAIVE_FROM, max_value=NAIVE_TO, timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(start=moments, minutes=st.integers(min_value=0, max_value=5 * 24 * 60))
def test_add_and_minutes_between_are_inverse(start: datetime, minutes: int) -> None:
    calendar = Calendar.build(timezone="Europe/Paris", holiday_country="FR")
    end = calendar.add(start, minutes)
    assert end >= start
    assert calendar.minutes_between(start, end) == pytest.approx(minutes, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(start=moments, first=st.integers(0, 3000), second=st.integers(0, 3000))
def test_adding_in_two_steps_is_adding_once(start: datetime, first: int, second: int) -> None:
    calendar = Calendar.build(timezone="America/New_York", holiday_country="US")
    once = calendar.add(start, first + second)
    # Stepping stops at a closing time when `first` ends a span exactly, which is the same
    # instant in business terms as the next opening.
    twice = calendar.add(calendar.add(start, first), second)
    assert calendar.minutes_between(start, once) == pytest.approx(first + second)
    assert calendar.minutes_between(once, twice) == pytest.approx(0)
