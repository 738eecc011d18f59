"""The one way readers see a time: "January 24, 2003, 8:00 a.m. EST", in the company's zone.

Every public page, preview and alert e-mail prints times through these filters, so a reader
never meets two formats (AP style: "a.m."/"p.m.", minutes always shown, zone abbreviated).
"""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()

READER_DATE = "F j, Y"
READER_DATETIME = "F j, Y, g:i a T"


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def reader_datetime(value: datetime | None) -> str:
    """`{{ release.published_at|reader_datetime }}` → "January 24, 2003, 8:00 a.m. EST" in
    the current time zone (settings.TIME_ZONE, the company's); "" for None."""
    return date_format(_local(value), READER_DATETIME) if value else ""


@register.filter
def reader_date(value: datetime | None) -> str:
    """`{{ release.published_at|reader_date }}` → "January 24, 2003" (lists, where the time
    would crowd the headline); "" for None."""
    return date_format(_local(value), READER_DATE) if value else ""
