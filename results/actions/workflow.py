"""A kit's approval, on the releases' own `Transition` (its check-then-execute shape, its
version binding): a second person approves the kit as it stands; it is then public from its
release's go-live second (or at once, if the release is already public). No second of its own."""

from typing import Any

from django.db import transaction

from irsite import clock
from releases.actions import Transition

from ..models import KitAuditEntry, ResultsKit
from .base import TransitionRefused, audit, four_eyes, kit_changed_publicly, lock, person, require


class KitTransition(Transition):
    """`Transition` with the kits' permissions, row lock and wording. ``release`` is the
    `ResultsKit` a step acts on (the parameters keep the base class's names)."""

    def allows(self, release: Any, user) -> bool:
        return release.status in self.from_states and user.has_perm(f"results.{self.perm}")

    def check(self, release: Any, user, **params: Any) -> None:
        if release.status not in self.from_states:
            raise TransitionRefused(f"Cannot {self.verb}: the kit is {release.state_label}.")

    def run(self, release: Any, user, *, version: int | None = None, **params: Any) -> None:
        seen = release.version if version is None else version
        with transaction.atomic():
            require(user, self.perm, self.doing)
            lock(release)
            if self.binds_content and release.version != seen:
                raise TransitionRefused(
                    f"Not done: the kit changed since you opened it (version {seen}, now "
                    f"{release.version}). Review it again before you {self.verb}."
                )
            self.check(release, user, **params)
            self.execute(release, user, **params)


class Approve(KitTransition):
    def check(self, release: Any, user, **params: Any) -> None:
        super().check(release, user)
        four_eyes(user, release.content_changed_by_id, "made the last change to this kit")
        if release.release.withdrawn_at is not None:
            raise TransitionRefused("Its release is withdrawn.")

    def execute(self, release: Any, user, **params: Any) -> None:
        kit: ResultsKit = release
        kit.status = ResultsKit.Status.APPROVED
        kit.approved_by, kit.approved_at = person(user), clock.now()
        kit.save(update_fields=["status", "approved_by", "approved_at"])
        if kit.release.is_public:
            kit_changed_publicly()
            audit(user, KitAuditEntry.Action.APPROVED, kit, "public now (its release is)")
        else:
            # Public at the release's go-live, whose purges and page-cache cap cover kit URLs.
            audit(user, KitAuditEntry.Action.APPROVED, kit, "public with its release")


TRANSITIONS: dict[str, KitTransition] = {
    "approve": Approve(
        "approve", "Approve the kit", frozenset({ResultsKit.Status.DRAFT}), "approve_resultskit",
        "approve results kits", "approve", binds_content=True,
        warning="The kit, its documents and their order go public with its release (now, if "
        "the release is public).",
    ),
}  # fmt: skip


def approve(kit: ResultsKit, user, *, version: int | None = None) -> None:
    TRANSITIONS["approve"].run(kit, user, version=version)
