"""Publication times: the range irsite accepts, and how it words a time for staff.

A release's publication time is a legal fact stated to the second in the company's zone
(settings.TIME_ZONE). Outside a sane range a typo (year 0001 or 9999) breaks every page that
sorts or prints it (year 9999 in New York is year 10000 in UTC, which no database stores), so
times are refused outside [1990-01-01, ten years from now]: EDGAR's electronic filings start in
the 1990s, and no issuer schedules a release a decade ahead.
"""

from datetime import datetime, time

from django.utils import timezone

EARLIEST_YEAR = 1990
YEARS_AHEAD = 10


def publication_range(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The earliest and latest publication times accepted at ``now``, in the company's zone."""
    now = timezone.localtime(now or timezone.now())
    zone = timezone.get_current_timezone()
    earliest = datetime.combine(now.date().replace(year=EARLIEST_YEAR, month=1, day=1), time())
    try:
        latest = now.replace(year=now.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = now.replace(year=now.year + YEARS_AHEAD, day=28)
    return earliest.replace(tzinfo=zone), latest


def publication_time_problem(value: datetime | None, now: datetime | None = None) -> str:
    """Why ``value`` cannot be a publication time, or "" if it can."""
    if value is None:
        return ""
    if timezone.is_naive(value):
        return "The publication time needs a time zone."
    earliest, latest = publication_range(now)
    if not earliest <= value <= latest:
        return (
            f"A publication time must be between {earliest:%Y-%m-%d} and {latest:%Y-%m-%d} "
            f"(ten years ahead); {value:%Y-%m-%d %H:%M:%S} is outside."
        )
    return ""
