"""The release events: what each announces, and how the worker finds each one due.

Each is found by the publication rule at the database's time, never ahead of it: a release is
``live`` once `ReleaseQuerySet.public` shows it (so never before its second), ``corrected`` when
a correction of a public release is recorded, ``withdrawn`` when a once-public release is
withdrawn. Payloads carry only what the public page shows.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F

from releases.models import Correction, Release

from .registry import EventType, Occurrence, register


def _release_url(release: Release) -> str:
    return settings.SITE_URL + release.get_absolute_url()


def _live(now: datetime, since: datetime) -> list[Occurrence]:
    rows = Release.objects.public(now).filter(published_at__gte=since).only("pk", "published_at")
    return [
        Occurrence(f"release.live:{r.pk}", r.published_at, r.pk) for r in rows if r.published_at
    ]


def _live_payload(release_id: int) -> dict[str, Any]:
    release = Release.objects.get(pk=release_id)
    assert release.published_at is not None  # public
    return {
        "id": str(release.uuid),
        "url": _release_url(release),
        "headline": release.headline,
        "subheadline": release.subheadline,
        "published_at": release.published_at.isoformat(),
        "categories": [{"slug": c.slug, "name": c.name} for c in release.categories.all()],
    }


def _corrected(now: datetime, since: datetime) -> list[Occurrence]:
    rows = Correction.objects.filter(
        corrected_at__gte=since,
        corrected_at__lte=now,
        release__in=Release.objects.public(now),
    ).only("pk", "corrected_at")
    return [Occurrence(f"release.corrected:{c.pk}", c.corrected_at, c.pk) for c in rows]


def _corrected_payload(correction_id: int) -> dict[str, Any]:
    correction = Correction.objects.select_related("release").get(pk=correction_id)
    return _live_payload(correction.release_id) | {
        "corrected_at": correction.corrected_at.isoformat(),
        "correction_note": correction.note,
    }


def _withdrawn(now: datetime, since: datetime) -> list[Occurrence]:
    rows = (
        Release.objects.withdrawn(now)
        # Public when withdrawn: a release never seen is never announced, even as gone.
        .filter(withdrawn_at__gte=since, withdrawn_at__lte=now, published_at__lte=F("withdrawn_at"))
        .only("pk", "withdrawn_at")
    )
    return [
        Occurrence(f"release.withdrawn:{r.pk}", r.withdrawn_at, r.pk)
        for r in rows
        if r.withdrawn_at
    ]


def _withdrawn_payload(release_id: int) -> dict[str, Any]:
    release = Release.objects.get(pk=release_id)
    assert release.withdrawn_at is not None
    # What its URL answers now (410 Gone with the reason); the headline it had was public.
    return {
        "id": str(release.uuid),
        "url": _release_url(release),
        "headline": release.headline,
        "withdrawn_at": release.withdrawn_at.isoformat(),
        "reason": release.withdrawal_reason,
    }


def _withheld(key: str) -> str:
    """Why a release's live or corrected event must no longer go out: withdrawn since (its
    `release.withdrawn` follows; a retry of the older news after it would contradict it), as
    alerts cancel what is pending at a withdrawal."""
    kind, _, pk = key.partition(":")
    withdrawn = Release.objects.filter(status=Release.Status.WITHDRAWN)
    if kind == "release.live":
        gone = withdrawn.filter(pk=pk).exists()
    else:
        gone = withdrawn.filter(corrections__pk=pk).exists()
    return "The release was withdrawn." if gone else ""


def register_release_events() -> None:
    register(EventType("release.live", "a release went live", _live, _live_payload, _withheld))
    register(
        EventType(
            "release.corrected",
            "a live release was corrected",
            _corrected,
            _corrected_payload,
            _withheld,
        )
    )
    register(
        EventType(
            "release.withdrawn", "a live release was withdrawn", _withdrawn, _withdrawn_payload
        )
    )
