from .kit import FiscalCalendarAdmin, KitAuditEntryAdmin, ResultsKitAdmin

__all__ = ["FiscalCalendarAdmin", "KitAuditEntryAdmin", "ResultsKitAdmin"]
