"""SLA deadlines on business time: which policy applies, when each clock runs out, pauses.

Deadlines are stored, not recomputed on read, so queues sort by them and the timer finds what
is due with one indexed query. The resolution deadline is ``created_at`` plus the target plus
every business minute the case spent paused (waiting on the customer, or solved before a
reopen): recomputing it from those three numbers gives the same answer after a restart, a
transfer or a change of priority.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cxloop.cases.calendar import Calendar
from cxloop.cases.models import BusinessCalendar, Case, SlaPolicy

_calendars: dict[tuple[int | None, datetime | None, str], Calendar] = {}


def calendar_among(
    rows: Mapping[int | None, BusinessCalendar], department_id: int | None, default_timezone: str
) -> Calendar:
    """The department's calendar, else the company's, else weekdays 9 to 5 in the default
    time zone, from the calendar rows keyed by department (None: the company's), read once
    by the caller. Built calendars are cached until their row changes."""
    row = rows.get(department_id) if department_id is not None else None
    if row is None:
        row = rows.get(None)
    key = (row.id, row.updated_at, "") if row is not None else (None, None, default_timezone)
    calendar = _calendars.get(key)
    if calendar is None:
        calendar = (
            Calendar.build(
                timezone=row.timezone,
                hours=row.hours or None,
                holiday_country=row.holiday_country,
                holiday_subdivision=row.holiday_subdivision,
                closed_dates=row.closed_dates,
            )
            if row is not None
            else Calendar.build(timezone=default_timezone)
        )
        if len(_calendars) > 64:
            _calendars.clear()
        _calendars[key] = calendar
    return calendar


def set_deadlines(case: Case, policy: SlaPolicy | None, calendar: Calendar) -> None:
    """Deadlines from the policy; a case without a policy has none (and never breaches)."""
    case.sla_policy_id = policy.id if policy is not None else None
    if policy is None:
        case.first_response_due = case.resolution_due = None
        return
    case.first_response_due = calendar.add(case.created_at, policy.first_response_minutes)
    case.resolution_due = calendar.add(
        case.created_at, policy.resolution_minutes + (case.paused_minutes or 0.0)
    )


def pause(case: Case, now: datetime) -> None:
    if case.paused_at is None:
        case.paused_at = now


def resume(case: Case, policy: SlaPolicy | None, calendar: Calendar, now: datetime) -> None:
    """Count the business time the clock stood still and push the resolution deadline by it."""
    if case.paused_at is None:
        return
    case.paused_minutes += max(calendar.minutes_between(case.paused_at, now), 0.0)
    case.paused_at = None
    set_deadlines(case, policy, calendar)


def first_response_minutes(case: Case, calendar: Calendar) -> int | None:
    """Business minutes from opening to the first answer (that clock never pauses)."""
    if case.first_responded_at is None:
        return None
    return round(calendar.minutes_between(case.created_at, case.first_responded_at))


def resolution_minutes(case: Case, calendar: Calendar) -> int | None:
    """Business minutes the resolution clock ran before the solve stopped it: from opening to
    the moment it stood still (a case waiting on the customer stopped then) less every earlier
    pause, so it is measured exactly as the resolution deadline is."""
    if case.solved_at is None:
        return None
    stopped = case.paused_at or case.solved_at
    return round(calendar.minutes_between(case.created_at, stopped) - case.paused_minutes)
