"""The reports desk: every write calls `reports.actions`."""

from .report import ReportAdmin, ReportAuditEntryAdmin

__all__ = ["ReportAdmin", "ReportAuditEntryAdmin"]
