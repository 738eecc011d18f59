"""Webhooks of events and filings: ``event.live`` at the announce second and never before,
``event.materials_live`` at the materials second, ``event.corrected`` and ``event.cancelled`` on
an approved change, ``filing.new`` once per new filing, each with public data only, signed per
Standard Webhooks and verified by a real receiver (the harness of tests/test_webhooks.py: the
worker as `manage.py run_worker --once`, a receiver thread with `standardwebhooks`)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from events import actions as event_actions
from events.models import Event as CompanyEvent
from filings import actions as filing_actions
from filings import edgar
from irsite.webhooks import registry
from irsite.webhooks.models import Endpoint, Event

from .conftest import at
from .edgar_server import CIK, columns, filing
from .webhook_receiver import REGISTERED, register, verified

pytestmark = pytest.mark.usefixtures("webhooks_env")

ANNOUNCE = at(2026, 11, 30, 16, 5, 0)
MATERIALS = at(2026, 12, 2, 16, 5, 0)
EVENT_TYPES = ["event.live", "event.materials_live", "event.corrected", "event.cancelled"]


@pytest.fixture
def scheduled_event(make_event, announce):
    with time_machine.travel(REGISTERED, tick=False):
        return announce(
            make_event(
                title="Investor day",
                zone="Europe/London",
                starts_at=at(2026, 12, 10, 9, 0, 0),
                webcast_url="https://webcast.example.com/secret-room",
                dial_in="+1 800 555 0100, passcode 990077",
                announce_at=ANNOUNCE,
                materials_at=MATERIALS,
            ),
            ANNOUNCE,
        )


def test_event_live_reaches_an_endpoint_once_at_the_announce_second_with_public_data_only(
    receiver, superuser, scheduled_event, run
):
    register(receiver, "/e", superuser, events=EVENT_TYPES)
    for moment in (REGISTERED + timedelta(minutes=1), ANNOUNCE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            run()
    assert receiver.received == [] and not Event.objects.exists()
    for moment in (ANNOUNCE, ANNOUNCE + timedelta(minutes=5)):
        with time_machine.travel(moment, tick=False):
            run()
    [item] = receiver.received
    payload = verified(receiver.secrets["/e"], item)
    assert payload["type"] == "event.live"
    assert datetime.fromisoformat(payload["timestamp"]) == ANNOUNCE
    assert payload["data"] == {
        "id": str(scheduled_event.uid),
        "url": "https://ir.example.com" + scheduled_event.get_absolute_url(),
        "title": "Investor day",
        "kind": "earnings_call",
        "status": "scheduled",
        "starts_at": "2026-12-10T14:00:00+00:00",  # 09:00 in New York, held in London
        "ends_at": "2026-12-10T15:00:00+00:00",
        "time_zone": "Europe/London",
        "announced_at": "2026-11-30T21:05:00+00:00",
    }
    assert b"secret-room" not in item.body and b"990077" not in item.body


def test_event_materials_live_carries_the_webcast_at_the_materials_second(
    receiver, superuser, scheduled_event, run
):
    register(receiver, "/m", superuser, events=["event.materials_live"])
    for moment in (ANNOUNCE, MATERIALS - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            run()
    assert receiver.received == []
    with time_machine.travel(MATERIALS, tick=False):
        run()
        run()
    [item] = receiver.received
    assert item.verified_with == receiver.secrets["/m"]
    data = item.payload["data"]
    assert item.payload["type"] == "event.materials_live"
    assert datetime.fromisoformat(item.payload["timestamp"]) == MATERIALS
    assert data["materials"] == {
        "webcast_url": "https://webcast.example.com/secret-room",
        "dial_in": "+1 800 555 0100, passcode 990077",
        "documents": [],
    }


def test_a_change_is_announced_as_corrected_and_a_cancellation_once_as_cancelled(
    receiver, superuser, scheduled_event, run, editor, approver
):
    register(receiver, "/c", superuser, events=["event.corrected", "event.cancelled"])

    def change(note: str, **fields) -> None:
        edited = CompanyEvent.objects.get(pk=scheduled_event.pk)
        for name, value in fields.items():
            setattr(edited, name, value)
        event_actions.approve_change(
            event_actions.save_event(edited, editor, change_note=note), approver
        )
        run()

    with time_machine.travel(ANNOUNCE + timedelta(hours=1), tick=False):
        change(
            "Moved a day later.",
            starts_at=at(2026, 12, 11, 9, 0, 0),
            ends_at=at(2026, 12, 11, 10, 0, 0),
        )
    with time_machine.travel(ANNOUNCE + timedelta(hours=2), tick=False):
        change("Cancelled.", schedule=CompanyEvent.Schedule.CANCELLED)
    with time_machine.travel(ANNOUNCE + timedelta(hours=3), tick=False):
        change("The reason added.", description="Cancelled: the room was double-booked.")
    got = [(r.payload["type"], r.payload["data"].get("correction_note")) for r in receiver.received]
    assert sorted(got) == [
        ("event.cancelled", "Cancelled."),  # once, though the cancelled event changed again
        ("event.corrected", "Cancelled."),
        ("event.corrected", "Moved a day later."),
        ("event.corrected", "The reason added."),
    ]
    moved = receiver.received[0].payload["data"]
    assert moved["status"] == "rescheduled"
    assert moved["rescheduled_from"] == "2026-12-10T14:00:00+00:00"
    assert moved["starts_at"] == "2026-12-11T14:00:00+00:00"
    assert all(r.verified_with == receiver.secrets["/c"] for r in receiver.received)


def store(rows) -> None:
    records, _ = edgar.records(columns(rows), "test")
    filing_actions.store_answer(CIK, records, name="IMMUNOGEN INC")


def test_filing_new_once_per_new_filing_and_never_for_history_or_a_hidden_one(
    receiver, superuser, run, db, approver
):
    approver.is_superuser = True
    approver.save()
    register(receiver, "/f", superuser, events=["filing.new"])
    history = [filing(2, "10-Q", "2026-11-02"), filing(1, "10-K", "2026-02-20")]
    with time_machine.travel(at(2026, 11, 27, 9, 0, 0), tick=False):
        filing_actions.set_cik(CIK)
        store(history)  # the first read: history, never announced
        run()
    assert receiver.received == []
    with time_machine.travel(at(2026, 11, 27, 10, 0, 0), tick=False):
        store([filing(4, "4", "2026-11-27"), filing(3, "8-K", "2026-11-27"), *history])
        from filings.models import Filing

        filing_actions.hide_filing(
            Filing.objects.get(accession_number="0000855654-26-000004"), "Not ours", approver
        )
        run()
    with time_machine.travel(at(2026, 11, 27, 10, 5, 0), tick=False):
        store([filing(4, "4", "2026-11-27"), filing(3, "8-K", "2026-11-27"), *history])
        run()
    [item] = receiver.received
    assert item.verified_with == receiver.secrets["/f"]
    assert item.payload["type"] == "filing.new"
    data = item.payload["data"]
    assert data["accession_number"] == "0000855654-26-000003"
    assert (data["form"], data["group"], data["items"]) == ("8-K", "current", ["2.02", "9.01"])
    assert data["index_url"].endswith("/000085565426000003/0000855654-26-000003-index.htm")
    assert Event.objects.filter(type="filing.new").count() == 1


def test_the_admin_s_endpoint_form_offers_the_event_and_filing_types(client, superuser, receiver):
    names = [t.name for t in registry.types()]
    assert {*EVENT_TYPES, "filing.new"} <= set(names)
    client.force_login(superuser)
    form = client.get(reverse("admin:webhooks_endpoint_add")).content.decode()
    for name in [*EVENT_TYPES, "filing.new"]:
        assert f'value="{name}"' in form
    client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": receiver.url("/a"), "events": ["event.live", "filing.new"]},
    )
    assert Endpoint.objects.get().events == ["event.live", "filing.new"]
