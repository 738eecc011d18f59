"""What the listing exchange asks before and after material news, as data versioned by the
date each text took effect, and the evaluation of one go-live second against the version in
force that day.

Everything is computed in New York time, whatever the company's zone, on the exchanges' trading
calendar (`irsite.exchange.calendar`). A release is judged by the text in force on its day: an
imported 2003 release is not judged by 2015's. The screen shows the rule, its source and the
date its text took effect; it is a reminder of the text, not legal advice.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import calendar

NEW_YORK = ZoneInfo("America/New_York")
NASDAQ, NYSE = "nasdaq", "nyse"
VENUES = [(NASDAQ, "Nasdaq"), (NYSE, "New York Stock Exchange")]
# The lead every notice before a go-live needs ("at least ten minutes prior").
LEAD = timedelta(minutes=10)


@dataclass(frozen=True)
class Rule:
    """One version of one venue's text, in force from ``effective`` (a New York date) until the
    next version of the same venue."""

    venue: str
    effective: date
    citation: str
    source: str
    # Whom to tell and how.
    notify: str
    # A notice at least LEAD before a go-live inside [start, end) of a trading day; end None:
    # the day's close (1:00 p.m. on an early-close day).
    start: time
    end: time | None
    # Outside that window: notify before this time of the next session's day (Nasdaq's
    # 6:50 a.m.); None: no notice is asked outside the window.
    outside_by: time | None = None
    # After the close: go live no earlier than close + wait, better close + preferred.
    after_close_wait: timedelta | None = None
    after_close_preferred: timedelta | None = None
    after_close_text: str = ""


RULES: tuple[Rule, ...] = (
    Rule(
        venue=NASDAQ,
        effective=date(2009, 12, 7),
        citation="Nasdaq Rule 5250(b)(1) and IM-5250-1 (notice required, no longer recommended)",
        source="SEC Release No. 34-61008 (November 16, 2009), operative December 7, 2009",
        notify="Nasdaq MarketWatch (electronic disclosure submission)",
        start=time(7, 0),
        end=time(20, 0),
        outside_by=None,
    ),
    Rule(
        venue=NASDAQ,
        effective=date(2010, 2, 19),
        citation="Nasdaq Rule 5250(b)(1) and IM-5250-1",
        source="Nasdaq Listing Rules, Rule 5250(b)(1) and IM-5250-1, as amended February 19, 2010",
        notify="Nasdaq MarketWatch (electronic disclosure submission)",
        start=time(7, 0),
        end=time(20, 0),
        outside_by=time(6, 50),
        after_close_wait=timedelta(minutes=1),
        after_close_preferred=timedelta(minutes=5),
        after_close_text="after the close, wait a minute (4:01 p.m. ET on a full day), "
        "preferably five (4:05 p.m.), so the closing cross completes",
    ),
    Rule(
        venue=NYSE,
        effective=date(1990, 1, 1),
        citation="NYSE Listed Company Manual 202.06(B), before its 2015 amendment",
        source="NYSE Listed Company Manual 202.06 as it read before September 28, 2015 (irsite "
        "records this text from 1990, its earliest date)",
        notify="NYSE Market Watch (a call)",
        start=time(9, 30),
        end=None,
    ),
    Rule(
        venue=NYSE,
        effective=date(2015, 9, 28),
        citation="NYSE Listed Company Manual 202.06",
        source="SR-NYSE-2015-38, SEC Release No. 34-75809 (September 2, 2015), effective "
        "September 28, 2015",
        notify="NYSE Market Watch (a call, and a written copy by e-mail)",
        start=time(7, 0),
        end=None,
        after_close_wait=timedelta(minutes=15),
        after_close_text="after the close, wait until the official closing price is published "
        "or fifteen minutes after the close",
    ),
)


def rule_in_force(venue: str, day: date) -> Rule | None:
    versions = [r for r in RULES if r.venue == venue and r.effective <= day]
    return max(versions, key=lambda r: r.effective, default=None)


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, NEW_YORK)


def _clock(moment: datetime) -> str:
    return moment.strftime("%a %b %-d, %Y %-I:%M:%S %p %Z")


@dataclass(frozen=True)
class Asked:
    """What the venue's rule asks of a material release going live at ``go_live``."""

    venue: str
    go_live: datetime  # in New York time
    rule: Rule | None
    # The latest moment the exchange must have been told, or None: no notice is asked.
    notice_by: datetime | None = None
    # True when that moment is before the go-live, so the go-live waits for the notice.
    notice_before_go_live: bool = False
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def go_live_allowed_after(self, notified_at: datetime) -> bool:
        """A go-live at least LEAD after the recorded notice, and the notice within what the
        rule asks."""
        assert self.notice_by is not None
        return notified_at <= self.notice_by and self.go_live - notified_at >= LEAD


def what_is_asked(venue: str, go_live: datetime) -> Asked:
    """The rule in force for ``venue`` on the New York day of ``go_live`` (aware, any zone)."""
    at = go_live.astimezone(NEW_YORK)
    day = at.date()
    rule = rule_in_force(venue, day)
    if rule is None:
        first = min((r.effective for r in RULES if r.venue == venue), default=None)
        return Asked(
            venue,
            at,
            None,
            lines=[f"No rule of this venue is on record before {first}: nothing is computed."],
        )
    lines = [f"{rule.citation}, in force from {rule.effective:%B %-d, %Y} ({rule.source})."]
    warnings: list[str] = []
    trading = calendar.is_trading_day(day)
    close = _at(day, calendar.close_time(day))
    if not trading:
        lines.append(f"{_clock(at)} is not a trading day ({calendar.why_closed(day)}).")
    elif calendar.close_time(day) != calendar.REGULAR_CLOSE:
        why = calendar.early_closes(day.year)[day]
        lines.append(f"The market closes early, at 1:00 p.m. ET ({why}).")
    start = _at(day, rule.start)
    end = close if rule.end is None else _at(day, rule.end)
    notice_by: datetime | None = None
    if trading and start <= at < end:
        notice_by = at - LEAD
        lines.append(
            f"Go-live {_clock(at)} is inside {rule.start:%-I:%M %p}–{end:%-I:%M %p} ET: notify "
            f"{rule.notify} at least ten minutes before, by {_clock(notice_by)}."
        )
    elif rule.outside_by is not None:
        # Outside the window: notify before the outside_by time (6:50 a.m.) of the next
        # session's day, which may come after the go-live (a Friday-evening release: Monday).
        session = day if trading and at < start else calendar.next_trading_day(day)
        deadline = _at(session, rule.outside_by)
        window = f"{rule.start:%-I:%M %p}–{end:%-I:%M %p} ET"
        if deadline > at:
            notice_by = deadline
            lines.append(
                f"Go-live {_clock(at)} is outside {window}: notify {rule.notify} before "
                f"{_clock(deadline)} (that may follow the go-live)."
            )
        else:
            # Between the deadline and the window (6:50-7:00 a.m.): told before the go-live.
            notice_by = min(deadline, at - LEAD)
            lines.append(
                f"Go-live {_clock(at)} is outside {window}, after {rule.outside_by:%-I:%M %p}: "
                f"notify {rule.notify} by {_clock(notice_by)}."
            )
    else:
        lines.append(f"Go-live {_clock(at)}: no notice to the exchange is asked at this time.")
    if trading and rule.after_close_wait is not None and close <= at:
        earliest = close + rule.after_close_wait
        preferred = close + (rule.after_close_preferred or rule.after_close_wait)
        if at < earliest or at < preferred:
            warnings.append(
                f"{rule.citation}: {rule.after_close_text}; the close is at "
                f"{close:%-I:%M %p} ET today, so not before {earliest:%-I:%M %p}"
                + (f", preferably {preferred:%-I:%M %p}" if preferred != earliest else "")
                + " ET."
            )
    return Asked(
        venue,
        at,
        rule,
        notice_by=notice_by,
        notice_before_go_live=notice_by is not None and notice_by < at,
        lines=lines,
        warnings=warnings,
    )
