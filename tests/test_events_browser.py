"""Event pages in Chromium (issue 25): axe-core finds nothing at phone and desktop width, and
each is photographed for review (artifacts/screenshots/events-*.png)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events import actions
from events.models import Event

from .browsing import AXE, SCREENSHOTS, WIDTHS, run_axe
from .conftest import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def events(make_event, announce):
    now = timezone.now().replace(microsecond=0)
    announced = now - timedelta(hours=1)
    past = announce(
        make_event(
            title="Third quarter earnings call",
            starts_at=now - timedelta(days=30),
            webcast_url="https://webcast.example.com/q3",
            replay_url="https://replay.example.com/q3",
            replay_until=now + timedelta(days=30),
            dial_in="+1 800 555 0100\nPasscode 1234",
            announce_at=announced,
        ),
        announced,
    )
    upcoming = announce(
        make_event(
            title="Fourth quarter earnings call",
            starts_at=now + timedelta(days=20),
            webcast_url="https://webcast.example.com/q4",
            announce_at=announced,
        ),
        announced,
    )
    meeting = announce(
        make_event(
            title="Annual meeting of shareholders",
            kind=Event.Kind.ANNUAL_MEETING,
            attendance=Event.Attendance.IN_PERSON,
            location="The Royal Sonesta\n40 Edwin H. Land Blvd, Cambridge, MA",
            starts_at=now + timedelta(days=90),
            announce_at=announced,
        ),
        announced,
    )
    edited = Event.objects.get(pk=meeting.pk)
    edited.schedule = Event.Schedule.CANCELLED
    actions.approve_change(
        actions.save_event(edited, SYSTEM, change_note="Held online instead; see below."), SYSTEM
    )
    return {"past": past, "upcoming": upcoming, "cancelled": meeting}


def test_event_pages_have_no_axe_violations_at_phone_and_desktop_width(
    live_server,
    context,
    events,
):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    pages = {"events": "/events/", **{k: e.get_absolute_url() for k, e in events.items()}}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict[str, list]] = {}
    page = context.new_page()
    for name, path in pages.items():
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            assert page.goto(live_server.url + path).status == 200, path
            expect(page.locator("h1")).to_have_count(1)
            page.screenshot(path=SCREENSHOTS / f"events-{name}-{width}.png", full_page=True)
            report.setdefault(name, {})[label] = run_axe(page)
    violations = {
        f"{name} at {label}": found
        for name, by_width in report.items()
        for label, found in by_width.items()
        if found
    }
    assert violations == {}, json.dumps(violations, indent=2)
