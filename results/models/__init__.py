"""The results app's models: the fiscal calendar, kits and their documents, THE publication
rule of kits (`querysets`). Import from ``results.models``."""

from .calendar import FiscalCalendar
from .documents import Category, DocumentStatus, KitDocument
from .history import KitAuditEntry
from .kit import KitStatus, Period, ResultsKit
from .querysets import KitQuerySet

__all__ = [
    "Category",
    "DocumentStatus",
    "FiscalCalendar",
    "KitAuditEntry",
    "KitDocument",
    "KitQuerySet",
    "KitStatus",
    "Period",
    "ResultsKit",
]
