"""The public record is exact: no backdating, sane times with their zone, and what an approver
approves is what they reviewed (issue 13: times and four eyes)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from releases import actions
from releases.models import AuditEntry, Release

from .admin_forms import change_url, confirm, edit_data, messages_of
from .conftest import LATER, SYSTEM, at

NOW = at(2026, 11, 30, 5, 47, 12)


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def approved(make_release, editor, approver):
    """Written and submitted by the editor for yesterday 08:00 the day before, and approved
    only now."""
    release = make_release(by=editor, published_at=at(2026, 11, 29, 8, 0, 0))
    with time_machine.travel(at(2026, 11, 28, 12, 0, 0), tick=False):
        actions.submit(release, editor)
    actions.approve(release, approver)
    return release


# --- no backdating --------------------------------------------------------------------------


def test_publishing_with_a_passed_time_is_refused_and_offers_publish_now(
    client, approved, approver
):
    client.force_login(approver)
    response = confirm(
        client, approved, "publish", {"go_live_0": "2026-11-29", "go_live_1": "8:00"}
    )
    assert response.status_code == 200  # the page again, with what was typed
    errors = " ".join(response.context["form"].errors["go_live"])
    assert "has passed" in errors and "publish now" in errors
    assert 'value="Publish now"' in response.content.decode()
    assert Release.objects.get(pk=approved.pk).state == "approved"
    assert not Release.objects.public().exists()


def test_publish_now_records_the_moment_of_publication_to_the_second(client, approved, approver):
    client.force_login(approver)
    with time_machine.travel(NOW + timedelta(microseconds=734_000), tick=False):
        response = confirm(client, approved, "publish", {"now": "Publish now"}, follow=True)
    assert any("Publish or schedule: done." in m for m in messages_of(response))
    release = Release.objects.get(pk=approved.pk)
    assert release.published_at == NOW  # 05:47:12, not the stored 29 Nov 08:00
    page = client.get(release.get_absolute_url()).content.decode()
    assert "November 30, 2026" in page and "November 29" not in page
    detail = release.audit_entries.get(action=AuditEntry.Action.PUBLISHED).detail
    assert detail == "public from 2026-11-30 05:47:12 EST"


def test_actions_refuse_a_passed_go_live_whoever_calls_them(approved):
    with pytest.raises(actions.TransitionRefused, match="has passed"):
        actions.publish(approved, SYSTEM)
    with pytest.raises(actions.TransitionRefused, match="has passed"):
        actions.publish(approved, SYSTEM, at=NOW - timedelta(seconds=1))
    actions.publish(approved, SYSTEM, at=NOW)  # this very second is not the past
    assert Release.objects.public().get() == approved


def test_only_the_importer_records_a_past_time_and_its_audit_entry_says_so(make_release):
    release = make_release(published_at=at(2003, 1, 24, 8, 0, 0))
    actions.record_past_publication(release, SYSTEM, "EDGAR import of ex99.txt")
    entry = release.audit_entries.get(action=AuditEntry.Action.PUBLISHED)
    assert "a past time, recorded as history (EDGAR import of ex99.txt)" in entry.detail


# --- a sane range ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "clock"),
    [("9999-12-31", "23:59:59"), ("0001-01-01", "00:00:00"), ("1989-12-31", "23:59:59"),
     ("2036-12-01", "08:00:00")],
)  # fmt: skip
def test_publication_time_outside_the_range_is_a_form_error_not_a_500(
    client, make_release, editor, day, clock
):
    release = make_release(by=editor, published_at=at(2026, 12, 1, 8, 0, 0))
    client.force_login(editor)
    data = edit_data(release, published_at_0=day, published_at_1=clock)
    response = client.post(change_url(release), data)
    assert response.status_code == 200
    assert "between 1990-01-01 and 2036-11-30" in str(
        response.context["adminform"].form.errors["published_at"]
    )
    assert Release.objects.get(pk=release.pk).published_at == at(2026, 12, 1, 8, 0, 0)
    for url in [reverse("admin:releases_release_changelist"), "/news/", "/"]:
        assert client.get(url).status_code == 200


def test_go_live_outside_the_range_is_refused_on_the_publish_page(client, approved, approver):
    client.force_login(approver)
    data = {"go_live_0": "9999-12-31", "go_live_1": "23:59:59"}
    response = confirm(client, approved, "publish", data)
    assert response.status_code == 200
    assert "between 1990-01-01" in " ".join(response.context["form"].errors["go_live"])
    assert Release.objects.get(pk=approved.pk).state == "approved"


def test_importer_refuses_a_date_outside_the_range_in_one_line(db, tmp_path):
    exhibit = tmp_path / "old.txt"
    exhibit.write_text(
        "ACME REPORTS RESULTS\n\nBOSTON, MA, January 2, 1980 -- Acme today reported.\n"
    )
    with pytest.raises(CommandError):
        call_command("import_exhibit", str(exhibit), stdout=None)
    assert not Release.objects.exists()


# --- the zone, and the repeated hour ---------------------------------------------------------


@pytest.mark.parametrize(("fold", "zone"), [("0", "EDT"), ("1", "EST")])
def test_editor_chooses_which_of_the_repeated_hour_is_meant(
    client, make_release, editor, fold, zone
):
    release = make_release(by=editor, published_at=at(2026, 12, 1, 8, 0, 0))
    client.force_login(editor)
    data = edit_data(release, published_at_0="2026-11-01", published_at_1="1:30 AM")
    response = client.post(change_url(release), data)
    assert "happens twice on 2026-11-01" in str(
        response.context["adminform"].form.errors["published_at"]
    )
    response = client.post(change_url(release), data | {"published_at_2": fold})
    assert response.status_code == 302
    stored = Release.objects.get(pk=release.pk).published_at
    assert f"{stored.astimezone(at(2026, 1, 1).tzinfo):%H:%M %Z}" == f"01:30 {zone}"


def test_a_time_skipped_by_the_clocks_is_refused(client, make_release, editor):
    release = make_release(by=editor, published_at=at(2026, 12, 1, 8, 0, 0))
    client.force_login(editor)
    data = edit_data(release, published_at_0="2027-03-14", published_at_1="02:30")
    response = client.post(change_url(release), data)
    assert "does not exist on 2027-03-14" in str(
        response.context["adminform"].form.errors["published_at"]
    )


@pytest.mark.parametrize("typed", ["7:00 AM", "7 am", "7:00 a.m.", "07:00", "7:00:00", "07:00:00"])
def test_publish_page_accepts_the_usual_12_and_24_hour_spellings(client, approved, approver, typed):
    client.force_login(approver)
    data = {"go_live_0": "2026-12-01", "go_live_1": typed}
    response = confirm(client, approved, "publish", data)
    assert response.status_code == 302, response.context["form"].errors
    assert Release.objects.get(pk=approved.pk).published_at == at(2026, 12, 1, 7, 0, 0)


def test_publish_page_shows_company_time_pickers_and_a_read_back(client, approved, approver):
    client.force_login(approver)
    page = client.get(reverse("admin:releases_release_transition", args=[approved.pk, "publish"]))
    html = page.content.decode()
    # The pickers' script needs the admin's translation catalogue ("gettext is not defined").
    assert html.index(reverse("admin:jsi18n")) < html.index("admin/js/calendar.js")
    assert "Company time now: <strong>2026-11-30 05:47:12 EST</strong>" in html
    assert 'id="irsite-readback"' in html and "irsite/golive.js" in html


# --- four eyes: two people and the same content -----------------------------------------------


def test_approval_is_refused_when_the_release_changed_after_the_page_was_loaded(
    client, make_release, editor, approver
):
    release = make_release(by=editor, published_at=LATER)
    actions.submit(release, editor)
    shown = Release.objects.get(pk=release.pk).version  # the approver opens the approve page
    actions.recall(release, editor)  # meanwhile the editor takes it back, edits and resubmits
    release.headline = "A different headline"
    actions.save_release(release, editor)
    actions.submit(release, editor)
    client.force_login(approver)
    url = reverse("admin:releases_release_transition", args=[release.pk, "approve"])
    response = client.post(url, {"version": shown}, follow=True)
    assert any(
        "changed since you opened it" in m and "headline" in m for m in messages_of(response)
    )
    assert Release.objects.get(pk=release.pk).state == "in_review"


def test_a_crafted_approval_without_the_version_is_refused(client, make_release, editor, approver):
    release = make_release(by=editor, published_at=LATER)
    actions.submit(release, editor)
    client.force_login(approver)
    url = reverse("admin:releases_release_transition", args=[release.pk, "approve"])
    response = client.post(url, follow=True)
    assert any("did not say which version" in m for m in messages_of(response))
    assert Release.objects.get(pk=release.pk).state == "in_review"


def test_a_release_in_review_cannot_be_edited_until_taken_back(
    client, make_release, editor, approver
):
    release = make_release(by=editor, published_at=LATER)
    actions.submit(release, editor)
    with pytest.raises(actions.TransitionRefused, match="in review"):
        release.headline = "Sneaked in"
        actions.save_release(release, editor)
    client.force_login(editor)
    page = client.get(change_url(release)).content.decode()
    assert "Back to draft to edit" in page
    actions.recall(release, editor)
    release.refresh_from_db()
    release.headline = "Fixed before review"
    actions.save_release(release, editor)
    assert Release.objects.get(pk=release.pk).headline == "Fixed before review"


def test_approve_page_shows_the_content_and_the_changes_since_the_last_approval(
    client, make_release, editor, approver
):
    release = make_release(by=editor, headline="First wording", published_at=LATER)
    actions.submit(release, editor)
    actions.approve(release, approver)
    actions.return_to_draft(release, approver, "Say it plainer")
    release.refresh_from_db()
    release.headline = "Second wording"
    actions.save_release(release, editor)
    actions.submit(release, editor)
    client.force_login(approver)
    url = reverse("admin:releases_release_transition", args=[release.pk, "approve"])
    html = client.get(url).content.decode()
    assert "Second wording" in html and "First paragraph of release" in html
    assert "Changes since version 1 (last approved)" in html
    assert "<del>First</del> wording" in html and "<ins>Second</ins> wording" in html


def test_change_form_post_without_the_version_it_started_from_is_refused(
    client, make_release, editor
):
    release = make_release(by=editor, published_at=LATER)
    client.force_login(editor)
    data = edit_data(release, headline="Blind overwrite")
    data.pop("based_on_version")
    response = client.post(change_url(release), data)
    assert response.status_code == 200
    assert Release.objects.get(pk=release.pk).headline != "Blind overwrite"


# --- approvers hear about work --------------------------------------------------------------


def test_submitting_emails_the_approvers_through_the_worker(
    client, make_release, editor, approver, second_approver, worker
):
    from django.core import mail

    approver.email, second_approver.email = "alex@example.com", "blair@example.com"
    approver.save(), second_approver.save()
    editor.email = "erin@example.com"
    editor.save()
    release = make_release(by=editor, headline="Acme signs\nthe deal", published_at=LATER)
    client.force_login(editor)
    confirm(client, release, "submit")
    assert mail.outbox == []  # never from the request
    worker()
    (message,) = mail.outbox
    assert sorted(message.to) == ["alex@example.com", "blair@example.com"]
    assert message.subject == "Waiting for your approval: Acme signs the deal"
    url = reverse("admin:releases_release_transition", args=[release.pk, "approve"])
    assert f"{settings.SITE_URL}{url}" in message.body
    assert "2030-01-24 08:00:00 EST" in message.body


def test_admin_index_lists_what_waits_for_this_approver_and_what_goes_live_next(
    client, make_release, editor, approver, publish
):
    waiting = make_release(by=editor, headline="Waits for review", published_at=LATER)
    actions.submit(waiting, editor)
    own = make_release(by=approver, headline="Approver wrote this one", published_at=LATER)
    actions.submit(own, approver)
    soon = make_release(by=editor, headline="Goes live soon", published_at=NOW + timedelta(hours=3))
    publish(soon)
    client.force_login(approver)
    html = client.get(reverse("admin:index")).content.decode()
    desk = html[html.index('id="release-desk"') :]
    assert "Waits for review" in desk and "Approver wrote this one" not in desk
    assert "Goes live soon" in desk and "2026-11-30 08:47:12 EST" in desk


# --- every time shown names its zone, the repeated hour included -------------------------------

FIRST_0130 = at(2026, 11, 1, 1, 30, 0)  # EDT
SECOND_0130 = at(2026, 11, 1, 1, 30, 0).replace(fold=1)  # EST, an hour later


def _says(text: str, zone: str) -> bool:
    """Whether ``text`` states 1:30 in ``zone`` (in whichever reader or staff format)."""
    import re

    return re.search(rf"\b0?1:30(:00)?(\s*[ap]\.m\.)?\s*{zone}\b", text) is not None


def test_the_repeated_hour_is_told_apart_on_every_surface(
    client, make_release, publish, editor, approver, worker, monkeypatch
):
    from django.core import mail

    from irsite.alerts import actions as alert_actions
    from irsite.alerts.models import Subscriber

    alert_actions.request_subscription(
        "reader@example.com", all_categories=True, categories=(), source="tests"
    )
    reader = Subscriber.objects.get()
    alert_actions.confirm(reader, reader.requested_at.isoformat())
    earlier = make_release(by=editor, headline="At the first 01:30", published_at=FIRST_0130)
    later = make_release(by=editor, headline="At the second 01:30", published_at=SECOND_0130)
    for release, zone in [(earlier, "EDT"), (later, "EST")]:
        with time_machine.travel(release.published_at, tick=False):
            client.force_login(approver)
            preview = reverse("admin:releases_release_preview", args=[release.pk])
            assert _says(client.get(preview).content.decode(), zone), "preview banner"
            publish(release)
            mail.outbox.clear()
            worker()
            assert any(_says(m.body, zone) for m in mail.outbox), "alert e-mail"
            client.logout()
        assert _says(client.get(release.get_absolute_url()).content.decode(), zone), "page"
    # A correction approved at the second 01:30 of a later year's change, and a withdrawal.
    with time_machine.travel(at(2027, 11, 7, 1, 30, 0).replace(fold=1), tick=False):
        earlier.headline = "Corrected in the repeated hour"
        pending = actions.save_release(earlier, editor, correction_note="Typo.")
        actions.approve_correction(pending, approver)
        assert _says(client.get(earlier.get_absolute_url()).content.decode(), "EST")
        actions.withdraw(later, approver, "Issued in error.")
        gone = client.get(later.get_absolute_url())
        assert gone.status_code == 410 and _says(gone.content.decode(), "EST")


# --- plain words ------------------------------------------------------------------------------


def test_status_wording_is_plain_in_the_workflow_panel_messages_and_help(
    client, make_release, publish, editor, approver
):
    import re
    from html import unescape

    def text(response) -> str:
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())

    draft = make_release(by=editor, published_at=at(2026, 12, 1, 16, 5, 0))
    client.force_login(editor)
    page = text(client.get(change_url(draft)))
    assert "State: Draft" in page and "draft — goes live" not in page
    assert "The release is not scheduled; its publication time reads 2026-12-01 16:05:00 EST" in (
        page
    )
    live = publish(make_release(by=editor, published_at=at(2026, 11, 2, 8, 0, 0)))
    page = text(client.get(change_url(live)))
    assert "Corrected on [date and time]: [this note]" in page and "Corrected on :" not in page
    actions.submit(draft, editor)
    actions.approve(draft, approver)
    client.force_login(approver)
    done = confirm(client, draft, "publish", {"now": "Publish now"}, follow=True)
    assert any("The release has been public since 2026-11-30 05:47:12 EST" in m
               for m in messages_of(done))  # fmt: skip
