"""The company's fiscal year end, set once by the IR team (one row)."""

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from . import fiscal

MONTHS = [(n, date(2000, n, 1).strftime("%B")) for n in range(1, 13)]


class FiscalCalendar(models.Model):
    """One row (pk 1): the month the fiscal year ends in. A fiscal year is named by the
    calendar year it ends in (`results.models.fiscal`)."""

    year_end_month = models.PositiveSmallIntegerField(
        "fiscal year ends in",
        choices=MONTHS,
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="A year ending in June 2027 is fiscal 2027; its first quarter is July to "
        "September 2026.",
    )

    class Meta:
        verbose_name = "fiscal calendar"
        verbose_name_plural = "fiscal calendar"

    def __str__(self) -> str:
        return f"Fiscal year ends in {self.get_year_end_month_display()}"

    @classmethod
    def current(cls) -> "FiscalCalendar":
        """The stored calendar, or the default (calendar years) before one is set."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def period_of(self, day: date) -> tuple[int, int]:
        """(fiscal year, quarter) of ``day``."""
        return fiscal.fiscal_quarter_of(day, self.year_end_month)

    def span(self, fiscal_year: int, quarter: int | None) -> tuple[date, date]:
        return fiscal.quarter_span(fiscal_year, quarter, self.year_end_month)
