"""Every write with side effects on a release, each atomic, each a check step and an execute step.

The workflow is declared once, in `TRANSITIONS` (which states each step accepts, the permission
it needs, its button label and confirmation text); the admin's buttons, confirmation pages and
filters read it. Each action checks the user's permission and the release's state *here*,
refuses with a `TransitionRefused` whose message says why (and changes nothing), and records
what it did in the audit trail. The admin, the importer and the tests all go through these; no
`save()` override or signal does any of it behind their backs.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction

from irsite import clock
from irsite.http import schedule_changed
from irsite.plaintext import multi_line
from irsite.times import local_time

from ..desk import notify_approvers
from ..models import (
    AuditEntry,
    Release,
)
from ..times import publication_time_problem
from .base import (
    ContentChanged,
    TransitionRefused,
    _person,
    audit,
    set_status,
)
from .exchange import notice_problem
from .golive import goes_public, public_release_changed

Status = Release.Status
State = Release.State


@dataclass(frozen=True)
class Transition:
    """One step of the release workflow, declared once.

    The actions below run it; the admin reads it for its buttons (``label``, offered in
    ``from_states`` to holders of ``perm``), its confirmation pages (what it ``asks``: a
    "reason" or a "go_live" time, and the ``warning`` shown before confirming) and its refusals.
    `run()` is atomic: it checks the permission, locks the row, `check()`s the state and the
    step's own rule, `execute()`s the write and records the audit entry, or raises
    `TransitionRefused` having changed nothing.

    Events and reports declare their workflows on `ObjectTransition`, this shape with their
    own permissions and wording: the check-then-execute steps are written once.
    """

    name: str
    label: str
    from_states: frozenset[str]
    perm: str
    doing: str  # completes "You do not have permission to …"
    verb: str  # completes "Cannot … : the release is scheduled."
    asks: str = ""
    warning: str = ""
    # Bound to the content reviewed: refused if the release changed since the person saw it.
    binds_content: bool = False

    # The app whose permissions the steps check, and the noun their refusals use.
    app_label: ClassVar[str] = "releases"
    noun: ClassVar[str] = "release"

    def allows(self, release: Any, user) -> bool:
        """Whether the admin offers this step to ``user`` now."""
        return release.state in self.from_states and user.has_perm(f"{self.app_label}.{self.perm}")

    def check(self, release: Any, user, **params: Any) -> None:
        """Refuse (raise `TransitionRefused`) unless the release may take this step now."""
        if release.state not in self.from_states:
            raise TransitionRefused(
                f"Cannot {self.verb}: the {self.noun} is {release.state_label.lower()}."
            )

    def execute(self, release: Any, user, **params: Any) -> None:
        raise NotImplementedError

    def resolve(self, release: Any, params: dict[str, Any]) -> dict[str, Any]:
        """The step's parameters as check and execute read them (once, on the locked row)."""
        return params

    def changed_since(self, release: Any, seen: int) -> TransitionRefused:
        """The refusal when the object changed after the person saw version ``seen``: a
        release's names the fields that changed (its revisions hold them)."""
        return ContentChanged(release, seen, self.verb)

    def run(self, release: Any, user, *, version: int | None = None, **params: Any) -> None:
        """``version``: the version the person saw (default: the one in ``release`` as given)."""
        seen = release.version if version is None else version
        with transaction.atomic():
            if not user.has_perm(f"{self.app_label}.{self.perm}"):
                raise TransitionRefused(f"You do not have permission to {self.doing}.")
            # Re-read the row under a lock, so two people acting at once act one after the
            # other.
            release.refresh_from_db(from_queryset=type(release).objects.select_for_update())
            if self.binds_content and release.version != seen:
                raise self.changed_since(release, seen)
            params = self.resolve(release, params)
            self.check(release, user, **params)
            self.execute(release, user, **params)


class ObjectTransition(Transition):
    """A step of another app's workflow (events, reports): `Transition` with that app's
    ``app_label`` and ``noun``, declared by a subclass. The parameters keep the base class's
    names (a caller may pass them by name)."""

    def changed_since(self, release: Any, seen: int) -> TransitionRefused:
        return TransitionRefused(
            f"Not done: the {self.noun} changed since you opened it (version {seen}, now "
            f"{release.version}). Review it again before you {self.verb}."
        )


def reason_given(params: dict[str, Any], missing: str) -> str:
    """The step's ``reason``, stripped; refused with ``missing`` when there is none."""
    reason = (params.get("reason") or "").strip()
    if not reason:
        raise TransitionRefused(missing)
    return reason


class Submit(Transition):
    def check(self, release: Release, user, **params: Any) -> None:
        super().check(release, user)
        # An exhibit that prints no headline imports with it empty (K14): nothing may be
        # invented for it, so the editor writes one, and no button submits the draft before.
        if not release.headline.strip():
            raise TransitionRefused(
                "Write the headline before submitting for approval.", field="headline"
            )
        if not release.published_at:
            raise TransitionRefused(
                "Set the publication time before submitting for approval.", field="published_at"
            )
        # The first step refuses a time already past (the database's clock, as publication
        # itself): an approver must not be the first to find it at the publish page.
        if release.published_at < clock.now().replace(microsecond=0):
            raise TransitionRefused(
                f"The publication time {local_time(release.published_at)} has passed: set a "
                "later time before submitting for approval.",
                field="published_at",
            )

    def execute(self, release: Release, user, **params: Any) -> None:
        set_status(release, Status.IN_REVIEW)
        audit(user, AuditEntry.Action.SUBMITTED, release)
        notify_approvers.enqueue(release.pk, _person(user) and user.pk)


class Approve(Transition):
    def check(self, release: Release, user, **params: Any) -> None:
        super().check(release, user)
        last_changed_by_user = user.pk is not None and release.content_changed_by_id == user.pk
        if settings.IRSITE_FOUR_EYES and last_changed_by_user:
            raise TransitionRefused(
                "Four-eyes rule: you made the last change to this release, so someone else "
                "must approve it."
            )

    def execute(self, release: Release, user, **params: Any) -> None:
        set_status(
            release,
            Status.APPROVED,
            approved_by=_person(user),
            approved_at=clock.now(),
            approved_version=release.version,
        )
        release.freeze_borrowed()  # contact details and letterhead as approved, from now on
        audit(user, AuditEntry.Action.APPROVED, release, f"version {release.version}")


class Recall(Transition):
    """The submitter takes a release back from review to change it: a release in review is
    frozen, so what the approver reviews is what they approve."""

    def execute(self, release: Release, user, **params: Any) -> None:
        set_status(release, Status.DRAFT)
        audit(user, AuditEntry.Action.RETURNED, release, "taken back to edit")


class ReturnToDraft(Transition):
    def check(self, release: Release, user, **params: Any) -> None:
        super().check(release, user)
        reason_given(params, "Say why the release goes back to draft.")

    def execute(self, release: Release, user, **params: Any) -> None:
        set_status(release, Status.DRAFT, approved_by=None, approved_at=None)
        audit(user, AuditEntry.Action.RETURNED, release, reason_given(params, ""))


class Publish(Transition):
    """Publish an approved release at a go-live time to the second: live at once, or scheduled.

    Nothing runs at the go-live time: `ReleaseQuerySet.public()` starts showing the release
    from that second on. A time already past is refused: the record would state a moment
    before the release was public (backdating). ``now=True`` publishes at the moment of the
    action instead, recorded to the second. Only the importer records past times
    (`record_past_publication`).
    """

    def resolve(self, release: Release, params: dict[str, Any]) -> dict[str, Any]:
        at = clock.now() if params.get("now") else params.get("at") or release.published_at
        return {**params, "at": at.replace(microsecond=0) if at else None}

    def check(self, release: Release, user, **params: Any) -> None:
        if release.state in {State.DRAFT, State.IN_REVIEW}:
            raise TransitionRefused("Cannot publish: the release has not been approved.")
        super().check(release, user)
        at = params["at"]
        if at is None:
            raise TransitionRefused("Choose a go-live time, or publish now.", field="go_live")
        if problem := publication_time_problem(at):
            raise TransitionRefused(problem, field="go_live")
        if not params.get("now") and at < clock.now().replace(microsecond=0):
            raise TransitionRefused(
                f"The go-live time {local_time(at)} has passed: the release would state a time "
                "before it was public. Choose a later time, or publish now (the publication "
                "time is then the second you confirm).",
                field="go_live",
            )
        # Material news: the listing exchange's notice, when its rule asks one before this second.
        if problem := notice_problem(release, at):
            raise TransitionRefused(problem, field="go_live")

    def execute(self, release: Release, user, **params: Any) -> None:
        at = params["at"]
        set_status(release, Status.PUBLISHED, published_at=at)
        goes_public(release, at)
        if at > clock.now():
            audit(user, AuditEntry.Action.SCHEDULED, release, f"goes live {local_time(at)}")
        else:
            audit(user, AuditEntry.Action.PUBLISHED, release, f"public from {local_time(at)}")


class Unschedule(Transition):
    def execute(self, release: Release, user, **params: Any) -> None:
        set_status(release, Status.DRAFT, approved_by=None, approved_at=None)
        _discard_unpublished_pdfs(release)
        schedule_changed()
        audit(user, AuditEntry.Action.UNSCHEDULED, release)


def _discard_unpublished_pdfs(release: Release) -> None:
    """Delete the PDFs of a release that was never public (it is being unscheduled): its next
    schedule may print another go-live time or letterhead. Files go once the change commits."""
    renditions = list(release.renditions.all())
    release.renditions.all().delete()
    for rendition in renditions:
        transaction.on_commit(partial(rendition.file.delete, save=False))


class Withdraw(Transition):
    def check(self, release: Release, user, **params: Any) -> None:
        super().check(release, user)
        reason_given(params, "Say why the release is withdrawn; the notice shows it.")

    def execute(self, release: Release, user, **params: Any) -> None:
        reason = reason_given(params, "")
        set_status(release, Status.WITHDRAWN, withdrawn_at=clock.now(), withdrawal_reason=reason)
        public_release_changed(release, record=False)
        audit(user, AuditEntry.Action.WITHDRAWN, release, reason)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Submit("submit", "Submit for approval", frozenset({State.DRAFT}), "submit_release",
               "submit releases for approval", "submit"),
        Approve("approve", "Approve", frozenset({State.IN_REVIEW}), "approve_release",
                "approve releases", "approve", binds_content=True),
        Recall("recall", "Back to draft to edit", frozenset({State.IN_REVIEW}), "submit_release",
               "take releases back from review", "take back from review"),
        ReturnToDraft("return", "Return to draft", frozenset({State.IN_REVIEW, State.APPROVED}),
                      "approve_release", "return releases to draft", "return to draft",
                      asks="reason"),
        Publish("publish", "Publish or schedule", frozenset({State.APPROVED}), "publish_release",
                "publish releases", "publish", asks="go_live", binds_content=True,
                warning="From the go-live time on, the release is on every public page and "
                "feed."),
        Unschedule("unschedule", "Unschedule", frozenset({State.SCHEDULED}), "publish_release",
                   "unschedule releases", "unschedule"),
        Withdraw("withdraw", "Withdraw", frozenset({State.LIVE}), "withdraw_release",
                 "withdraw releases", "withdraw", asks="reason",
                 warning="The public URL will answer 410 Gone with the reason; the release "
                 "leaves lists and feeds."),
    ]
}  # fmt: skip


def submit(release: Release, user) -> None:
    TRANSITIONS["submit"].run(release, user)


def approve(release: Release, user, *, version: int | None = None) -> None:
    """Approve the release in review at ``version`` (default: as ``release`` holds it)."""
    TRANSITIONS["approve"].run(release, user, version=version)


def recall(release: Release, user) -> None:
    TRANSITIONS["recall"].run(release, user)


def return_to_draft(release: Release, user, reason: str) -> None:
    """An approver sends a release in review (or approved, not yet scheduled) back to draft."""
    TRANSITIONS["return"].run(release, user, reason=multi_line(reason))


def publish(
    release: Release,
    user,
    at: datetime | None = None,
    *,
    now: bool = False,
    version: int | None = None,
) -> None:
    """Publish an approved release at ``at`` (default: its publication time), which must not
    have passed, or at the moment of the action with ``now=True``."""
    TRANSITIONS["publish"].run(release, user, at=at, now=now, version=version)


def unschedule(release: Release, user) -> None:
    TRANSITIONS["unschedule"].run(release, user)


def withdraw(release: Release, user, reason: str) -> None:
    TRANSITIONS["withdraw"].run(release, user, reason=multi_line(reason))
