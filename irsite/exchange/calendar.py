"""The U.S. equity exchanges' trading calendar (NYSE and Nasdaq share it): holidays, early
closes at 1:00 p.m. and the exchanges' special closures, in New York time.

The regular holidays and early closes follow the exchanges' published rules (a Saturday holiday
is observed the Friday before, except New Year's Day; a Sunday one the Monday after; Juneteenth
from 2022); the closures no rule predicts (national days of mourning, storms) are listed as data
below, with their reason. Dates before 1990 are not described.
"""

from datetime import date, time, timedelta
from functools import cache

REGULAR_CLOSE = time(16, 0)
EARLY_CLOSE = time(13, 0)

# Closures no rule predicts: the exchanges announced each.
SPECIAL_CLOSURES: dict[date, str] = {
    date(1994, 4, 27): "National Day of Mourning for President Nixon",
    date(2001, 9, 11): "Attacks of September 11",
    date(2001, 9, 12): "Attacks of September 11",
    date(2001, 9, 13): "Attacks of September 11",
    date(2001, 9, 14): "Attacks of September 11",
    date(2004, 6, 11): "National Day of Mourning for President Reagan",
    date(2007, 1, 2): "National Day of Mourning for President Ford",
    date(2012, 10, 29): "Hurricane Sandy",
    date(2012, 10, 30): "Hurricane Sandy",
    date(2018, 12, 5): "National Day of Mourning for President George H. W. Bush",
    date(2025, 1, 9): "National Day of Mourning for President Carter",
}


def easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (0 = Monday) of the month; ``n = -1``: the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@cache
def holidays(year: int) -> dict[date, str]:
    found = {
        _nth_weekday(year, 1, 0, 3): "Martin Luther King, Jr. Day",
        _nth_weekday(year, 2, 0, 3): "Washington's Birthday",
        easter(year) - timedelta(days=2): "Good Friday",
        _nth_weekday(year, 5, 0, -1): "Memorial Day",
        _observed(date(year, 7, 4)): "Independence Day",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        _nth_weekday(year, 11, 3, 4): "Thanksgiving Day",
        _observed(date(year, 12, 25)): "Christmas Day",
    }
    new_year = date(year, 1, 1)
    if new_year.weekday() != 5:  # on a Saturday it is not observed (December 31 trades)
        found[_observed(new_year)] = "New Year's Day"
    if year >= 2022:
        found[_observed(date(year, 6, 19))] = "Juneteenth National Independence Day"
    found.update({d: why for d, why in SPECIAL_CLOSURES.items() if d.year == year})
    return found


@cache
def early_closes(year: int) -> dict[date, str]:
    """Days the market closes at 1:00 p.m."""
    closed = holidays(year)
    found = {_nth_weekday(year, 11, 3, 4) + timedelta(days=1): "Day after Thanksgiving"}
    july_4 = date(year, 7, 4)
    if july_4.weekday() in {1, 2, 3, 4}:  # Tuesday to Friday: the day before closes early
        found[july_4 - timedelta(days=1)] = "Day before Independence Day"
    christmas_eve = date(year, 12, 24)
    if christmas_eve.weekday() < 5 and christmas_eve not in closed:
        found[christmas_eve] = "Christmas Eve"
    return {d: why for d, why in found.items() if d not in closed}


def is_trading_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def why_closed(day: date) -> str:
    if day.weekday() >= 5:
        return day.strftime("%A")
    return holidays(day.year).get(day, "")


def close_time(day: date) -> time:
    return EARLY_CLOSE if day in early_closes(day.year) else REGULAR_CLOSE


def next_trading_day(day: date) -> date:
    """The first trading day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_trading_day(day):
        day += timedelta(days=1)
    return day
