"""Publication times: the range irsite accepts, and how it words a time for staff.

A release's publication time is a legal fact stated to the second in the company's zone
(settings.TIME_ZONE). Outside a sane range a typo (year 0001 or 9999) breaks every page that
sorts or prints it (year 9999 in New York is year 10000 in UTC, which no database stores), so
times are refused outside [1990-01-01, ten years from now]: EDGAR's electronic filings start in
the 1990s, and no issuer schedules a release a decade ahead.
"""

from datetime import datetime, time

from django.utils import dateformat, timezone

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


# --- how times are worded: always with their zone ---------------------------------------------
# Django's own ``date`` filter prints no zone ("T" is empty) for a time in the repeated hour of a
# DST change, exactly where 01:30 EDT and 01:30 EST must be told apart; these take the zone's
# name from the aware time itself, which knows which occurrence it is.


def zoned(value: datetime | None, format_string: str = "Y-m-d H:i:s") -> str:
    """``value`` in the company's zone as Django's ``date`` format, then its zone: “2026-11-01
    01:30:00 EST”. "" for no value."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{dateformat.format(local, format_string)} {local.tzname()}"


# Readers (public pages, the withdrawn notice, alert e-mails) see AP style, minutes always shown;
# editors' screens keep `zoned`'s default, the admin's "2003-01-24 08:00:00 EST".
READER_DATE = "F j, Y"
READER_TIME = "F j, Y, g:i a"


def reader_datetime(value: datetime | None) -> str:
    """The one format readers see a time in: "January 24, 2003, 8:00 a.m. EST"; "" for none."""
    return zoned(value, READER_TIME)


def reader_date(value: datetime | None) -> str:
    """A reader's date alone, for lists where the time would crowd the headline: "January 24,
    2003" in the company's zone; "" for none."""
    return dateformat.format(timezone.localtime(value), READER_DATE) if value else ""


def machine_time(value: datetime | None) -> str:
    """A ``<time datetime>`` value: the company's zone, to the second (a stored time carries
    microseconds, which HTML's valid date strings allow only as a fraction the Nu checker
    flags beyond three digits): "2003-01-24T08:00:00-05:00"; "" for none."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
