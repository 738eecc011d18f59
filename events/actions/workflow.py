"""The event workflow, declared once in `TRANSITIONS` on the releases' own `Transition` (its
fields, its check-then-execute shape): draft → in review → approved and public at its announce
second, with four-eyes approval bound to the version the approver saw.

An approval is the publication: the approver confirms the announce second (or "announce now"),
and `EventQuerySet.public` shows the event from it on. A time already past is refused (no
backdating).
"""

from datetime import datetime
from typing import Any

from irsite import clock
from irsite.http import schedule_changed
from irsite.plaintext import multi_line
from irsite.times import local_time
from releases.actions import ObjectTransition, reason_given, set_status
from releases.times import publication_time_problem

from ..models import Event, EventAuditEntry
from .base import TransitionRefused, audit, check_consistent, four_eyes, person
from .golive import event_goes_public

State = Event.State
Status = Event.Status
Action = EventAuditEntry.Action


class EventTransition(ObjectTransition):
    """A step of the event workflow: the releases' `Transition` (permission, row lock,
    version bound, check then execute) with the events' permissions and wording. ``release`` is
    the `Event` a step acts on."""

    app_label = "events"
    noun = "event"


class Submit(EventTransition):
    def check(self, release: Any, user, **params: Any) -> None:
        super().check(release, user)
        if not release.announce_at:
            raise TransitionRefused("Set the announce time before submitting for approval.")

    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.IN_REVIEW)
        audit(user, Action.SUBMITTED, release)


class Recall(EventTransition):
    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.DRAFT)
        audit(user, Action.RETURNED, release, "taken back to edit")


class ReturnToDraft(EventTransition):
    def check(self, release: Any, user, **params: Any) -> None:
        super().check(release, user)
        reason_given(params, "Say why the event goes back to draft.")

    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.DRAFT)
        audit(user, Action.RETURNED, release, reason_given(params, ""))


class Approve(EventTransition):
    """Approve and publish: public from its announce second (``now=True``: from this one)."""

    def resolve(self, release: Any, params: dict[str, Any]) -> dict[str, Any]:
        at = clock.now() if params.get("now") else params.get("at") or release.announce_at
        return {**params, "at": at.replace(microsecond=0) if at else None}

    def check(self, release: Any, user, **params: Any) -> None:
        super().check(release, user)
        four_eyes(user, release.content_changed_by_id, "made the last change to this event")
        at: datetime | None = params["at"]
        if at is None:
            raise TransitionRefused(
                "Choose an announce time, or announce now.", field="announce_at"
            )
        if problem := publication_time_problem(at):
            raise TransitionRefused(problem.replace("publication", "announce"), field="announce_at")
        if not params.get("now") and at < clock.now().replace(microsecond=0):
            raise TransitionRefused(
                f"The announce time {local_time(at)} has passed: the record would state a time "
                "before the event was public. Choose a later time, or announce now.",
                field="announce_at",
            )
        if release.materials_at and release.materials_at < at:
            raise TransitionRefused(
                "The materials time is before the announce time: return the event to draft to "
                "change it.",
                field="materials_at",
            )
        release.announce_at = at
        check_consistent(release)

    def execute(self, release: Any, user, **params: Any) -> None:
        at = params["at"]
        set_status(
            release,
            Status.PUBLISHED,
            announce_at=at,
            approved_by=person(user),
            approved_at=clock.now(),
        )
        event_goes_public(release, at)
        if at > clock.now():
            audit(user, Action.APPROVED, release, f"announced {local_time(at)}")
        else:
            audit(user, Action.ANNOUNCED, release, f"public from {local_time(at)}")


class Unschedule(EventTransition):
    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.DRAFT, approved_by=None, approved_at=None)
        schedule_changed()
        audit(user, Action.UNSCHEDULED, release)


TRANSITIONS: dict[str, EventTransition] = {
    t.name: t
    for t in [
        Submit("submit", "Submit for approval", frozenset({State.DRAFT}), "submit_event",
               "submit events for approval", "submit"),
        Recall("recall", "Back to draft to edit", frozenset({State.IN_REVIEW}), "submit_event",
               "take events back from review", "take back from review"),
        ReturnToDraft("return", "Return to draft", frozenset({State.IN_REVIEW}), "approve_event",
                      "return events to draft", "return to draft", asks="reason"),
        Approve("approve", "Approve and schedule", frozenset({State.IN_REVIEW}), "approve_event",
                "approve events", "approve", asks="go_live", binds_content=True,
                warning="From the announce time on, the event is on every public page, calendar "
                "file and feed; its webcast, dial-in and documents from the materials time."),
        Unschedule("unschedule", "Unschedule", frozenset({State.SCHEDULED}), "approve_event",
                   "unschedule events", "unschedule"),
    ]
}  # fmt: skip


def submit(event: Event, user) -> None:
    TRANSITIONS["submit"].run(event, user)


def recall(event: Event, user) -> None:
    TRANSITIONS["recall"].run(event, user)


def return_to_draft(event: Event, user, reason: str) -> None:
    TRANSITIONS["return"].run(event, user, reason=multi_line(reason))


def approve(
    event: Event, user, at: datetime | None = None, *, now: bool = False, version: int | None = None
) -> None:
    """Approve ``event`` in review to be announced at ``at`` (default its announce time), or at
    the second of the action with ``now=True``."""
    TRANSITIONS["approve"].run(event, user, at=at, now=now, version=version)


def unschedule(event: Event, user) -> None:
    TRANSITIONS["unschedule"].run(event, user)
