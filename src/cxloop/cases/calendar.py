"""Business time: opening hours in a time zone, minus public holidays and closed days.

Holidays come from the ``holidays`` package (countries and their regions, every year). The
arithmetic on top is ours: the business-hours packages on PyPI are unmaintained and speak
pytz, and SLAs need exactly two operations, both here: the moment ``n`` business minutes
after a start, and the business minutes between two moments. Opening hours are wall-clock
times in the calendar's zone, so a 09:00 opening stays 09:00 across daylight-saving changes,
while durations are real elapsed time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from cxloop.errors import ValidationFailed

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS: dict[str, list[list[str]]] = {day: [["09:00", "17:00"]] for day in WEEKDAYS[:5]}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
# A calendar open for at least one minute a week reaches any deadline within this many days.
_HORIZON_DAYS = 366 * 5

Interval = tuple[datetime, datetime]


def _clock(value: str, where: str) -> time | None:
    """``HH:MM``; ``24:00`` (midnight at the end of the day) is returned as None."""
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValidationFailed(f"{where}: '{value}' is not a time like 09:00", field="hours")
    if value == "24:00":
        return None
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def parse_hours(hours: Mapping[str, Any]) -> dict[int, tuple[tuple[time, time | None], ...]]:
    """``{"mon": [["09:00", "17:00"]], ...}`` into weekday -> ordered, disjoint intervals."""
    parsed: dict[int, tuple[tuple[time, time | None], ...]] = {}
    for day, spans in hours.items():
        if day not in WEEKDAYS:
            raise ValidationFailed(
                f"'{day}' is not a weekday (use {', '.join(WEEKDAYS)})", field="hours"
            )
        intervals: list[tuple[time, time | None]] = []
        for span in spans:
            if not isinstance(span, Sequence) or len(span) != 2:
                raise ValidationFailed(f"{day}: give each span as [open, close]", field="hours")
            start, end = _clock(span[0], day), _clock(span[1], day)
            if start is None or (end is not None and end <= start):
                raise ValidationFailed(
                    f"{day}: {span[0]}-{span[1]} closes before it opens", field="hours"
                )
            previous_end = intervals[-1][1] if intervals else start
            if previous_end is None or start < previous_end:
                raise ValidationFailed(f"{day}: spans overlap or are out of order", field="hours")
            intervals.append((start, end))
        parsed[WEEKDAYS.index(day)] = tuple(intervals)
    if not any(parsed.values()):
        raise ValidationFailed("a calendar needs opening hours on at least one day", field="hours")
    return parsed


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"'{name}' is not a time zone (e.g. Europe/Paris)", field="timezone"
        ) from None


def public_holidays(country: str | None, subdivision: str | None) -> holidays.HolidayBase | None:
    if not country:
        return None
    try:
        return holidays.country_holidays(country.upper(), subdiv=subdivision or None)
    except NotImplementedError:
        raise ValidationFailed(
            f"no public holidays are known for '{country}' (use an ISO country code such as FR)",
            field="holiday_country",
        ) from None


@dataclass(eq=False)
class Calendar:
    """The working time of a department. Pure: no database, so SLA arithmetic is testable
    exhaustively and fast."""

    zone: ZoneInfo
    hours: dict[int, tuple[tuple[time, time | None], ...]]
    holidays: holidays.HolidayBase | None = None
    closed: frozenset[date] = frozenset()
    _days: dict[date, tuple[Interval, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        *,
        timezone: str = "UTC",
        hours: Mapping[str, Any] | None = None,
        holiday_country: str | None = None,
        holiday_subdivision: str | None = None,
        closed_dates: Sequence[str] = (),
    ) -> Calendar:
        try:
            closed = frozenset(date.fromisoformat(d) for d in closed_dates)
        except ValueError as exc:
            raise ValidationFailed(
                f"closed dates must be YYYY-MM-DD: {exc}", field="closed_dates"
            ) from None
        return cls(
            zone=zone(timezone),
            hours=parse_hours(DEFAULT_HOURS if hours is None else hours),
            holidays=public_holidays(holiday_country, holiday_subdivision),
            closed=closed,
        )

    def is_working_day(self, day: date) -> bool:
        return day not in self.closed and not (self.holidays is not None and day in self.holidays)

    def open_intervals(self, day: date) -> tuple[Interval, ...]:
        """The day's opening spans as UTC instants (cached: SLA timers ask for the same days)."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        spans: tuple[Interval, ...] = ()
        if self.is_working_day(day):
            spans = tuple(
                (self._instant(day, start), self._instant(day, end))
                for start, end in self.hours.get(day.weekday(), ())
            )
        if len(self._days) > 4096:
            self._days.clear()
        self._days[day] = spans
        return spans

    def _instant(self, day: date, clock: time | None) -> datetime:
        if clock is None:  # 24:00 is the next day's midnight
            return self._instant(day + timedelta(days=1), time(0))
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def _intervals_from(self, moment: datetime) -> Iterator[Interval]:
        # Start a day early: in zones behind UTC a local day's spans begin on the UTC day before.
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(_HORIZON_DAYS):
            yield from self.open_intervals(day + timedelta(days=offset))
        raise ValidationFailed(
            "the calendar has no opening hours in the next five years", field="hours"
        )

    def add(self, start: datetime, minutes: float) -> datetime:
        """The moment ``minutes`` business minutes after ``start``."""
        remaining = timedelta(minutes=minutes)
        if remaining <= timedelta(0):
            return start
        for opens, closes in self._intervals_from(start):
            if closes <= start:
                continue
            begin = max(opens, start)
            span = closes - begin
            if remaining <= span:
                return begin + remaining
            remaining -= span
        raise AssertionError("unreachable: _intervals_from raises at its horizon")

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Business minutes from ``start`` to ``end`` (negative when ``end`` comes first)."""
        if end < start:
            return -self.minutes_between(end, start)
        total = timedelta(0)
        for opens, closes in self._intervals_from(start):
            if opens >= end:
                break
            if closes <= start:
                continue
            total += min(closes, end) - max(opens, start)
        return total / timedelta(minutes=1)


def parse_hours_text(text: str) -> dict[str, list[list[str]]]:
    """Opening hours written one rule per line, e.g. ``mon-fri 09:00-12:30, 13:30-18:00`` and
    ``sat 10:00-16:00``; days not named are closed. Checked like any calendar."""
    hours: dict[str, list[list[str]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        days, _, spans = line.strip().partition(" ")
        if not days:
            continue
        first, _, last = days.lower().partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValidationFailed(
                f"line {number}: start with a day or a range of days, e.g. 'mon-fri'",
                field="hours",
            )
        named = WEEKDAYS[WEEKDAYS.index(first) : WEEKDAYS.index(last or first) + 1]
        pairs = [span.strip().split("-") for span in spans.split(",") if span.strip()]
        if not named or not pairs or any(len(pair) != 2 for pair in pairs):
            raise ValidationFailed(
                f"line {number}: write the opening spans as 09:00-17:00, separated by commas",
                field="hours",
            )
        for day in named:
            hours[day] = [[a.strip(), b.strip()] for a, b in pairs]
    parse_hours(hours)
    return hours


def hours_text(hours: Mapping[str, Any]) -> str:
    """Stored opening hours written back one day per line."""
    return "\n".join(
        f"{day} " + ", ".join(f"{a}-{b}" for a, b in hours[day])
        for day in WEEKDAYS
        if hours.get(day)
    )
