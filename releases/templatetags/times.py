"""Times shown to people, always with their zone.

Django's own ``date`` filter prints no zone ("T" is empty) for a time in the repeated hour of a
DST change, exactly where 01:30 EDT and 01:30 EST must be told apart; these filters take the
zone's name from the aware time itself, which knows which occurrence it is.
"""

from datetime import datetime

from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.filter
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


@register.filter
def reader_datetime(value: datetime | None) -> str:
    """The one format readers see a time in: "January 24, 2003, 8:00 a.m. EST"; "" for none."""
    return zoned(value, READER_TIME)


@register.filter
def reader_date(value: datetime | None) -> str:
    """A reader's date alone, for lists where the time would crowd the headline: "January 24,
    2003" in the company's zone; "" for none."""
    return dateformat.format(timezone.localtime(value), READER_DATE) if value else ""
