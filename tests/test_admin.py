"""The editors' admin, driven through the test client as Editors and Approvers use it."""

import re
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from irsite.disclaimers.models import Disclaimer
from releases import actions
from releases.admin.display import go_live_in_words
from releases.models import AuditEntry, PreviewLink, Release

from .admin_forms import (
    ADD_URL,
    approval_of,
    change_url,
    confirm,
    edit_data,
    form_data,
    messages_of,
)
from .conftest import LATER, SYSTEM, at

NOW = at(2026, 11, 26, 12, 0, 0)


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_editor_writes_and_submits_then_approver_publishes_and_readers_see_it(
    client, editor, approver, contacts, disclaimer_versions, company
):
    client.force_login(editor)
    assert client.get(ADD_URL).status_code == 200
    response = client.post(ADD_URL, form_data(contacts, disclaimer_versions))
    assert response.status_code == 302, response.context["errors"]
    release = Release.objects.get(slug="immunogen-regains-rights")
    assert [c.name for c in release.ordered_contacts()] == ["Carol Hausner", "Pete Holmberg"]
    assert release.published_at == at(2026, 11, 26, 16, 5, 0)

    response = confirm(client, release, "submit", follow=True)
    assert "Submit for approval: done." in messages_of(response)

    client.force_login(approver)
    confirm(client, release, "approve")
    response = confirm(
        client,
        release,
        "publish",
        {"go_live_0": "2026-11-26", "go_live_1": "16:05:00"},
        follow=True,
    )
    assert any("goes live 2026-11-26 16:05:00 EST, in 4" in m for m in messages_of(response))
    client.logout()

    url = Release.objects.get(pk=release.pk).get_absolute_url()
    assert client.get(url).status_code == 404
    with time_machine.travel(at(2026, 11, 26, 16, 5, 0), tick=False):
        assert "ImmunoGen regains rights" in client.get("/news/").content.decode()
        page = client.get(url).content.decode()
        assert "CAMBRIDGE, MA, November 26, 2026 –" in page and "Carol Hausner" in page
        for feed_url in ["/news/feed/rss/", "/news/feed/atom/"]:
            feed = feedparser.parse(client.get(feed_url).content)
            assert [e.title for e in feed.entries] == ["ImmunoGen regains rights"]
    assert list(release.audit_entries.order_by("pk").values_list("action", "username")) == [
        ("created", "erin"),
        ("submitted", "erin"),
        ("approved", "alex"),
        ("scheduled", "alex"),
    ]


def test_new_release_form_starts_with_the_default_disclaimers(client, editor, disclaimer_versions):
    client.force_login(editor)
    formset = client.get(ADD_URL).context["inline_admin_formsets"][1].formset
    assert [f.initial["version"] for f in formset.forms] == [v.pk for v in disclaimer_versions]


def test_bad_input_redisplays_the_form_and_saves_nothing(
    client, editor, contacts, disclaimer_versions
):
    client.force_login(editor)
    response = client.post(
        ADD_URL, form_data(contacts, disclaimer_versions, headline="", published_at_1="25:00")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"headline", "published_at"}
    assert not Release.objects.exists()
    assert not AuditEntry.objects.exists()


def test_editor_cannot_approve_and_is_told_why(client, make_release, editor):
    release = make_release(by=editor, published_at=LATER)
    actions.submit(release, editor)
    client.force_login(editor)
    response = confirm(client, release, "approve", follow=True)
    assert "Approve refused: You do not have permission to approve releases." in messages_of(
        response
    )
    assert Release.objects.get(pk=release.pk).status == Release.Status.IN_REVIEW


def test_approver_cannot_approve_own_change_in_the_admin(client, make_release, approver):
    release = make_release(by=approver, published_at=LATER)
    actions.submit(release, approver)
    client.force_login(approver)
    response = confirm(client, release, "approve", follow=True)
    assert any("Four-eyes rule" in m for m in messages_of(response))
    assert Release.objects.get(pk=release.pk).status == Release.Status.IN_REVIEW


def test_change_form_offers_only_the_transitions_of_the_state_and_role(
    client, make_release, editor, approver
):
    release = make_release(by=editor, published_at=LATER)
    client.force_login(editor)
    page = client.get(change_url(release)).content.decode()
    assert "Submit for approval" in page and "Approve" not in page
    actions.submit(release, editor)
    client.force_login(approver)
    page = client.get(change_url(release)).content.decode()
    assert "Approve" in page and "Return to draft" in page and "Submit for approval" not in page


def test_second_editor_to_save_gets_a_conflict_and_keeps_their_input(
    client, make_release, editor, approver
):
    release = make_release(by=editor)
    stale = edit_data(release)
    client.force_login(approver)
    client.post(change_url(release), edit_data(release, headline="Approver's headline"))
    client.force_login(editor)
    response = client.post(change_url(release), stale | {"headline": "Editor's headline"})
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "changed by alex" in errors and "now “Approver's headline”" in errors
    assert 'value="Editor&#x27;s headline"' in response.content.decode()
    assert Release.objects.get(pk=release.pk).headline == "Approver's headline"


def test_correction_prepared_in_the_admin_goes_public_only_when_a_second_person_approves(
    client, make_release, publish, editor, approver
):
    release = publish(make_release(published_at=at(2026, 11, 1, 8)))
    public_url = release.get_absolute_url()
    client.force_login(editor)  # editors prepare corrections too
    response = client.post(change_url(release), edit_data(release, headline="Fixed headline"))
    assert response.status_code == 200
    assert "correction_note" in response.context["adminform"].form.errors
    response = client.post(
        change_url(release),
        edit_data(release, headline="Fixed headline", correction_note="Typo in headline."),
        follow=True,
    )
    assert any("Nothing public has changed" in m for m in messages_of(response))
    pending = release.pending_corrections.get()
    client.logout()
    assert "Fixed headline" not in client.get(public_url).content.decode()
    assert not release.corrections.exists()

    client.force_login(approver)
    review = reverse("admin:releases_release_correction", args=[release.pk, pending.pk])
    page = client.get(review).content.decode()
    assert "<ins>Fixed headline</ins>" in page and "Typo in headline." in page
    preview = reverse("admin:releases_release_correction_preview", args=[release.pk, pending.pk])
    shown = client.get(preview)
    assert (
        "Fixed headline" in shown.content.decode() and shown["Cache-Control"] == "private, no-store"
    )
    assert (
        Release.objects.get(pk=release.pk).headline != "Fixed headline"
    )  # the preview left nothing
    client.post(review, approval_of(page))
    client.logout()
    page = client.get(public_url).content.decode()
    assert "Fixed headline" in page and "Typo in headline." in page
    assert release.corrections.get().corrected_by == approver


def test_share_link_of_a_pending_correction_shows_it_until_decided(
    client, make_release, publish, editor, approver
):
    release = publish(make_release(published_at=at(2026, 11, 1, 8)))
    release.headline = "Proposed wording"
    pending = actions.save_release(release, editor, correction_note="Reworded.")
    link = actions.create_preview_link(release, approver, hours=24, correction=pending)
    page = client.get(link.get_absolute_url())
    assert page.status_code == 200 and "Proposed wording" in page.content.decode()
    assert "correction waiting for approval" in page.content.decode()
    actions.reject_correction(pending, approver, "Not needed.")
    assert client.get(link.get_absolute_url()).status_code == 404
    assert Release.objects.get(pk=release.pk).headline != "Proposed wording"


def test_correcting_only_a_contact_row_without_a_note_redisplays_the_form(
    client, make_release, publish, approver, contacts
):
    # The contact rows are inline formsets, outside the release form's own fields: the same
    # save rules (actions.check_save) must still answer with the form, not a bare 403.
    release = publish(make_release(published_at=at(2026, 11, 1, 8)))
    client.force_login(approver)
    data = edit_data(release, **{"releasecontact_set-0-position": "5"})
    response = client.post(change_url(release), data)
    assert response.status_code == 200
    assert "correction note" in " ".join(
        response.context["adminform"].form.errors["correction_note"]
    )
    assert 'name="releasecontact_set-0-position" value="5"' in response.content.decode()
    assert release.releasecontact_set.get(contact=contacts[0]).position == 0
    assert not release.corrections.exists()


def test_workflow_panel_names_the_state_in_plain_words(client, make_release, editor):
    release = make_release(by=editor, published_at=LATER)
    actions.submit(release, editor)
    client.force_login(editor)
    page = client.get(change_url(release)).content.decode()
    assert "State: In review" in page and "inreview" not in page


def test_staff_preview_of_a_draft_is_private_and_marked(client, make_release, editor):
    release = make_release(by=editor)
    client.force_login(editor)
    response = client.get(reverse("admin:releases_release_preview", args=[release.pk]))
    assert response.status_code == 200
    assert release.headline in response.content.decode()
    assert "PREVIEW" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]


def test_share_link_shows_one_release_until_expired_or_revoked(client, make_release, approver):
    release = make_release()
    client.force_login(approver)
    client.post(
        reverse("admin:releases_release_share", args=[release.pk]),
        {"hours": "48", "note": "counsel"},
    )
    link = PreviewLink.objects.get()
    url = link.get_absolute_url()
    client.logout()

    response = client.get(url)
    assert response.status_code == 200
    assert "PREVIEW" in response.content.decode() and release.headline in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert client.get(url[:-3] + "xx/").status_code == 404  # tampered
    with time_machine.travel(NOW + timedelta(hours=48), tick=False):
        assert client.get(url).status_code == 404  # expired

    actions.revoke_preview_link(link, approver)
    assert client.get(url).status_code == 404  # revoked


def test_change_page_lists_each_valid_share_link_with_its_address_and_expiry(
    client, make_release, approver, editor
):
    """Not only in the message after it was made: every visit shows the live links."""
    release = make_release()
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        counsel = actions.create_preview_link(release, approver, hours=48, note="counsel")
        auditor = actions.create_preview_link(release, approver, hours=1, note="auditor")
        revoked = actions.create_preview_link(release, approver, hours=48, note="printer")
        actions.revoke_preview_link(revoked, approver)
    with time_machine.travel(at(2026, 11, 2, 12, 0), tick=False):  # the auditor's has expired
        client.force_login(approver)
        html = client.get(change_url(release)).content.decode()
    (shown,) = re.findall(r'id="share-url-(\d+)" class="irsite-share-url" value="([^"]+)"', html)
    assert shown[0] == str(counsel.pk) and f'data-copy="share-url-{counsel.pk}"' in html
    assert "2026-11-04 09:00:00 EST" in html  # its expiry, in the admin's format
    assert auditor.note in html and revoked.note in html  # listed, without an address
    client.logout()
    with time_machine.travel(at(2026, 11, 2, 12, 0), tick=False):
        opened = client.get(shown[1].removeprefix("http://testserver"))
    assert opened.status_code == 200 and release.headline in opened.content.decode()
    client.force_login(editor)  # may not share: sees the list, not the addresses
    assert "irsite-share-url" not in client.get(change_url(release)).content.decode()


def test_share_link_cannot_be_pointed_at_another_release(client, make_release, approver):
    mine, other = make_release(), make_release()
    link = actions.create_preview_link(mine, approver)
    from releases.previews import preview_token

    link.release = other  # forge: sign the other release's id into a token
    forged = reverse("releases:preview", kwargs={"token": preview_token(link)})
    assert client.get(forged).status_code == 404


def test_revisions_page_diffs_and_restores(client, make_release, editor):
    release = make_release(by=editor, headline="First headline")
    release.headline = "Second headline"
    actions.save_release(release, editor)
    client.force_login(editor)
    url = reverse("admin:releases_release_revisions", args=[release.pk])
    page = client.get(url, {"a": 1, "b": 2}).content.decode()
    assert "<del>First</del> headline" in page and "<ins>Second</ins> headline" in page
    client.post(reverse("admin:releases_release_restore", args=[release.pk, 1]))
    assert Release.objects.get(pk=release.pk).headline == "First headline"


def test_revisions_compare_side_by_side_as_text_with_times_in_the_company_zone(
    client, make_release, editor, category
):
    """The reader's words, not markup; the changed words marked on each side; unchanged
    paragraphs far from a change left out; the go-live in New York time, as the admin shows."""
    paragraphs = [f"<p>Paragraph {n} says <strong>nothing new</strong>.</p>" for n in range(8)]
    release = make_release(by=editor, body="".join(paragraphs), published_at=at(2026, 1, 5, 8))
    paragraphs[3] = "<p>Paragraph 3 says <strong>something new</strong>.</p>"
    release.body = (
        "".join(paragraphs) + "<table><tr><td>Revenue</td><td>$1.2 billion</td></tr></table>"
    )
    release.published_at = at(2026, 1, 6, 9, 30)
    release.categories.set([category])
    actions.save_release(release, editor)
    client.force_login(editor)
    url = reverse("admin:releases_release_revisions", args=[release.pk])
    page = client.get(url, {"a": 1, "b": 2}).content.decode()
    assert "&lt;p&gt;" not in page and "<strong>" not in page.split("irsite-sbs", 1)[1]
    assert "Paragraph 3 says <del>nothing</del> new." in page
    assert "Paragraph 3 says <ins>something</ins> new." in page
    for far in (0, 1, 5, 6):  # unchanged and not next to a change
        assert f"Paragraph {far} says" not in page
    assert "Paragraph 7 says nothing new.</td><td>Paragraph 7 says nothing new." in page
    assert "<ins>Revenue | $1.2 billion</ins>" in page
    assert "<del>2026-01-05 08:00:00</del> EST" in page
    assert "<ins>2026-01-06 09:30:00</ins> EST" in page
    assert f"<ins>{category.name}</ins>" in page
    assert "+00:00" not in page and "UTC" not in page
    # Revision times in the list above are in the company's zone as well.
    assert not re.search(r"\d\d:\d\d:\d\d UTC", page)


def test_audit_trail_is_read_only_even_for_superusers(client, make_release, superuser):
    release = make_release()
    entry = release.audit_entries.get()
    client.force_login(superuser)
    changelist = reverse("admin:releases_auditentry_changelist")
    assert client.get(changelist, {"release__id__exact": release.pk}).status_code == 200
    assert client.get(reverse("admin:releases_auditentry_add")).status_code == 403
    delete = reverse("admin:releases_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_release_list_shows_state_and_zoned_times(client, make_release, publish, approver):
    publish(make_release(headline="Live one", published_at=at(2026, 11, 1, 8)))
    publish(make_release(headline="Later one", published_at=at(2026, 12, 1, 8)))
    make_release(headline="Draft one")
    client.force_login(approver)
    page = client.get(reverse("admin:releases_release_changelist")).content.decode()
    for state in ["irsite-state-live", "irsite-state-scheduled", "irsite-state-draft"]:
        assert state in page
    assert "2026-12-01 08:00:00 EST" in page
    scheduled = client.get(reverse("admin:releases_release_changelist"), {"state": "scheduled"})
    assert [r.headline for r in scheduled.context["cl"].result_list] == ["Later one"]


def test_editing_a_disclaimer_adds_a_version_and_a_used_one_cannot_be_deleted(
    client, make_release, publish, approver, disclaimer_versions
):
    publish(make_release())
    about = disclaimer_versions[0].disclaimer
    client.force_login(approver)
    url = reverse("admin:disclaimers_disclaimer_change", args=[about.pk])
    response = client.post(
        url,
        {
            "kind": about.kind,
            "name": about.name,
            "is_default": "on",
            "heading": "ABOUT IMMUNOGEN, INC.",
            "text": "<p>New wording.</p>",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-0-id": disclaimer_versions[0].pk,
            "versions-0-disclaimer": about.pk,
        },
    )
    assert response.status_code == 302
    assert [v.number for v in about.versions.all()] == [2, 1]
    assert about.versions.get(number=1).text == disclaimer_versions[0].text
    delete = reverse("admin:disclaimers_disclaimer_delete", args=[about.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Disclaimer.objects.filter(pk=about.pk).exists()


def test_only_a_never_published_draft_can_be_deleted(client, make_release, publish, superuser):
    draft, live = make_release(), publish(make_release(published_at=at(2026, 11, 1, 8)))
    client.force_login(superuser)
    assert (
        client.post(
            reverse("admin:releases_release_delete", args=[live.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    client.post(reverse("admin:releases_release_delete", args=[draft.pk]), {"post": "yes"})
    assert list(Release.objects.all()) == [live]


def test_view_on_site_only_for_public_releases(client, make_release, publish, approver):
    draft = make_release()
    live = publish(make_release(published_at=at(2026, 11, 1, 8)))
    client.force_login(approver)
    assert "View on site" not in client.get(change_url(draft)).content.decode()
    assert "View on site" in client.get(change_url(live)).content.decode()


def test_company_profile_is_one_row(client, company, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:contacts_companyprofile_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:contacts_companyprofile_change", args=[1])
    assert client.get(reverse("admin:contacts_companyprofile_add")).status_code == 403


def test_system_actions_are_recorded_without_a_user(make_release):
    release = make_release(by=SYSTEM)
    entry = release.audit_entries.get()
    assert (entry.user, entry.username, entry.action) == (None, "tests", "created")


def test_scheduled_release_is_read_only_even_for_approvers(client, make_release, publish, approver):
    release = publish(make_release(published_at=at(2026, 11, 27, 8)))
    client.force_login(approver)
    response = client.get(change_url(release))
    assert "headline" not in response.context["adminform"].form.fields
    assert "Unschedule" in response.content.decode()
    assert client.post(change_url(release), edit_data(release, headline="x")).status_code == 403
    assert Release.objects.get(pk=release.pk).headline == release.headline


def test_user_without_change_right_posting_to_a_live_release_is_refused(
    client, make_release, publish, django_user_model
):
    release = publish(make_release(published_at=at(2026, 11, 1, 8)))
    viewer = django_user_model.objects.create_user("vic", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_release"))
    client.force_login(viewer)
    data = edit_data(release, headline="Unauthorised", correction_note="sneaky")
    assert client.post(change_url(release), data).status_code == 403
    assert not release.pending_corrections.exists() and not release.corrections.exists()


def test_share_and_revoke_forms_are_not_nested_in_the_change_form(client, make_release, approver):
    # A <form> inside the change <form> is dropped by the browser: its buttons would do nothing.
    release = make_release()
    actions.create_preview_link(release, approver)
    client.force_login(approver)
    html = client.get(change_url(release)).content.decode()
    change_form_end = html.index("</form>", html.index('id="release_form"'))
    assert html.index('<form id="share-form"') > change_form_end
    assert html.index('<form id="revoke-') > change_form_end
    assert html.count('form="share-form"') >= 1


def test_preview_banner_names_the_state_and_time(client, make_release, editor):
    release = make_release(by=editor)
    client.force_login(editor)
    html = client.get(reverse("admin:releases_release_preview", args=[release.pk])).content
    assert "PREVIEW – not public (draft); publication time 2003-01-24 08:00:00 EST" in html.decode()


@pytest.mark.parametrize(
    ("ahead", "words"),
    [(timedelta(seconds=40), "in 40 seconds"), (timedelta(seconds=1), "in 1 second"),
     (timedelta(minutes=3, seconds=5), "in 3 minutes")],
)  # fmt: skip
def test_schedule_message_says_seconds_when_the_go_live_is_under_a_minute_away(
    make_release, ahead, words
):
    now = at(2026, 11, 26, 16, 0, 0)
    release = make_release(published_at=now + ahead)
    release.status = Release.Status.PUBLISHED  # scheduled: its time has not come
    with time_machine.travel(now, tick=False):
        assert go_live_in_words(release).replace("\xa0", " ").endswith(words)
