"""The reports app's models: a report, its earlier files, its pending corrections, its audit
trail, and THE publication rule of reports (`ReportQuerySet.public`). Import from
``reports.models``."""

from .history import ReportAuditEntry, ReportChange, ReportVersion
from .report import FOLDER, Kind, Report, ReportQuerySet, StoredReportFile

__all__ = [
    "FOLDER",
    "Kind",
    "Report",
    "ReportAuditEntry",
    "ReportChange",
    "ReportQuerySet",
    "ReportVersion",
    "StoredReportFile",
]
