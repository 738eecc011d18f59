"""Saving a report: a draft directly; a public one only as a correction a second person
approves."""

from django.db import transaction

from irsite import clock
from irsite.uploads import removed_if_failed

from ..models import Report, ReportAuditEntry, ReportChange
from .base import TransitionRefused, audit, check_complete, lock, person, require
from .corrections import prepare_change


def save_report(
    report: Report, user, *, expected_version: int | None = None, change_note: str = ""
) -> Report | ReportChange:
    """Save ``report`` as edited (its file and cover taken already, `Report.take`).

    A draft is saved (a new version, the audit entry). A public report is not changed: the
    edit becomes a `ReportChange` waiting for a second person (returned). Anything else (in
    review, scheduled, withdrawn) is frozen: refused, saying why. ``expected_version``: the
    version the editor loaded; refused if someone saved since.
    """
    with transaction.atomic(), removed_if_failed():
        creating = report.pk is None
        require(user, "add_report" if creating else "change_report", "edit reports")
        check_complete(report)
        if not creating:
            stored = Report.objects.get(pk=report.pk)
            lock(stored)
            if expected_version is not None and stored.version != expected_version:
                raise TransitionRefused(
                    f"This report was saved by {stored.content_changed_by or 'someone else'} "
                    f"while you were editing (version {expected_version}, now "
                    f"{stored.version}). Your changes are still on screen, but were not saved."
                )
            if stored.state == Report.State.LIVE:
                return prepare_change(report, user, stored, change_note)
            if stored.status != Report.Status.DRAFT:
                raise TransitionRefused(
                    f"The report is {stored.state_label.lower()}: take it back to draft to edit it."
                )
            report.status, report.version = stored.status, stored.version + 1
        report.content_changed_at = clock.now()
        report.content_changed_by = person(user)
        report.save()
        action = ReportAuditEntry.Action.CREATED if creating else ReportAuditEntry.Action.EDITED
        audit(user, action, report, f"version {report.version}")
        return report
