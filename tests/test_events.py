"""Events: the publication rule, the materials rule, the workflow, changes of public events and
the schedule the HTTP layer caps its caches at (issue 25)."""

from datetime import timedelta

import pytest
import time_machine

from events import actions
from events.models import Event, EventAuditEntry, EventChange
from irsite.http import schedule

from .conftest import SYSTEM, at

ANNOUNCE = at(2026, 12, 1, 8, 0, 0)
MATERIALS = at(2027, 1, 28, 16, 5, 0)


@pytest.fixture
def event(make_event, announce):
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        return announce(
            make_event(
                webcast_url="https://webcast.example.com/q4",
                dial_in="+1 800 555 0100, passcode 1234",
                materials_at=MATERIALS,
            )
        )


def test_an_event_is_public_from_its_announce_second(event):
    for moment, public in [
        (ANNOUNCE - timedelta(seconds=1), False),
        (ANNOUNCE, True),
        (ANNOUNCE + timedelta(seconds=1), True),
    ]:
        with time_machine.travel(moment, tick=False):
            assert Event.objects.public().filter(pk=event.pk).exists() is public
            assert event.is_public() is public


def test_materials_are_public_from_their_own_second_and_both_rules_agree(event):
    for moment, visible in [
        (ANNOUNCE, False),
        (MATERIALS - timedelta(seconds=1), False),
        (MATERIALS, True),
    ]:
        with time_machine.travel(moment, tick=False):
            assert event.materials_visible() is visible
            assert Event.objects.with_materials().filter(pk=event.pk).exists() is visible


def test_the_schedule_registry_names_the_announce_and_materials_seconds(event):
    before = ANNOUNCE - timedelta(hours=1)
    assert schedule.next_go_live(before) == ANNOUNCE
    assert schedule.next_go_live(ANNOUNCE) == MATERIALS
    assert schedule.latest_go_live(MATERIALS + timedelta(seconds=5)) == MATERIALS


def test_the_latest_change_the_site_asks_is_the_querysets_at_every_second(event):
    """The statement built once per process (`latest_change_at`, the site's Last-Modified)
    answers as `EventQuerySet.latest_change` does, at each second around the event's own."""
    from events.models.querysets import latest_change_at

    second = timedelta(seconds=1)
    ends = event.ends_at
    for moment in [ANNOUNCE - second, ANNOUNCE, ANNOUNCE + second, MATERIALS - second,
                   MATERIALS, ends, ends + timedelta(days=1)]:  # fmt: skip
        assert latest_change_at(moment) == Event.objects.latest_change(moment), moment
    assert latest_change_at(ANNOUNCE - timedelta(seconds=1)) is None
    assert latest_change_at(ANNOUNCE) == ANNOUNCE
    assert latest_change_at(MATERIALS) == MATERIALS


def test_the_approver_must_not_be_the_last_editor(make_event, editor, approver, settings):
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        event = make_event(by=approver)
        actions.submit(event, approver)
        with pytest.raises(actions.TransitionRefused, match="Four-eyes"):
            actions.approve(event, approver)
        event.refresh_from_db()
        assert event.status == Event.Status.IN_REVIEW


def test_an_editor_cannot_approve(make_event, editor):
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        event = make_event()
        actions.submit(event, editor)
        with pytest.raises(actions.TransitionRefused, match="permission"):
            actions.approve(event, editor)


def test_an_announce_time_already_past_is_refused(make_event):
    event = make_event()
    with time_machine.travel(ANNOUNCE + timedelta(seconds=1), tick=False):
        actions.submit(event, SYSTEM)
        with pytest.raises(actions.TransitionRefused, match="has passed"):
            actions.approve(event, SYSTEM)
        actions.approve(event, SYSTEM, now=True)
        event.refresh_from_db()
        assert event.announce_at == at(2026, 12, 1, 8, 0, 1)
        assert event.state == Event.State.LIVE


def test_a_public_event_changes_only_when_a_second_person_approves(event, editor, approver):
    with time_machine.travel(ANNOUNCE + timedelta(days=1), tick=False):
        edited = Event.objects.get(pk=event.pk)
        edited.starts_at = at(2027, 2, 4, 17, 0, 0)
        edited.ends_at = at(2027, 2, 4, 18, 0, 0)
        change = actions.save_event(edited, editor, change_note="Moved a week later.")
        assert isinstance(change, EventChange)
        event.refresh_from_db()
        assert event.starts_at == at(2027, 1, 28, 17, 0, 0)  # nothing public changed
        with pytest.raises(actions.TransitionRefused, match="Four-eyes"):
            actions.approve_change(change, _with_correct_perm(editor))
        actions.approve_change(change, approver)
        event.refresh_from_db()
    assert event.starts_at == at(2027, 2, 4, 17, 0, 0)
    assert event.schedule == Event.Schedule.RESCHEDULED
    assert event.previous_starts_at == at(2027, 1, 28, 17, 0, 0)
    assert event.sequence == 1
    actions_done = set(EventAuditEntry.objects.filter(event=event).values_list("action", flat=True))
    assert {"created", "submitted", "approved", "change_prepared", "changed"} <= actions_done


def _with_correct_perm(user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="correct_event"))
    return type(user).objects.get(pk=user.pk)


def test_a_change_without_a_note_is_refused_and_nothing_is_prepared(event, editor):
    with time_machine.travel(ANNOUNCE + timedelta(days=1), tick=False):
        edited = Event.objects.get(pk=event.pk)
        edited.schedule = Event.Schedule.CANCELLED
        with pytest.raises(actions.TransitionRefused, match="Say what changes"):
            actions.save_event(edited, editor)
    assert not EventChange.objects.exists()


def test_the_url_of_a_public_event_cannot_change(event, editor):
    with time_machine.travel(ANNOUNCE + timedelta(days=1), tick=False):
        edited = Event.objects.get(pk=event.pk)
        edited.slug = "another-slug"
        with pytest.raises(actions.TransitionRefused, match="cannot change"):
            actions.save_event(edited, editor, change_note="New slug")


def test_an_event_in_review_is_frozen(make_event, editor):
    event = make_event()
    actions.submit(event, SYSTEM)
    event.title = "Changed in review"
    with pytest.raises(actions.TransitionRefused, match="in review"):
        actions.save_event(event, editor)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": at(2027, 1, 28, 16, 0, 0)}, "ends_at"),
        ({"zone": "Mars/Olympus_Mons"}, "zone"),
        ({"webcast_url": "javascript:alert(1)"}, "webcast_url"),
        ({"webcast_url": "http://192.168.1.10/webcast"}, "webcast_url"),
        ({"replay_until": at(2027, 1, 28, 17, 30, 0)}, "replay_until"),
        ({"materials_at": at(2026, 11, 1, 8, 0, 0)}, "materials_at"),
    ],
)
def test_inconsistent_events_are_refused_by_the_action(make_event, fields, field):
    with pytest.raises(actions.TransitionRefused) as refused:
        make_event(**fields)
    assert refused.value.field == field
    assert not Event.objects.exists()
