"""What an event's fields accept: IANA zone names, and outbound http(s) URLs only."""

import urllib.parse
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from irsite import outbound


@cache
def zone_names() -> frozenset[str]:
    """The IANA zone names this Python knows (the system's tzdata or the tzdata package)."""
    return frozenset(zoneinfo.available_timezones())


def validate_zone(name: str) -> None:
    if name not in zone_names():
        raise ValidationError(
            "“%(name)s” is not an IANA time zone name (e.g. America/New_York, Europe/London).",
            code="zone",
            params={"name": name[:60]},
        )


_http = URLValidator(schemes=["http", "https"])


def validate_outbound_url(url: str) -> None:
    """An address readers are sent to: http or https only (never ``javascript:``, ``data:``
    or ``file:``), and not a private, loopback or link-local host (a link into the company's
    own network, or the reader's, is a mistake or an attack)."""
    _http(url)
    # Not resolved: the site never calls it, and a reader's resolver may answer otherwise.
    try:
        outbound.refuse_local_host(urllib.parse.urlsplit(url).hostname or "")
    except outbound.AddressRefused as refused:
        raise ValidationError(
            "This address is not on the public internet.", code="private"
        ) from refused
