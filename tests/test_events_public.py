"""What readers reach of events (issue 25): the list, the page with its time in the event's own
zone, the calendar files read back by icalendar, feeds, the sitemap, the documents, JSON-LD."""

import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from events import actions
from events.models import Event, EventDocument, zone_names
from events.public import calendar as ics
from events.templatetags.event_times import event_when

from .conftest import at
from .files import PDF, upload
from .shared import body

ANNOUNCE = at(2026, 12, 1, 8, 0, 0)
MATERIALS = at(2027, 1, 28, 16, 5, 0)
AFTER = MATERIALS + timedelta(minutes=5)
WEBCAST = "https://webcast.example.com/q4-2026"


def add_document(event: Event, kind: str = "slides", title: str = "Q4 slides") -> EventDocument:
    from irsite.uploads import check_upload

    document = EventDocument(event=event, kind=kind, title=title)
    document.take(check_upload(upload("slides.pdf", PDF)))
    document.save()
    return document


@pytest.fixture
def event(make_event, announce):
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        event = make_event(
            title="Q4 2026 earnings call",
            slug="q4-2026-earnings-call",
            webcast_url=WEBCAST,
            dial_in="+1 800 555 0100, passcode 7788",
            materials_at=MATERIALS,
            starts_at=at(2027, 1, 28, 17, 0, 0),
            ends_at=at(2027, 1, 28, 18, 0, 0),
        )
        add_document(event)
        return announce(event)


def get(client, url, moment):
    with time_machine.travel(moment, tick=False):
        return client.get(url)


def test_the_event_page_shows_its_time_in_its_zone_with_the_zone_of_that_day(event, client):
    response = get(client, event.get_absolute_url(), ANNOUNCE)
    assert response.status_code == 200
    assert "Thursday, January 28, 2027, 5:00 p.m. – 6:00 p.m. EST" in response.content.decode()


@pytest.mark.parametrize(
    ("starts", "zone", "shown"),
    [
        # Across the March change: the abbreviation is the one of that instant, never patched.
        (datetime(2027, 3, 15, 17, 0), "America/New_York", "5:00 p.m. – 6:00 p.m. EDT"),
        (datetime(2027, 3, 12, 17, 0), "America/New_York", "5:00 p.m. – 6:00 p.m. EST"),
        (datetime(2027, 7, 1, 9, 0), "Europe/London", "9:00 a.m. – 10:00 a.m. BST"),
        (datetime(2027, 1, 5, 9, 0), "Europe/London", "9:00 a.m. – 10:00 a.m. GMT"),
        (datetime(2027, 7, 1, 10, 30), "Asia/Tokyo", "10:30 a.m. – 11:30 a.m. JST"),
    ],
)
def test_times_carry_the_abbreviation_of_their_own_instant(
    make_event, announce, client, starts, zone, shown
):
    local = starts.replace(tzinfo=ZoneInfo(zone))
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        event = announce(make_event(zone=zone, starts_at=local, ends_at=local + timedelta(hours=1)))
    assert shown in get(client, event.get_absolute_url(), ANNOUNCE).content.decode()


def test_an_event_that_spans_the_november_change_names_both_zones(make_event, announce, client):
    start = at(2026, 11, 1, 0, 30, 0)  # EDT; the clocks go back at 02:00 during it
    with time_machine.travel(at(2026, 10, 1, 8, 0, 0), tick=False):
        event = announce(
            make_event(
                starts_at=start,
                ends_at=start.astimezone(UTC) + timedelta(hours=3),  # as time passes
                announce_at=at(2026, 10, 2, 8, 0, 0),
            )
        )
    page = get(client, event.get_absolute_url(), at(2026, 10, 3, 8, 0, 0)).content.decode()
    assert "12:30 a.m. EDT – 2:30 a.m. EST" in page


def test_webcast_dial_in_and_documents_appear_at_the_materials_second(event, client):
    document = event.documents.get()
    for moment, shown in [(ANNOUNCE, False), (MATERIALS - timedelta(seconds=1), False),
                          (MATERIALS, True)]:  # fmt: skip
        page = get(client, event.get_absolute_url(), moment).content.decode()
        ics = body(get(client, event.get_ics_url(), moment)).decode()
        feed = body(get(client, reverse("events:calendar"), moment)).decode()
        for text in (page, ics, feed):
            assert (WEBCAST in text) is shown, moment
            assert ("7788" in text) is shown, moment
        assert (document.get_absolute_url() in page) is shown
        assert get(client, document.get_absolute_url(), moment).status_code == (
            200 if shown else 404
        )


def test_json_ld_event_has_status_mode_offset_and_a_virtual_location_once_visible(event, client):
    def data(moment):
        html = get(client, event.get_absolute_url(), moment).content.decode()
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        return json.loads(block.group(1))

    early = data(ANNOUNCE)
    assert early["@type"] == "Event"
    assert early["startDate"] == "2027-01-28T17:00:00-05:00"
    assert early["eventStatus"] == "https://schema.org/EventScheduled"
    assert early["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert "location" not in early
    assert data(AFTER)["location"] == {"@type": "VirtualLocation", "url": WEBCAST}


def test_a_linked_release_shows_only_once_it_is_public(make_event, announce, make_release,
                                                       publish, client):  # fmt: skip
    go_live = at(2027, 1, 28, 16, 5, 0)
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        release = publish(
            make_release(headline="Fourth quarter results", slug="q4-results", published_at=go_live)
        )
        event = announce(make_event(releases=[release]))
    assert (
        "Fourth quarter results"
        not in get(client, event.get_absolute_url(), ANNOUNCE).content.decode()
    )
    assert (
        "Fourth quarter results" in get(client, event.get_absolute_url(), go_live).content.decode()
    )


def reschedule(event, editor, approver, starts, **fields):
    with time_machine.travel(ANNOUNCE + timedelta(days=1), tick=False):
        edited = Event.objects.get(pk=event.pk)
        edited.starts_at, edited.ends_at = starts, starts + timedelta(hours=1)
        for name, value in fields.items():
            setattr(edited, name, value)
        change = actions.save_event(edited, editor, change_note="Moved to a later date.")
        actions.approve_change(change, approver)
    event.refresh_from_db()
    return event


def test_a_rescheduled_event_says_from_when_and_its_old_url_redirects(event, editor, approver,
                                                                      client):  # fmt: skip
    old_url = event.get_absolute_url()
    event = reschedule(event, editor, approver, at(2027, 2, 4, 17, 0, 0))
    moment = ANNOUNCE + timedelta(days=2)
    page = get(client, event.get_absolute_url(), moment).content.decode()
    assert "Rescheduled</strong> from" in page
    assert "January 28, 2027, 5:00 p.m. EST" in page
    assert "Moved to a later date." in page
    redirect = get(client, old_url, moment)
    assert redirect.status_code == 301 and redirect["Location"] == event.get_absolute_url()


def test_a_cancelled_event_stays_at_its_url_with_its_status(event, editor, approver, client):
    url = event.get_absolute_url()
    event = reschedule(event, editor, approver, event.starts_at, schedule="cancelled")
    moment = ANNOUNCE + timedelta(days=2)
    response = get(client, url, moment)
    assert response.status_code == 200
    assert "Cancelled." in response.content.decode()
    cal = icalendar.Calendar.from_ical(body(get(client, event.get_ics_url(), moment)))
    assert cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


# --- calendar files, read back by icalendar ---------------------------------------------------


def instants(cal: icalendar.Calendar) -> list[datetime]:
    """Every DTSTART as the UTC instant a reader gets, two ways: by the TZID's IANA name (as
    Google Calendar reads it: a local time that occurs twice is the first, RFC 5545 §3.3.5) and
    by the file's own VTIMEZONE (as a reader without the IANA database does); both must agree.
    A time with no TZID must be UTC ("Z"), never floating."""
    zones = {tz["TZID"]: tz.to_tz() for tz in cal.walk("VTIMEZONE")}
    found = []
    for item in cal.walk("VEVENT"):
        prop = item["DTSTART"]
        tzid = prop.params.get("TZID")
        text = prop.to_ical()
        if tzid is None:
            assert text.endswith(b"Z"), f"a floating DTSTART {text!r}"
            found.append(prop.dt)
            continue
        assert tzid in zones, f"TZID {tzid} has no VTIMEZONE"
        naive = prop.dt.replace(tzinfo=None)
        by_name = naive.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC)
        by_vtimezone = naive.replace(tzinfo=zones[tzid]).astimezone(UTC)
        assert by_name == by_vtimezone, f"{tzid} {naive}: the VTIMEZONE disagrees"
        found.append(by_name)
    return found


@pytest.mark.parametrize(
    "starts",
    [
        at(2027, 1, 28, 17, 0, 0),  # January, EST
        at(2027, 7, 22, 17, 0, 0),  # July, EDT
        at(2027, 3, 14, 3, 0, 0),  # the first hour after the March change
        at(2026, 11, 1, 1, 30, 0).replace(fold=1),  # the repeated hour, second time (EST)
        at(2026, 11, 1, 1, 30, 0),  # the repeated hour, first time (EDT)
    ],
)
def test_calendar_files_give_readers_the_same_instant(make_event, announce, client, starts):
    with time_machine.travel(at(2026, 10, 1, 8, 0, 0), tick=False):
        event = announce(
            make_event(
                starts_at=starts,
                ends_at=starts.astimezone(UTC) + timedelta(hours=1),
                announce_at=at(2026, 10, 2, 8, 0, 0),
            )
        )
    moment = at(2026, 10, 3, 8, 0, 0)
    response = get(client, event.get_ics_url(), moment)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    for url in (event.get_ics_url(), reverse("events:calendar")):
        cal = icalendar.Calendar.from_ical(body(get(client, url, moment)))
        assert instants(cal) == [starts.astimezone(UTC)]


def test_uid_is_stable_and_sequence_goes_up_with_a_reschedule(event, editor, approver, client):
    moment = ANNOUNCE + timedelta(days=2)
    first = icalendar.Calendar.from_ical(body(get(client, event.get_ics_url(), ANNOUNCE)))
    event = reschedule(event, editor, approver, at(2027, 2, 4, 17, 0, 0))
    second = icalendar.Calendar.from_ical(body(get(client, event.get_ics_url(), moment)))
    (a,), (b,) = first.walk("VEVENT"), second.walk("VEVENT")
    assert a["UID"] == b["UID"] == str(event.uid)
    assert int(b["SEQUENCE"]) == int(a["SEQUENCE"]) + 1
    assert b["DTSTAMP"].dt.tzinfo is not None and b["URL"].endswith(event.get_absolute_url())


def test_an_all_day_event_is_dates_only(make_event, announce, client):
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        day = datetime(2027, 5, 12, tzinfo=ZoneInfo("America/New_York"))
        event = announce(
            make_event(
                all_day=True, starts_at=day, ends_at=day + timedelta(days=2), kind="investor_day"
            )
        )
    cal = icalendar.Calendar.from_ical(body(get(client, event.get_ics_url(), ANNOUNCE)))
    (item,) = cal.walk("VEVENT")
    assert item["DTSTART"].to_ical() == b"20270512" and item["DTEND"].to_ical() == b"20270514"
    page = get(client, event.get_absolute_url(), ANNOUNCE).content.decode()
    assert "Wednesday, May 12, 2027 – Thursday, May 13, 2027" in page


# --- list, feeds, sitemap ----------------------------------------------------------------------


def test_the_list_shows_upcoming_first_then_past_by_year(make_event, announce, client):
    with time_machine.travel(at(2025, 1, 1, 8, 0, 0), tick=False):
        past = announce(
            make_event(
                title="Annual meeting 2025",
                kind="annual_meeting",
                starts_at=at(2025, 5, 1, 10, 0, 0),
                announce_at=at(2025, 1, 2, 8, 0, 0),
            )
        )
        upcoming = announce(make_event(title="Q4 call", announce_at=at(2025, 1, 2, 8, 0, 0)))
    page = get(client, reverse("events:list"), at(2026, 6, 1, 8, 0, 0)).content.decode()
    assert page.index(upcoming.title) < page.index("Past events") < page.index(past.title)
    assert "<h3>2025</h3>" in page
    only_meetings = client.get(reverse("events:list"), {"kind": "annual_meeting"})
    assert upcoming.title not in only_meetings.content.decode()


def test_feeds_list_announced_events(event, client):
    for name in ("events:rss", "events:atom"):
        parsed = feedparser.parse(body(get(client, reverse(name), ANNOUNCE)))
        assert not parsed.bozo
        assert [e.title for e in parsed.entries] == ["Q4 2026 earnings call"]
        before = feedparser.parse(body(get(client, reverse(name), ANNOUNCE - timedelta(seconds=1))))
        assert before.entries == []


def test_the_sitemap_lists_the_event_from_its_announce_second(event, client):
    # The events' section is always in the index, dated by nothing until an event is public.
    before = ANNOUNCE - timedelta(seconds=1)
    index = body(get(client, "/sitemap.xml", before)).decode()
    assert "sitemap-events.xml</loc></sitemap>" in index.replace("\n", "").replace(" ", "")
    assert event.slug not in body(get(client, "/sitemap-events.xml", before)).decode()
    section = body(get(client, "/sitemap-events.xml", ANNOUNCE)).decode()
    assert event.get_absolute_url() in section
    assert "<lastmod>2026-12-01T08:00:00-05:00</lastmod>" in section


def test_a_document_answers_ranges_and_conditional_requests(event, client):
    url = event.documents.get().get_absolute_url()
    with time_machine.travel(AFTER, tick=False):
        whole = client.get(url)
        assert body(whole) == PDF
        part = client.get(url, headers={"Range": "bytes=0-3"})
        assert part.status_code == 206 and body(part) == PDF[:4]
        again = client.get(url, headers={"If-None-Match": whole["ETag"]})
        assert again.status_code == 304


# --- any zone, any time ------------------------------------------------------------------------

ZONES = sorted(z for z in zone_names() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    local=st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2036, 12, 31)),
    fold=st.integers(0, 1),
    minutes=st.integers(1, 60 * 30),
)
def test_any_event_in_any_zone_reads_back_as_its_instant(zone, local, fold, minutes):
    tz = ZoneInfo(zone)
    starts = local.replace(microsecond=0, tzinfo=tz, fold=fold)
    # A wall time skipped by a change does not exist: the form refuses it; take its instant.
    starts = starts.astimezone(UTC).astimezone(tz)
    event = Event(
        title="Call", slug="call", zone=zone, starts_at=starts,
        ends_at=starts.astimezone(UTC) + timedelta(minutes=minutes),
        status=Event.Status.PUBLISHED, announce_at=datetime(1990, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    cal = icalendar.Calendar.from_ical(ics.calendar([event], lambda e: "https://x/e/", "X"))
    assert instants(cal) == [starts.astimezone(UTC)]
    (item,) = cal.walk("VEVENT")
    end = item["DTEND"]
    end_naive = end.dt.replace(tzinfo=None)
    end_at = (
        end.dt
        if "TZID" not in end.params
        else end_naive.replace(tzinfo=ZoneInfo(end.params["TZID"]))
    )
    assert end_at.astimezone(UTC) == event.ends_at.astimezone(UTC)
    # What readers see names the zone of each instant as zoneinfo does.
    shown = event_when(event)
    assert shown.endswith(event.local_end.tzname() or "")


def test_the_home_page_lists_an_upcoming_event_from_its_announce_second(event, client):
    before = get(client, "/", ANNOUNCE - timedelta(seconds=1)).content.decode()
    assert "Upcoming events" not in before
    home = get(client, "/", ANNOUNCE).content.decode()
    assert "Upcoming events" in home and event.get_absolute_url() in home
    over = event.ends_at + timedelta(seconds=1)
    assert "Upcoming events" not in get(client, "/", over).content.decode()
