"""Corrections of a public report (a replaced file, a new cover or title): prepared by anyone
who may edit, made public by a second person who may correct reports. The replaced file is
kept (`ReportVersion`, still served while the report is public) and the list says "Updated on
…" from the approval on."""

from django.db import transaction

from irsite import clock

from ..models import Report, ReportAuditEntry, ReportChange, ReportVersion
from .base import TransitionRefused, audit, check_complete, four_eyes, lock, person, require
from .golive import public_report_changed

# What a correction never moves: the publication second, which has passed.
FIXED_ON_PUBLIC = ("published_at",)


def prepare_change(report: Report, user, stored: Report, note: str) -> ReportChange:
    """In `save_report`'s transaction, with ``stored`` locked and public: record the edit of
    ``report`` as a change waiting for a second person; nothing public changes."""
    note = note.strip()
    if not note:
        raise TransitionRefused(
            "Say what changes and why (readers see it beside the report).", field="change_note"
        )
    for name in FIXED_ON_PUBLIC:
        if getattr(report, name) != getattr(stored, name):
            raise TransitionRefused(
                "The publication time of a public report cannot change.", field=name
            )
    check_complete(report)
    # The same bytes uploaded again are no new file (nor a new stored copy).
    if report.sha256 == stored.sha256:
        for name, value in stored.file_columns().items():
            setattr(report, name, value)
    if report.cover_sha256 == stored.cover_sha256:
        for name, value in stored.cover_columns().items():
            setattr(report, name, value)
    # Written as the admin writes it inside a savepoint that is rolled back: the new file is
    # stored (the change names it, no URL serves it) and its snapshot kept; no row changes.
    savepoint = transaction.savepoint()
    try:
        report.save()
        proposed = report.snapshot()
    finally:
        transaction.savepoint_rollback(savepoint)
    if proposed == stored.snapshot():
        raise TransitionRefused("Nothing changed: there is no correction to approve.")
    now = clock.now()
    stored.changes.filter(status=ReportChange.Status.PENDING).update(
        status=ReportChange.Status.SUPERSEDED, decided_at=now
    )
    change = ReportChange.objects.create(
        report=stored,
        base_version=stored.version,
        data=proposed,
        note=note,
        prepared_at=now,
        prepared_by=person(user),
        prepared_by_name=getattr(user, "username", "") or "",
    )
    audit(user, ReportAuditEntry.Action.CHANGE_PREPARED, stored, note)
    return change


@transaction.atomic
def approve_change(change: ReportChange, user, *, version: int | None = None) -> None:
    """A second person makes a prepared correction public.

    Refused (nothing changes) unless ``user`` may correct reports, did not prepare it, the
    change still waits, and the report is public and unchanged since the change was prepared
    (and since ``version``, the one the approver saw).
    """
    require(user, "correct_report", "approve corrections of public reports")
    report = change.report
    lock(report)
    change.refresh_from_db(from_queryset=ReportChange.objects.select_for_update())
    if change.status != ReportChange.Status.PENDING:
        raise TransitionRefused(f"This correction is {change.get_status_display().lower()}.")
    if report.state != Report.State.LIVE:
        raise TransitionRefused(f"The report is {report.state_label.lower()}, not public.")
    if report.version != change.base_version or (version is not None and version != report.version):
        raise TransitionRefused(
            "The report changed since this correction was prepared; prepare it again."
        )
    four_eyes(user, change.prepared_by_id, "prepared this correction")
    now = clock.now()
    data = change.data
    if data["file"] != report.file.name:
        # The replaced file stays: its row and its stored bytes, at its own URL.
        ReportVersion.objects.create(
            report=report, title=report.title, replaced_at=now, note=change.note,
            **report.file_columns(),
        )  # fmt: skip
    for name, value in data.items():
        setattr(report, name, value)
    check_complete(report)
    report.version += 1
    report.corrected_at = now
    report.content_changed_at, report.content_changed_by = now, change.prepared_by
    report.save()
    change.status = ReportChange.Status.APPROVED
    change.decided_at, change.decided_by = now, person(user)
    change.save(update_fields=["status", "decided_at", "decided_by"])
    public_report_changed(report)
    audit(user, ReportAuditEntry.Action.CORRECTED, report, change.note)


@transaction.atomic
def reject_change(change: ReportChange, user, reason: str) -> None:
    """An approver turns a prepared correction down; the report stays as it is."""
    require(user, "correct_report", "reject corrections of public reports")
    change.refresh_from_db(from_queryset=ReportChange.objects.select_for_update())
    if change.status != ReportChange.Status.PENDING:
        raise TransitionRefused(f"This correction is {change.get_status_display().lower()}.")
    if not reason.strip():
        raise TransitionRefused("Say why the correction is rejected.")
    change.status = ReportChange.Status.REJECTED
    change.decided_at, change.decided_by = clock.now(), person(user)
    change.save(update_fields=["status", "decided_at", "decided_by"])
    audit(user, ReportAuditEntry.Action.CHANGE_REJECTED, change.report, reason.strip())
