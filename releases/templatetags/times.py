"""Times shown to people, always with their zone (`releases.times`), as template filters."""

from django import template

from ..times import (
    READER_DATE,
    READER_TIME,
    machine_time,
    reader_date,
    reader_datetime,
    zoned,
)

register = template.Library()
register.filter("zoned", zoned)
register.filter("reader_datetime", reader_datetime)
register.filter("reader_date", reader_date)
register.filter("machine_time", machine_time)

__all__ = [
    "READER_DATE",
    "READER_TIME",
    "machine_time",
    "reader_date",
    "reader_datetime",
    "zoned",
]
