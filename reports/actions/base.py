"""What every report action shares: the releases' refusal and actor types (reused), the
reports' audit trail, permission and row-lock checks, and the four-eyes rule."""

from django.conf import settings

from releases.actions import SystemActor, TransitionRefused

from ..models import Report, ReportAuditEntry

__all__ = ["SystemActor", "TransitionRefused"]


def person(user):
    """The user to store in a foreign key: a signed-in person, or nobody for a command."""
    return user if getattr(user, "is_authenticated", False) else None


def audit(user, action: str, report: Report | None = None, detail: str = "") -> ReportAuditEntry:
    return ReportAuditEntry.objects.create(
        user=person(user),
        username=getattr(user, "username", "") or "",
        action=action,
        report=report,
        report_title=report.title[:300] if report else "",
        detail=detail,
    )


def require(user, perm: str, doing: str) -> None:
    if not user.has_perm(f"reports.{perm}"):
        raise TransitionRefused(f"You do not have permission to {doing}.")


def lock(report: Report) -> None:
    """Re-read the row under a lock, so two people acting at once act one after the other."""
    report.refresh_from_db(from_queryset=Report.objects.select_for_update())


def check_complete(report: Report) -> None:
    """Refuse a report without the file readers download (the admin's form asks first)."""
    if not report.file:
        raise TransitionRefused("Upload the report's PDF.", field="upload")
    if report.content_type and report.content_type != "application/pdf":
        raise TransitionRefused("A report is one PDF file.", field="upload")


def four_eyes(user, other_id: int | None, what: str) -> None:
    """Refuse ``user`` acting on their own work: ``other_id`` made it."""
    if settings.IRSITE_FOUR_EYES and user.pk is not None and user.pk == other_id:
        raise TransitionRefused(f"Four-eyes rule: you {what}, so someone else must approve it.")
