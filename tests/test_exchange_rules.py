"""The exchanges' notice rules at the seconds the issue names, table-driven, in New York time
whatever the company's zone, on the trading calendar (holidays, early closes, DST Sundays)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from irsite.exchange import calendar, rules

NY = ZoneInfo("America/New_York")
PACIFIC = ZoneInfo("America/Los_Angeles")


def et(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


# Tuesday December 8, 2026 is a full trading day.
DAY = (2026, 12, 8)

# (venue, go-live, the notice's deadline or None, whether the go-live waits for it, a warning)
CASES = [
    # Nasdaq: 7:00 a.m.-8:00 p.m. ten minutes ahead; outside, before 6:50 a.m.
    ("nasdaq", et(*DAY, 6, 49), et(*DAY, 6, 50), False, None),
    ("nasdaq", et(*DAY, 6, 50), et(*DAY, 6, 40), True, None),
    ("nasdaq", et(*DAY, 7, 0), et(*DAY, 6, 50), True, None),
    ("nasdaq", et(*DAY, 15, 59, 59), et(*DAY, 15, 49, 59), True, None),
    ("nasdaq", et(*DAY, 16, 0, 30), et(*DAY, 15, 50, 30), True, "not before 4:01 PM"),
    ("nasdaq", et(*DAY, 16, 4), et(*DAY, 15, 54), True, "preferably 4:05 PM"),
    ("nasdaq", et(*DAY, 16, 5), et(*DAY, 15, 55), True, None),
    ("nasdaq", et(*DAY, 19, 59), et(*DAY, 19, 49), True, None),
    ("nasdaq", et(*DAY, 20, 1), et(2026, 12, 9, 6, 50), False, None),
    # A Saturday: before 6:50 a.m. on Monday.
    ("nasdaq", et(2026, 12, 12, 10, 0), et(2026, 12, 14, 6, 50), False, None),
    # Friday 20:05 to Monday 6:50.
    ("nasdaq", et(2026, 12, 4, 20, 5), et(2026, 12, 7, 6, 50), False, None),
    # The day after Thanksgiving closes at 1:00 p.m.: the after-close wait follows it.
    ("nasdaq", et(2026, 11, 27, 13, 2), et(2026, 11, 27, 12, 52), True, "not before 1:01 PM"),
    ("nasdaq", et(2026, 11, 27, 16, 0, 30), et(2026, 11, 27, 15, 50, 30), True, None),
    # Both DST Sundays: Monday 6:50 in that Monday's offset.
    ("nasdaq", et(2026, 3, 8, 10, 0), et(2026, 3, 9, 6, 50), False, None),
    ("nasdaq", et(2026, 11, 1, 10, 0), et(2026, 11, 2, 6, 50), False, None),
    # Thanksgiving itself is a holiday: the next session is Friday's.
    ("nasdaq", et(2026, 11, 26, 9, 0), et(2026, 11, 27, 6, 50), False, None),
    # NYSE since September 28, 2015: 7:00 a.m. to the close, ten minutes ahead.
    ("nyse", et(*DAY, 6, 49), None, False, None),
    ("nyse", et(*DAY, 6, 50), None, False, None),
    ("nyse", et(*DAY, 7, 0), et(*DAY, 6, 50), True, None),
    ("nyse", et(*DAY, 15, 59, 59), et(*DAY, 15, 49, 59), True, None),
    ("nyse", et(*DAY, 16, 0, 30), None, False, "not before 4:15 PM"),
    ("nyse", et(*DAY, 16, 4), None, False, "not before 4:15 PM"),
    ("nyse", et(*DAY, 16, 5), None, False, "not before 4:15 PM"),
    ("nyse", et(*DAY, 16, 15), None, False, None),
    ("nyse", et(*DAY, 19, 59), None, False, None),
    ("nyse", et(*DAY, 20, 1), None, False, None),
    ("nyse", et(2026, 12, 12, 10, 0), None, False, None),
    ("nyse", et(2026, 12, 4, 20, 5), None, False, None),
    ("nyse", et(2026, 11, 27, 12, 59), et(2026, 11, 27, 12, 49), True, None),
    ("nyse", et(2026, 11, 27, 13, 5), None, False, "not before 1:15 PM"),
    ("nyse", et(2026, 3, 8, 10, 0), None, False, None),
    ("nyse", et(2026, 11, 1, 10, 0), None, False, None),
]


@pytest.mark.parametrize(("venue", "go_live", "notice_by", "waits", "warning"), CASES)
def test_what_the_venue_asks_at_each_second(venue, go_live, notice_by, waits, warning):
    asked = rules.what_is_asked(venue, go_live)
    assert asked.notice_by == notice_by
    if notice_by is not None:
        assert asked.notice_by.utcoffset() == notice_by.utcoffset()  # the day's own offset
    assert asked.notice_before_go_live is waits
    if warning is None:
        assert asked.warnings == []
    else:
        assert len(asked.warnings) == 1 and warning in asked.warnings[0]
    assert asked.rule is not None and asked.rule.citation in asked.lines[0]


def test_dst_sundays_give_the_monday_deadline_in_its_own_offset():
    spring = rules.what_is_asked("nasdaq", et(2026, 3, 8, 10, 0)).notice_by
    autumn = rules.what_is_asked("nasdaq", et(2026, 11, 1, 10, 0)).notice_by
    assert spring is not None and autumn is not None
    assert spring.astimezone(ZoneInfo("UTC")).hour == 10  # 6:50 EDT
    assert autumn.astimezone(ZoneInfo("UTC")).hour == 11  # 6:50 EST


def test_a_company_in_pacific_time_is_judged_in_new_york_time():
    # 4:00 a.m. in Los Angeles is 7:00 a.m. in New York: inside Nasdaq's window.
    asked = rules.what_is_asked("nasdaq", datetime(2026, 12, 8, 4, 0, tzinfo=PACIFIC))
    assert asked.notice_by == et(*DAY, 6, 50) and asked.notice_before_go_live
    # 1:00 p.m. in Los Angeles is 4:00 p.m. in New York: the close, whatever the local hour.
    late = rules.what_is_asked("nyse", datetime(2026, 12, 8, 13, 5, tzinfo=PACIFIC))
    assert late.notice_by is None and "4:15 PM" in late.warnings[0]


def test_a_release_is_judged_by_the_text_in_force_on_its_day():
    # NYSE before September 28, 2015: only from the opening (9:30) to the close.
    old = rules.what_is_asked("nyse", et(2003, 1, 24, 8, 0))
    assert old.rule is not None and "before its 2015 amendment" in old.rule.citation
    assert old.notice_by is None and old.warnings == []
    assert rules.what_is_asked("nyse", et(2003, 1, 24, 9, 30)).notice_before_go_live
    new = rules.what_is_asked("nyse", et(2015, 9, 28, 8, 0))
    assert new.rule is not None and new.rule.effective == date(2015, 9, 28)
    assert new.notice_before_go_live
    # Nasdaq before December 7, 2009 recommended notice, never required it: nothing computed.
    assert rules.what_is_asked("nasdaq", et(2003, 1, 24, 8, 0)).rule is None
    # Between December 7, 2009 and February 19, 2010, no 6:50 a.m. rule yet.
    assert rules.what_is_asked("nasdaq", et(2010, 1, 5, 21, 0)).notice_by is None


@pytest.mark.parametrize(
    ("year", "holidays", "early"),
    [
        (
            2025,
            [
                "01-01",
                "01-09",
                "01-20",
                "02-17",
                "04-18",
                "05-26",
                "06-19",
                "07-04",
                "09-01",
                "11-27",
                "12-25",
            ],
            ["07-03", "11-28", "12-24"],
        ),
        (
            2026,
            [
                "01-01",
                "01-19",
                "02-16",
                "04-03",
                "05-25",
                "06-19",
                "07-03",
                "09-07",
                "11-26",
                "12-25",
            ],
            ["11-27", "12-24"],
        ),
        (
            2022,
            ["01-17", "02-21", "04-15", "05-30", "06-20", "07-04", "09-05", "11-24", "12-26"],
            ["11-25"],
        ),
    ],
)
def test_the_trading_calendar_matches_the_exchanges_published_one(year, holidays, early):
    assert sorted(f"{d:%m-%d}" for d in calendar.holidays(year)) == holidays
    assert sorted(f"{d:%m-%d}" for d in calendar.early_closes(year)) == early


def test_the_next_trading_day_skips_weekends_and_holidays():
    assert calendar.next_trading_day(date(2026, 12, 24)) == date(2026, 12, 28)
    assert calendar.next_trading_day(date(2026, 4, 2)) == date(2026, 4, 6)  # Good Friday
    assert calendar.next_trading_day(date(2026, 12, 4)) - date(2026, 12, 4) == timedelta(days=3)
