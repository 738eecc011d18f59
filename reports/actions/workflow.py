"""The report workflow, declared once in `TRANSITIONS` on the releases' own `Transition`:
draft → in review → approved and public at its publication second (four-eyes approval bound to
the version the approver saw) → withdrawn, if ever.

An approval is the publication: the approver confirms the second (or "publish now"), and
`ReportQuerySet.public` shows the report from it on. A time already past is refused (no
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

from ..models import Report, ReportAuditEntry
from .base import TransitionRefused, audit, check_complete, four_eyes, person
from .golive import public_report_changed, report_goes_public

State = Report.State
Status = Report.Status
Action = ReportAuditEntry.Action


class ReportTransition(ObjectTransition):
    """A step of the report workflow: the releases' `Transition` (permission, row lock,
    version bound, check then execute) with the reports' permissions and wording. ``release`` is
    the `Report` a step acts on."""

    app_label = "reports"
    noun = "report"


class Submit(ReportTransition):
    def check(self, release: Any, user, **params: Any) -> None:
        super().check(release, user)
        check_complete(release)

    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.IN_REVIEW)
        audit(user, Action.SUBMITTED, release)


class Recall(ReportTransition):
    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.DRAFT)
        audit(user, Action.RETURNED, release, "taken back to edit")


class ReturnToDraft(ReportTransition):
    def check(self, release: Any, user, **params: Any) -> None:
        super().check(release, user)
        reason_given(params, "Say why the report goes back to draft.")

    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.DRAFT)
        audit(user, Action.RETURNED, release, reason_given(params, ""))


class Approve(ReportTransition):
    """Approve and publish: public from its publication second (``now=True``: this one)."""

    def resolve(self, release: Any, params: dict[str, Any]) -> dict[str, Any]:
        at = clock.now() if params.get("now") else params.get("at") or release.published_at
        return {**params, "at": at.replace(microsecond=0) if at else None}

    def check(self, release: Any, user, **params: Any) -> None:
        super().check(release, user)
        four_eyes(user, release.content_changed_by_id, "made the last change to this report")
        at: datetime | None = params["at"]
        if at is None:
            raise TransitionRefused(
                "Choose a publication time, or publish now.", field="published_at"
            )
        if problem := publication_time_problem(at):
            raise TransitionRefused(problem, field="published_at")
        if not params.get("now") and at < clock.now().replace(microsecond=0):
            raise TransitionRefused(
                f"The publication time {local_time(at)} has passed: the record would state a "
                "time before the report was public. Choose a later time, or publish now.",
                field="published_at",
            )
        check_complete(release)

    def execute(self, release: Any, user, **params: Any) -> None:
        at = params["at"]
        set_status(
            release,
            Status.PUBLISHED,
            published_at=at,
            approved_by=person(user),
            approved_at=clock.now(),
        )
        report_goes_public(release, at)
        if at > clock.now():
            audit(user, Action.APPROVED, release, f"public {local_time(at)}")
        else:
            audit(user, Action.PUBLISHED, release, f"public from {local_time(at)}")


class Unschedule(ReportTransition):
    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.DRAFT, approved_by=None, approved_at=None)
        schedule_changed()
        audit(user, Action.UNSCHEDULED, release)


class Withdraw(ReportTransition):
    """Off the lists, feeds and sitemap; its file URLs answer 410 Gone."""

    def check(self, release: Any, user, **params: Any) -> None:
        super().check(release, user)
        reason_given(params, "Say why the report is withdrawn.")

    def execute(self, release: Any, user, **params: Any) -> None:
        set_status(release, Status.WITHDRAWN)
        public_report_changed(release)
        audit(user, Action.WITHDRAWN, release, reason_given(params, ""))


TRANSITIONS: dict[str, ReportTransition] = {
    t.name: t
    for t in [
        Submit("submit", "Submit for approval", frozenset({State.DRAFT}), "submit_report",
               "submit reports for approval", "submit"),
        Recall("recall", "Back to draft to edit", frozenset({State.IN_REVIEW}), "submit_report",
               "take reports back from review", "take back from review"),
        ReturnToDraft("return", "Return to draft", frozenset({State.IN_REVIEW}),
                      "approve_report", "return reports to draft", "return to draft",
                      asks="reason"),
        Approve("approve", "Approve and schedule", frozenset({State.IN_REVIEW}),
                "approve_report", "approve reports", "approve", asks="go_live",
                binds_content=True,
                warning="From the publication time on, the report and its file are on the "
                "reports pages, feeds and sitemap."),
        Unschedule("unschedule", "Unschedule", frozenset({State.SCHEDULED}), "approve_report",
                   "unschedule reports", "unschedule"),
        Withdraw("withdraw", "Withdraw", frozenset({State.LIVE}), "correct_report",
                 "withdraw reports", "withdraw", asks="reason",
                 warning="The report leaves every public page; its file URLs answer 410 Gone."),
    ]
}  # fmt: skip


def submit(report: Report, user) -> None:
    TRANSITIONS["submit"].run(report, user)


def recall(report: Report, user) -> None:
    TRANSITIONS["recall"].run(report, user)


def return_to_draft(report: Report, user, reason: str) -> None:
    TRANSITIONS["return"].run(report, user, reason=multi_line(reason))


def approve(
    report: Report,
    user,
    at: datetime | None = None,
    *,
    now: bool = False,
    version: int | None = None,
) -> None:
    """Approve ``report`` in review to go public at ``at`` (default its publication time), or
    at the second of the action with ``now=True``."""
    TRANSITIONS["approve"].run(report, user, at=at, now=now, version=version)


def unschedule(report: Report, user) -> None:
    TRANSITIONS["unschedule"].run(report, user)


def withdraw(report: Report, user, reason: str) -> None:
    TRANSITIONS["withdraw"].run(report, user, reason=multi_line(reason))
