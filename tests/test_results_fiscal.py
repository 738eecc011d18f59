"""The fiscal calendar (issue 26): which fiscal year and quarter a day lies in, for a year
ending in any month; hypothesis tries every day and every year-end."""

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from results.models.fiscal import (
    fiscal_quarter_of,
    fiscal_year_of,
    quarter_span,
    reported_quarter,
)

days = st.dates(min_value=date(1901, 1, 1), max_value=date(2998, 12, 31))
months = st.integers(min_value=1, max_value=12)


@pytest.mark.parametrize(
    ("day", "year_end", "expected"),
    [
        # A June year-end: FY2027 Q1 lies in calendar 2026.
        (date(2026, 7, 1), 6, (2027, 1)),
        (date(2026, 9, 30), 6, (2027, 1)),
        (date(2026, 10, 1), 6, (2027, 2)),
        (date(2027, 6, 30), 6, (2027, 4)),
        (date(2027, 7, 1), 6, (2028, 1)),
        # Calendar years.
        (date(2026, 1, 1), 12, (2026, 1)),
        (date(2026, 12, 31), 12, (2026, 4)),
        # A January year-end (retailers): February starts the year.
        (date(2026, 1, 31), 1, (2026, 4)),
        (date(2026, 2, 1), 1, (2027, 1)),
        # A leap day.
        (date(2028, 2, 29), 3, (2028, 4)),
    ],
)
def test_the_fiscal_period_of_a_day(day, year_end, expected):
    assert fiscal_quarter_of(day, year_end) == expected


def test_a_quarters_span_in_a_june_year():
    assert quarter_span(2027, 1, 6) == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_span(2027, None, 6) == (date(2026, 7, 1), date(2027, 6, 30))
    assert quarter_span(2028, 4, 3) == (date(2028, 1, 1), date(2028, 3, 31))


@given(days, months)
def test_every_day_lies_in_the_span_of_its_own_quarter_and_year(day, year_end):
    fiscal_year, quarter = fiscal_quarter_of(day, year_end)
    first, last = quarter_span(fiscal_year, quarter, year_end)
    assert first <= day <= last
    year_first, year_last = quarter_span(fiscal_year, None, year_end)
    assert year_first <= day <= year_last
    # The year ends in its named calendar year, in the year-end month.
    assert (year_last.year, year_last.month) == (fiscal_year, year_end)
    assert fiscal_year_of(day, year_end) == fiscal_year


@given(st.integers(min_value=1901, max_value=2997), months)
def test_the_four_quarters_tile_the_year_without_gap_or_overlap(fiscal_year, year_end):
    spans = [quarter_span(fiscal_year, q, year_end) for q in (1, 2, 3, 4)]
    assert spans[0][0] == quarter_span(fiscal_year, None, year_end)[0]
    assert spans[3][1] == quarter_span(fiscal_year, None, year_end)[1]
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start == end + timedelta(days=1)
    assert quarter_span(fiscal_year + 1, 1, year_end)[0] == spans[3][1] + timedelta(days=1)


@given(days, months)
def test_results_published_on_a_day_report_the_quarter_before_it(day, year_end):
    fiscal_year, quarter = reported_quarter(day, year_end)
    _, last = quarter_span(fiscal_year, quarter, year_end)
    assert last < day
    assert fiscal_quarter_of(last + timedelta(days=1), year_end) == fiscal_quarter_of(day, year_end)


@pytest.mark.parametrize("month", [0, 13, -1])
def test_a_year_end_outside_the_twelve_months_is_refused(month):
    with pytest.raises(ValueError, match="month"):
        fiscal_quarter_of(date(2026, 1, 1), month)
