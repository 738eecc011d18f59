"""The results kits' webhooks: what each announces, and how the worker finds each one due.

Each is found by the results app's own rule at the database's time (`irsite.clock`, which the
worker's check passes as ``now``), never re-derived here:

- ``results.live``: once `KitQuerySet.public` shows the kit (approved, and its release public),
  at `ResultsKit.public_since`: the release's go-live, or the kit's approval if that came later;
- ``results.corrected``: a document added or replaced after the kit went public, once a second
  person approved it (`results.actions.approve_document`), one per document.

A kit withdrawn with its release is announced by ``release.withdrawn``; a kit's deliveries not
yet sent when that happens are cancelled (`_withheld`). Payloads carry what the API's kit says,
without the earnings call (the event's own webhooks announce it, by its own rules).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q

from results.models import KitDocument, ResultsKit

from .registry import EventType, Occurrence, register


def _public_data(kit: ResultsKit) -> dict[str, Any]:
    release = kit.release
    assert kit.public_since is not None  # public
    return {
        "url": settings.SITE_URL + kit.get_absolute_url(),
        "fiscal_year": kit.fiscal_year,
        "period": kit.period,
        "title": kit.title,
        "period_end": kit.period_end.isoformat(),
        "published_at": kit.public_since.isoformat(),
        "release": {
            "id": str(release.uuid),
            "url": settings.SITE_URL + release.get_absolute_url(),
            "headline": release.headline,
        },
        "documents": [
            {
                "title": d.title,
                "category": d.category,
                "url": settings.SITE_URL + d.get_absolute_url(),
                "content_type": d.content_type,
                "size": d.size,
            }
            for d in kit.documents.current()
        ],
    }


def _payload(kit_id: int) -> dict[str, Any]:
    return _public_data(ResultsKit.objects.select_related("release").get(pk=kit_id))


def _live(now: datetime, since: datetime) -> list[Occurrence]:
    rows = (
        ResultsKit.objects.public(now)
        .filter(Q(release__published_at__gte=since) | Q(approved_at__gte=since))
        .select_related("release")
    )
    # `public_since` is the later of the two seconds: a kit approved long after its release
    # went live is announced at its approval, never at the release's older second.
    return [
        Occurrence(f"results.live:{k.pk}", k.public_since, k.pk)
        for k in rows
        if k.public_since and k.public_since >= since
    ]


def _corrected(now: datetime, since: datetime) -> list[Occurrence]:
    rows = KitDocument.objects.filter(
        # Approved after go-live: a correction (`prepared_at` is set only for those), current
        # or since replaced again; never a pending or rejected one.
        prepared_at__isnull=False,
        status__in=[KitDocument.Status.CURRENT, KitDocument.Status.REPLACED],
        decided_at__gte=since,
        decided_at__lte=now,
        kit__in=ResultsKit.objects.public(now),
    ).only("pk", "decided_at")
    return [
        Occurrence(f"results.corrected:{d.pk}", d.decided_at, d.pk) for d in rows if d.decided_at
    ]


def _corrected_payload(document_id: int) -> dict[str, Any]:
    document = KitDocument.objects.get(pk=document_id)
    assert document.decided_at is not None  # approved
    return _payload(document.kit_id) | {
        "corrected_at": document.decided_at.isoformat(),
        "correction_note": document.note,
        "document": {"title": document.title, "category": document.category},
        "replaced": document.replaces_id is not None,
    }


def _withheld(key: str) -> str:
    """Why a kit's event must no longer go out: its release was withdrawn since."""
    kind, _, pk = key.partition(":")
    kits = ResultsKit.objects.withdrawn()
    if kind == "results.live":
        gone = kits.filter(pk=pk).exists()
    else:
        gone = kits.filter(documents__pk=pk).exists()
    return "The kit was withdrawn with its release." if gone else ""


def register_results_events() -> None:
    register(EventType("results.live", "a results kit went live", _live, _payload, _withheld))
    register(
        EventType(
            "results.corrected",
            "a document of a live results kit was added or replaced",
            _corrected,
            _corrected_payload,
            _withheld,
        )
    )
