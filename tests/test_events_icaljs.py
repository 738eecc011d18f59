"""Our calendar files read by a real calendar client's parser, not the library that wrote them:
Mozilla's ical.js (Thunderbird's; npm, pinned in package.json) reads each event's .ics and
/events/calendar.ics, registers the files' own VTIMEZONEs as a client does, and must give every
VEVENT the instant the event's page states (its JSON-LD startDate, with its UTC offset), in
January and July and on both sides of both DST changes, in zones north and south and without
DST. A TZID without its VTIMEZONE would read as floating local time there, and fail.

ical.js is a requirement of the suite, like axe-core: `make test` runs `npm ci` first, and a missing
install fails these tests with a line saying so (never a skip). A worktree whose node_modules
lacks it may point IRSITE_TEST_ICALJS at another install."""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from .conftest import at
from .shared import body

REPO = Path(__file__).resolve().parents[1]
READER = Path(__file__).with_name("ical_read.mjs")


def _ical_js() -> Path | None:
    for base in filter(None, [os.environ.get("IRSITE_TEST_ICALJS"), REPO, REPO / ".icaljs"]):
        found = Path(base) / "node_modules" / "ical.js" / "dist" / "ical.js"
        if found.is_file():
            return found
    return None


ICAL_JS = _ical_js()


def read_with_ical_js(text: bytes) -> dict:
    assert ICAL_JS is not None and shutil.which("node"), (
        "ical.js is not installed: run `npm ci` (make test does) or set IRSITE_TEST_ICALJS"
    )
    result = subprocess.run(  # noqa: S603 - node and our own script, no shell
        ["node", str(READER), str(ICAL_JS)],  # noqa: S607 - Debian's node on PATH
        input=text,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def local(zone: str, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)


NY = "America/New_York"
STARTS = [
    at(2027, 1, 28, 17, 0, 0),  # January, EST
    at(2027, 7, 22, 17, 0, 0),  # July, EDT
    at(2027, 3, 14, 3, 0, 0),  # the first hour after the March change
    at(2027, 3, 13, 17, 0, 0),  # the day before it, lasting 26 hours (across the change)
    at(2026, 11, 1, 1, 30, 0),  # the repeated hour, first time (EDT)
    at(2026, 11, 1, 1, 30, 0).replace(fold=1),  # the repeated hour, second time (EST)
    local("Europe/London", 2027, 3, 28, 9, 0, 0),  # London's first morning of BST
    local("Europe/London", 2027, 1, 14, 9, 0, 0),  # GMT
    local("Australia/Sydney", 2027, 1, 20, 10, 0, 0),  # southern summer: AEDT
    local("Australia/Sydney", 2027, 7, 20, 10, 0, 0),  # southern winter: AEST
    local("Asia/Tokyo", 2027, 7, 20, 10, 0, 0),  # no DST at all
]


@pytest.fixture
def events(make_event, announce):
    made = []
    with time_machine.travel(at(2026, 10, 1, 8, 0, 0), tick=False):
        for n, starts in enumerate(STARTS):
            zone = getattr(starts.tzinfo, "key", NY)
            made.append(
                announce(
                    make_event(
                        title=f"Event {n} in {zone}",
                        starts_at=starts,
                        ends_at=starts.astimezone(UTC) + timedelta(hours=26 if n == 3 else 1),
                        zone=zone,
                        announce_at=at(2026, 10, 2, 8, 0, 0),
                    )
                )
            )
    return made


def page_start(client, event) -> datetime:
    """The instant the event's page states: its JSON-LD startDate, offset included."""
    html = body(client.get(event.get_absolute_url())).decode()
    start = html.split('"startDate": "', 1)[1].split('"', 1)[0]
    return datetime.fromisoformat(start)


def test_ical_js_reads_every_event_at_the_instant_its_page_states(client, events):
    with time_machine.travel(at(2026, 10, 3, 8, 0, 0), tick=False):
        pages = {str(e.uid): page_start(client, e) for e in events}
        whole = read_with_ical_js(body(client.get(reverse("events:calendar"))))
        singles = [read_with_ical_js(body(client.get(e.get_ics_url()))) for e in events]
    by_uid = {item["uid"]: item for item in whole["events"]}
    assert set(by_uid) == set(pages)
    for event, single in zip(events, singles, strict=True):
        (item,) = single["events"]
        uid = str(event.uid)
        stated = pages[uid]
        assert stated.utcoffset() == event.starts_at.astimezone(event.tz).utcoffset(), uid
        for read in (item, by_uid[uid]):
            assert read["tzid"] is None or read["tzid"] in whole["zones"] + single["zones"]
            assert not read["floating"], f"{event.title}: DTSTART read as floating time"
            assert read["start"] == stated.timestamp() == event.starts_at.timestamp(), (
                f"{event.title}: ical.js read {datetime.fromtimestamp(read['start'], UTC)}, "
                f"the page says {stated}"
            )
            assert read["end"] == event.ends_at.timestamp(), event.title
