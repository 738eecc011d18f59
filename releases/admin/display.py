"""How the release desk words a release's place in time."""

from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from irsite.times import local_time

from ..models import Release

__all__ = ["go_live_in_words", "local_time"]


def go_live_in_words(release: Release) -> str:
    """“goes live Fri 24 Jan 2003 08:00:00 EST, in 3 hours”, or when it went live."""
    if not release.published_at:
        return "no publication time set"
    at = timezone.localtime(release.published_at)
    when = f"{at:%a %d %b %Y %H:%M:%S %Z}"
    if at > timezone.now():
        return f"goes live {when}, in {timeuntil(at)}"
    return f"live since {when}, {timesince(at)} ago"
