"""The reports library's webhooks: what each announces, and how the worker finds each one due.

Each is found by the reports app's own rule at the database's time (`irsite.clock`, which the
worker's check passes as ``now``), never re-derived here:

- ``report.live``: once `ReportQuerySet.public` shows the report, at its ``published_at``;
- ``report.corrected``: an approved correction (`ReportChange`) of a public report, one each;
- ``report.withdrawn``: once `ReportQuerySet.withdrawn` shows it (it was public, so it may be
  named), at the second its withdrawal was recorded in the reports' audit trail (the model has
  no column of its own for it).

A withdrawn report's deliveries not yet sent are cancelled (`_withheld`): after the withdrawal
nothing announces it as live or corrected. Payloads carry what the API's report item says.
"""

from datetime import datetime
from typing import Any

from django.conf import settings

from reports.models import Report, ReportAuditEntry, ReportChange

from .registry import EventType, Occurrence, register


def _public_data(report: Report) -> dict[str, Any]:
    assert report.published_at is not None  # public
    return {
        "id": str(report.uuid),
        "url": settings.SITE_URL + report.get_absolute_url(),
        "title": report.title,
        "kind": report.kind,
        "fiscal_year": report.fiscal_year,
        "description": report.description,
        "file_url": settings.SITE_URL + report.get_file_url(),
        "content_type": report.content_type,
        "size": report.size,
        "cover_url": settings.SITE_URL + report.get_cover_url() if report.cover else None,
        "published_at": report.published_at.isoformat(),
    }


def _payload(report_id: int) -> dict[str, Any]:
    return _public_data(Report.objects.get(pk=report_id))


def _live(now: datetime, since: datetime) -> list[Occurrence]:
    rows = Report.objects.public(now).filter(published_at__gte=since).only("pk", "published_at")
    return [Occurrence(f"report.live:{r.pk}", r.published_at, r.pk) for r in rows if r.published_at]


def _corrected(now: datetime, since: datetime) -> list[Occurrence]:
    rows = ReportChange.objects.filter(
        status=ReportChange.Status.APPROVED,
        decided_at__gte=since,
        decided_at__lte=now,
        report__in=Report.objects.public(now),
    ).only("pk", "decided_at")
    return [
        Occurrence(f"report.corrected:{c.pk}", c.decided_at, c.pk) for c in rows if c.decided_at
    ]


def _corrected_payload(change_id: int) -> dict[str, Any]:
    change = ReportChange.objects.get(pk=change_id)
    assert change.decided_at is not None  # approved
    return _payload(change.report_id) | {
        "corrected_at": change.decided_at.isoformat(),
        "correction_note": change.note,
    }


def _withdrawn(now: datetime, since: datetime) -> list[Occurrence]:
    rows = ReportAuditEntry.objects.filter(
        action=ReportAuditEntry.Action.WITHDRAWN,
        at__gte=since,
        at__lte=now,
        report__in=Report.objects.withdrawn(now),
    ).only("pk", "at", "report_id")
    return [Occurrence(f"report.withdrawn:{e.report_id}", e.at, e.report_id) for e in rows]


def _withdrawn_payload(report_id: int) -> dict[str, Any]:
    report = Report.objects.get(pk=report_id)
    entry = report.audit_entries.filter(action=ReportAuditEntry.Action.WITHDRAWN).latest("at")
    # What its file URL answers now (410 Gone); the title it had was public.
    return {
        "id": str(report.uuid),
        "url": settings.SITE_URL + report.get_absolute_url(),
        "title": report.title,
        "withdrawn_at": entry.at.isoformat(),
        "reason": entry.detail,
    }


def _withheld(key: str) -> str:
    """Why a report's live or corrected event must no longer go out: withdrawn since."""
    kind, _, pk = key.partition(":")
    reports = Report.objects.filter(status=Report.Status.WITHDRAWN)
    if kind == "report.live":
        gone = reports.filter(pk=pk).exists()
    else:
        gone = reports.filter(changes__pk=pk).exists()
    return "The report was withdrawn." if gone else ""


def register_report_events() -> None:
    register(EventType("report.live", "a report went live", _live, _payload, _withheld))
    register(
        EventType(
            "report.corrected",
            "a live report was corrected",
            _corrected,
            _corrected_payload,
            _withheld,
        )
    )
    register(
        EventType("report.withdrawn", "a live report was withdrawn", _withdrawn, _withdrawn_payload)
    )
