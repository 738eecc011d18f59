"""The events desk, driven as Editors and Approvers use it (issue 25): the admin's forms, the
workflow's confirmation pages, changes of public events; and the front-cache purges they set
in motion, run by the real worker against a recording PURGE endpoint."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from events.models import Event, EventAuditEntry, EventChange

from .conftest import at
from .fronts import purged, run_worker

NOW = at(2026, 11, 20, 9, 0, 0)
ADD_URL = reverse("admin:events_event_add")


def form_data(**overrides) -> dict:
    """What the event form posts for a new event, typed as an editor types it."""
    return {
        "title": "Q4 2026 earnings call",
        "slug": "q4-2026-earnings-call",
        "kind": "earnings_call",
        "description": "Results for the fourth quarter and the full year.",
        "zone": "America/New_York",
        "starts_at_0": "2027-01-28",
        "starts_at_1": "5:00 PM",
        "starts_at_2": "",
        "ends_at_0": "2027-01-28",
        "ends_at_1": "18:00",
        "ends_at_2": "",
        "attendance": "online",
        "location": "",
        "registration_url": "",
        "webcast_url": "https://webcast.example.com/q4",
        "dial_in": "+1 800 555 0100",
        "replay_url": "",
        "replay_until_0": "",
        "replay_until_1": "",
        "replay_until_2": "",
        "announce_at_0": "2026-12-01",
        "announce_at_1": "08:00",
        "announce_at_2": "",
        "materials_at_0": "2027-01-28",
        "materials_at_1": "16:05",
        "materials_at_2": "",
        "based_on_version": "",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    } | overrides


def edit_data(event: Event, **overrides) -> dict:
    local = event.local_start
    end = event.local_end
    data = form_data(
        title=event.title,
        slug=event.slug,
        starts_at_0=f"{local:%Y-%m-%d}",
        starts_at_1=f"{local:%H:%M:%S}",
        ends_at_0=f"{end:%Y-%m-%d}",
        ends_at_1=f"{end:%H:%M:%S}",
        based_on_version=event.version,
        schedule=event.schedule,
        change_note="",
    )
    return data | overrides


def signed_in(client, user):
    client.force_login(user)
    return client


def transition(client, event, name, data=None):
    url = reverse("admin:events_event_transition", args=[event.pk, name])
    version = Event.objects.get(pk=event.pk).version
    return client.post(url, {"version": version, **(data or {})})


def test_an_editor_writes_and_submits_and_an_approver_schedules(client, editor, approver, company):
    with time_machine.travel(NOW, tick=False):
        response = signed_in(client, editor).post(ADD_URL, form_data())
        assert response.status_code == 302, response.content.decode()[:3000]
        event = Event.objects.get()
        assert event.local_start.hour == 17 and event.content_changed_by == editor
        transition(client, event, "submit")
        event.refresh_from_db()
        assert event.status == Event.Status.IN_REVIEW
        signed_in(client, approver)
        response = transition(
            client,
            event,
            "approve",
            {"announce_at_0": "2026-12-01", "announce_at_1": "08:00", "announce_at_2": ""},
        )
        assert response.status_code == 302
        event.refresh_from_db()
        assert event.state == Event.State.SCHEDULED and event.approved_by == approver
    assert EventAuditEntry.objects.filter(event=event, action="approved").exists()


def test_the_last_editor_cannot_approve_in_the_admin(client, approver, company):
    with time_machine.travel(NOW, tick=False):
        signed_in(client, approver).post(ADD_URL, form_data())
        event = Event.objects.get()
        transition(client, event, "submit")
        response = transition(
            client,
            event,
            "approve",
            {"announce_at_0": "2026-12-01", "announce_at_1": "08:00", "announce_at_2": ""},
        )
    assert response.status_code == 200
    assert "Four-eyes rule" in response.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.IN_REVIEW


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at_1": "16:00"}, "ends_at", "must end after it starts"),
        ({"zone": "Eastern Time"}, "zone", "not an IANA time zone name"),
        # 02:30 does not exist in New York on 14 March 2027 (clocks go forward).
        ({"starts_at_0": "2027-03-14", "starts_at_1": "02:30", "ends_at_0": "2027-03-14",
          "ends_at_1": "04:00"}, "starts_at", "does not exist"),
        # 01:30 happens twice on 7 November 2027: which one must be said.
        ({"starts_at_0": "2027-11-07", "starts_at_1": "01:30", "ends_at_0": "2027-11-07",
          "ends_at_1": "04:00"}, "starts_at", "happens twice"),
        ({"webcast_url": "javascript:alert(document.cookie)"}, "webcast_url", "valid URL"),
        ({"registration_url": "http://10.0.0.5/register"}, "registration_url", "public internet"),
        ({"replay_url": "https://replay.example.com/q4", "replay_until_0": "2027-01-28",
          "replay_until_1": "17:30"}, "replay_until", "past the end"),
    ],
)  # fmt: skip
def test_bad_input_is_a_form_error_that_keeps_what_was_typed(
    client, editor, company, overrides, field, message
):
    with time_machine.travel(NOW, tick=False):
        response = signed_in(client, editor).post(ADD_URL, form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert 'value="Q4 2026 earnings call"' in response.content.decode()
    assert not Event.objects.exists()


def test_the_repeated_hour_with_its_occurrence_chosen_is_saved(client, editor, company):
    with time_machine.travel(NOW, tick=False):
        data = form_data(starts_at_0="2027-11-07", starts_at_1="01:30", starts_at_2="1",
                         ends_at_0="2027-11-07", ends_at_1="04:00")  # fmt: skip
        assert signed_in(client, editor).post(ADD_URL, data).status_code == 302
    event = Event.objects.get()
    assert event.local_start.tzname() == "EST"


def test_a_title_is_normalised_where_it_enters(client, editor, company):
    with time_machine.travel(NOW, tick=False):
        data = form_data(title="Q4\u00a0call\x07 with\nbreaks")
        assert signed_in(client, editor).post(ADD_URL, data).status_code == 302
    assert "\x07" not in Event.objects.get().title and "\n" not in Event.objects.get().title


@pytest.fixture
def live_event(make_event, announce):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        return announce(make_event(announce_at=NOW - timedelta(hours=1)))


def test_a_reschedule_in_the_admin_is_public_when_a_second_approver_approves(
    client, editor, approver, live_event
):
    with time_machine.travel(NOW, tick=False):
        url = reverse("admin:events_event_change", args=[live_event.pk])
        signed_in(client, editor)
        data = edit_data(live_event, starts_at_0="2027-02-04", ends_at_0="2027-02-04")
        refused = client.post(url, data)
        assert "Say what changes" in refused.content.decode()
        response = client.post(url, {**data, "change_note": "Moved a week, to February 4."})
        change = EventChange.objects.get()
        assert response["Location"] == reverse(
            "admin:events_event_change_review", args=[live_event.pk, change.pk]
        )
        live_event.refresh_from_db()
        assert live_event.local_start.day == 28  # nothing public changed
        signed_in(client, approver).post(
            response["Location"], {"approve": "1", "version": live_event.version}
        )
    live_event.refresh_from_db()
    assert live_event.local_start.day == 4 and live_event.schedule == "rescheduled"
    with time_machine.travel(NOW, tick=False):
        page = client.get(live_event.get_absolute_url()).content.decode()
    assert "Rescheduled</strong> from" in page and "Moved a week, to February 4." in page


def test_the_audit_trail_is_append_only(client, superuser, live_event):
    signed_in(client, superuser)
    assert client.get(reverse("admin:events_eventauditentry_add")).status_code == 403
    entry = EventAuditEntry.objects.first()
    assert client.post(reverse("admin:events_eventauditentry_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403  # fmt: skip


# --- front-cache purges -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_front_cache_is_purged_at_the_announce_and_materials_seconds(
    edge,
    make_event,
    announce,
):
    announce_at, materials_at = NOW + timedelta(hours=1), NOW + timedelta(hours=2)
    with time_machine.travel(NOW, tick=False):
        announce(make_event(announce_at=announce_at, materials_at=materials_at))
        run_worker()
    assert purged(edge) == []
    for second, count in [(announce_at - timedelta(seconds=1), 0), (announce_at, 1),
                          (materials_at - timedelta(seconds=1), 2), (materials_at, 3)]:  # fmt: skip
        with time_machine.travel(second, tick=False):
            run_worker()
        assert len(purged(edge)) == count, second
    assert all(keys == ["list"] for keys in purged(edge))


@pytest.mark.django_db(transaction=True)
def test_approving_a_cancellation_purges_at_once(
    edge,
    make_event,
    announce,
    editor,
    approver,
):
    from events import actions

    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        event = announce(make_event(announce_at=NOW - timedelta(hours=1)))
    with time_machine.travel(NOW, tick=False):
        run_worker()
        edge.purges.clear()
        edited = Event.objects.get(pk=event.pk)
        edited.schedule = Event.Schedule.CANCELLED
        change = actions.save_event(edited, editor, change_note="Cancelled.")
        run_worker()
        assert purged(edge) == [], "a prepared change is not public"
        actions.approve_change(change, approver)
        run_worker()
    assert purged(edge) == [["list"]]


def test_demo_events_load_once_and_the_next_call_lies_across_a_dst_change(company, client):
    from django.core.management import call_command

    from irsite import clock

    call_command("load_demo_events")
    call_command("load_demo_events")
    events = {e.slug: e for e in Event.objects.all()}
    assert set(events) == {"q3-earnings-call", "q4-earnings-call", "annual-meeting"}
    assert all(e.is_public() for e in events.values())
    now_offset = clock.now().astimezone(events["q4-earnings-call"].tz).utcoffset()
    assert events["q4-earnings-call"].local_start.utcoffset() != now_offset
    page = client.get(events["q3-earnings-call"].get_absolute_url()).content.decode()
    assert "Q3 presentation" in page and "replay" in page.lower()
