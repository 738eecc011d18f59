"""Every workflow transition, allowed and refused; refusals change nothing."""

import pytest
import time_machine

from releases import actions
from releases.models import AuditEntry, Release

from .conftest import LATER, at

NOW = at(2026, 11, 26, 12, 0, 0)


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def draft(make_release, editor):
    return make_release(by=editor, published_at=at(2026, 11, 27, 8, 0, 0))


def audit_actions(release: Release) -> list[str]:
    return list(release.audit_entries.order_by("pk").values_list("action", flat=True))


def assert_refused(action, release: Release, user, *args, match: str, **kwargs) -> None:
    before = Release.objects.get(pk=release.pk)
    entries = AuditEntry.objects.count()
    with pytest.raises(actions.TransitionRefused, match=match):
        action(release, user, *args, **kwargs)
    after = Release.objects.get(pk=release.pk)
    assert (after.status, after.version, after.published_at) == (
        before.status,
        before.version,
        before.published_at,
    )
    assert AuditEntry.objects.count() == entries


def test_full_workflow_from_draft_to_scheduled_to_live(draft, editor, approver):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=at(2026, 11, 27, 8, 0, 0))
    assert draft.state == "scheduled"
    with time_machine.travel(at(2026, 11, 27, 8, 0, 0), tick=False):
        assert Release.objects.get(pk=draft.pk).state == "live"
    assert audit_actions(draft) == ["created", "submitted", "approved", "scheduled"]


def test_publishing_now_makes_the_release_live_at_once(draft, editor, approver):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=NOW)
    assert draft in Release.objects.public()
    assert audit_actions(draft)[-1] == "published"


def test_editor_cannot_approve(draft, editor):
    actions.submit(draft, editor)
    assert_refused(actions.approve, draft, editor, match="permission to approve")


def test_editor_cannot_publish(draft, editor, approver):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    assert_refused(actions.publish, draft, editor, match="permission to publish")


def test_publishing_without_approval_is_refused(draft, editor, approver):
    assert_refused(actions.publish, draft, approver, match="not been approved")
    actions.submit(draft, editor)
    assert_refused(actions.publish, draft, approver, match="not been approved")


def test_four_eyes_approver_cannot_approve_own_change(make_release, approver, second_approver):
    release = make_release(by=approver, published_at=LATER)
    actions.submit(release, approver)
    assert_refused(actions.approve, release, approver, match="Four-eyes")
    actions.approve(release, second_approver)
    assert release.status == Release.Status.APPROVED


def test_four_eyes_can_be_switched_off(make_release, approver, settings):
    settings.IRSITE_FOUR_EYES = False
    release = make_release(by=approver, published_at=LATER)
    actions.submit(release, approver)
    actions.approve(release, approver)
    assert release.status == Release.Status.APPROVED


def test_submitting_twice_is_refused(draft, editor):
    actions.submit(draft, editor)
    assert_refused(actions.submit, draft, editor, match="in review")


def test_submitting_without_publication_time_is_refused(make_release, editor):
    release = make_release(by=editor, published_at=None)
    assert_refused(actions.submit, release, editor, match="publication time")


def test_return_to_draft_needs_a_reason(draft, editor, approver):
    actions.submit(draft, editor)
    assert_refused(actions.return_to_draft, draft, approver, "  ", match="Say why")
    actions.return_to_draft(draft, approver, "Numbers do not match the 10-Q.")
    assert draft.status == Release.Status.DRAFT


def test_unscheduling_before_go_live_returns_to_draft(draft, editor, approver):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=at(2026, 11, 27, 8, 0, 0))
    actions.unschedule(draft, approver)
    assert draft.status == Release.Status.DRAFT
    assert draft.approved_by is None
    assert audit_actions(draft)[-1] == "unscheduled"


def test_unscheduling_a_live_release_is_refused(draft, editor, approver):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=NOW)
    assert_refused(actions.unschedule, draft, approver, match="live")


def test_withdrawal_needs_a_reason_and_a_live_release(draft, editor, approver):
    assert_refused(actions.withdraw, draft, approver, "Wrong numbers", match="draft")
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=NOW)
    assert_refused(actions.withdraw, draft, editor, "Wrong numbers", match="permission")
    assert_refused(actions.withdraw, draft, approver, "", match="Say why")
    actions.withdraw(draft, approver, "Issued in error.")
    assert draft.status == Release.Status.WITHDRAWN
    assert draft not in Release.objects.public()


def test_every_save_records_a_revision(draft, editor):
    draft.headline = "A better headline"
    actions.save_release(draft, editor, expected_version=draft.version)
    assert list(draft.revisions.values_list("number", flat=True)) == [2, 1]
    assert draft.revisions.first().data["headline"] == "A better headline"
    assert audit_actions(draft) == ["created", "edited"]


def test_save_from_an_outdated_version_is_a_conflict(draft, editor, approver):
    first_seen = draft.version
    other = Release.objects.get(pk=draft.pk)
    other.headline = "Saved first"
    actions.save_release(other, approver, expected_version=first_seen)
    draft.headline = "Saved second"
    with pytest.raises(actions.EditConflict, match="changed by alex"):
        actions.save_release(draft, editor, expected_version=first_seen)
    assert Release.objects.get(pk=draft.pk).headline == "Saved first"


def test_approved_release_cannot_be_edited(draft, editor, approver):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    draft.headline = "Sneaky change after approval"
    with pytest.raises(actions.TransitionRefused, match="Return it to draft"):
        actions.save_release(draft, editor)
    assert Release.objects.get(pk=draft.pk).headline != "Sneaky change after approval"


def test_correction_needs_a_note_and_a_second_person_to_go_public(
    draft, editor, approver, second_approver
):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=NOW)
    draft.headline = "Corrected headline"
    with pytest.raises(actions.TransitionRefused, match="correction note"):
        actions.save_release(draft, editor)
    pending = actions.save_release(draft, editor, correction_note="Fixed a typo in the headline.")
    assert Release.objects.public().get().headline != "Corrected headline"  # nothing public yet
    with pytest.raises(actions.TransitionRefused, match="permission to approve corrections"):
        actions.approve_correction(pending, editor)
    actions.approve_correction(pending, approver)
    draft.refresh_from_db()
    assert Release.objects.public().get().headline == "Corrected headline"
    correction = draft.corrections.get()
    assert correction.note == "Fixed a typo in the headline."
    assert draft.corrected_at == NOW
    assert audit_actions(draft)[-2:] == ["correction_prepared", "corrected"]


def test_a_correction_prepared_before_standard_texts_had_a_place_prints_them_after_the_body(
    draft, editor, approver
):
    """A pending correction's data from before `standard_texts_at` existed (prepared before
    the upgrade, approved after) restores them as then printed: after the body."""
    draft.standard_texts_at = 1
    actions.save_release(draft, editor)
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=NOW)
    draft.headline = "Corrected headline"
    pending = actions.save_release(draft, editor, correction_note="Fixed the headline.")
    del pending.data["standard_texts_at"]
    pending.save()
    actions.approve_correction(pending, approver)
    draft.refresh_from_db()
    assert (draft.headline, draft.standard_texts_at) == ("Corrected headline", None)


def test_whoever_prepared_a_correction_cannot_approve_it(draft, editor, approver):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=NOW)
    draft.headline = "Corrected by the approver"
    pending = actions.save_release(draft, approver, correction_note="Typo.")
    with pytest.raises(actions.TransitionRefused, match="Four-eyes rule"):
        actions.approve_correction(pending, approver)
    assert not draft.corrections.exists()


def test_correction_cannot_move_the_publication_time(draft, editor, approver):
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    actions.publish(draft, approver, at=NOW)
    draft.published_at = at(2026, 11, 26, 9, 0, 0)
    with pytest.raises(actions.TransitionRefused, match="publication time"):
        actions.save_release(draft, approver, correction_note="moving it")


def test_restoring_an_old_revision_makes_it_the_new_draft(draft, editor):
    original = draft.headline
    draft.headline = "Second try"
    actions.save_release(draft, editor)
    actions.restore_revision(draft, draft.revisions.get(number=1), editor)
    draft.refresh_from_db()
    assert draft.headline == original
    assert draft.revisions.first().number == 3
    assert draft.releasecontact_set.count() == 2
    assert audit_actions(draft)[-1] == "restored"


def test_preview_links_need_the_right_and_are_audited(draft, editor, approver):
    with pytest.raises(actions.TransitionRefused, match="permission"):
        actions.create_preview_link(draft, editor)
    link = actions.create_preview_link(draft, approver, note="counsel")
    assert link.is_valid
    actions.revoke_preview_link(link, approver)
    assert not link.is_valid
    assert audit_actions(draft)[-2:] == ["preview_link_created", "preview_link_revoked"]
