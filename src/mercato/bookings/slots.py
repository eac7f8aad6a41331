"""Pure slot arithmetic: which start times a working day offers and which 15-minute units a
booking occupies. No database here, so the rules are easy to test for all inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UNIT_MINUTES = 15  # the grain of slot claims: every booking occupies whole units
STEP_MINUTES = 30  # customers are offered a start every half hour
MIN_NOTICE = timedelta(hours=2)  # a technician needs time to get there
CUSTOMER_CANCEL_CUTOFF = timedelta(hours=24)  # after this a customer calls the shop instead
HORIZON_DAYS = 45  # how far ahead bookings are taken


def local_midnight(day: date, timezone: str) -> datetime:
    """The store-time midnight that starts ``day``, as aware UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def candidate_starts(
    day: date, timezone: str, start_minute: int, end_minute: int, duration_minutes: int
) -> list[datetime]:
    """Starts every STEP_MINUTES from the start of the working hours such that the job
    itself (not its buffer) ends within them. Computed in local wall time, then UTC."""
    zone = ZoneInfo(timezone)
    first = -(-start_minute // STEP_MINUTES) * STEP_MINUTES  # round up to the step
    starts = []
    for minute in range(first, end_minute - duration_minutes + 1, STEP_MINUTES):
        local = datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=minute)
        starts.append(local.astimezone(UTC))
    return starts


def occupied_units(start: datetime, duration_minutes: int, buffer_minutes: int) -> list[datetime]:
    """The UNIT_MINUTES units from ``start`` (floored) until the job and its buffer end
    (ceiled). Two bookings of one technician overlap exactly when these sets intersect."""
    start = start.astimezone(UTC).replace(second=0, microsecond=0)
    floored = start - timedelta(minutes=start.minute % UNIT_MINUTES)
    end = start + timedelta(minutes=duration_minutes + buffer_minutes)
    units = []
    cursor = floored
    while cursor < end:
        units.append(cursor)
        cursor += timedelta(minutes=UNIT_MINUTES)
    return units


def format_minutes(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_hhmm(text: str) -> int:
    """ "08:30" → 510; raises ValueError on anything else."""
    hours, _, minutes = text.strip().partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not (0 <= int(minutes or 0) < 60 and 0 <= value <= 1440):
        raise ValueError(text)
    return value
