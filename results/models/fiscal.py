"""The company's fiscal calendar: which fiscal year and quarter a day falls in.

A fiscal year is named by the calendar year in which it ends (a year ending in June 2027 is
FY2027, so its Q1 is July to September 2026). Quarters are three calendar months each, counted
from the month after the year-end month. 52/53-week calendars are not modelled.

Plain functions of a date and the year-end month (no database), so hypothesis can try them on
any day (tests/test_results_fiscal.py).
"""

import calendar
from datetime import date

QUARTERS = (1, 2, 3, 4)


def _check_month(year_end_month: int) -> None:
    if not 1 <= year_end_month <= 12:
        raise ValueError(f"A fiscal year ends in a month 1-12, not {year_end_month}.")


def fiscal_year_of(day: date, year_end_month: int) -> int:
    """The fiscal year ``day`` lies in."""
    _check_month(year_end_month)
    return day.year if day.month <= year_end_month else day.year + 1


def fiscal_quarter_of(day: date, year_end_month: int) -> tuple[int, int]:
    """(fiscal year, quarter 1-4) of ``day``."""
    _check_month(year_end_month)
    months_in = (day.month - year_end_month - 1) % 12
    return fiscal_year_of(day, year_end_month), months_in // 3 + 1


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def quarter_span(fiscal_year: int, quarter: int | None, year_end_month: int) -> tuple[date, date]:
    """The first and last day of ``quarter`` of ``fiscal_year`` (None: the whole year)."""
    _check_month(year_end_month)
    if quarter is not None and quarter not in QUARTERS:
        raise ValueError(f"A quarter is 1-4, not {quarter}.")
    # The year's first month: the month after the previous year's end.
    first_year, first_month = _add_months(fiscal_year - 1, year_end_month, 1)
    start_offset, length = ((quarter - 1) * 3, 3) if quarter else (0, 12)
    sy, sm = _add_months(first_year, first_month, start_offset)
    ey, em = _add_months(sy, sm, length - 1)
    return date(sy, sm, 1), date(ey, em, calendar.monthrange(ey, em)[1])


def reported_quarter(day: date, year_end_month: int) -> tuple[int, int]:
    """The quarter most recently ended on ``day``: what results published that day report."""
    fiscal_year, quarter = fiscal_quarter_of(day, year_end_month)
    if quarter > 1:
        return fiscal_year, quarter - 1
    return fiscal_year - 1, 4
