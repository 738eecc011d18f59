"""How the release desk words a release's place in time."""

from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import ngettext

from irsite import clock
from irsite.times import local_time

from ..models import Release

__all__ = ["go_live_in_words", "local_time"]


def go_live_in_words(release: Release) -> str:
    """What follows “The release …”: “goes live 2003-01-24 08:00:00 EST, in 3 hours”,
    “has been public since …”, “is not scheduled; its publication time reads …”."""
    if release.withdrawn_at:
        return f"was withdrawn on {local_time(release.withdrawn_at)}"
    if not release.published_at:
        return "has no publication time yet"
    at = timezone.localtime(release.published_at)
    when = local_time(at)  # the one format of the staff's screens
    if release.state == Release.State.SCHEDULED:
        return f"goes live {when}, in {_until(at)}"
    if release.state == Release.State.LIVE:
        return f"has been public since {when} ({timesince(at)} ago)"
    return f"is not scheduled; its publication time reads {when}"


def _until(at) -> str:
    """Django's `timeuntil`, which says "0 minutes" for anything under a minute; the desk
    schedules releases seconds ahead, so those are counted in seconds."""
    seconds = int((at - clock.now()).total_seconds())
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": max(seconds, 0)}
    return timeuntil(at)
