"""How times are shown to staff: every time carries its zone, because a go-live time read
without one is ambiguous by hours (and, in the repeated hour of a DST change, by one hour)."""

from datetime import datetime

from django.utils import timezone


def local_time(value: datetime | None) -> str:
    """“2003-01-24 08:00:00 EST” in the site's zone (settings.TIME_ZONE), or “—” for None."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S %Z}" if value else "—"
