"""A published release is frozen, including what it borrows: the contact details and the company
letterhead it was approved with stay on it (page, JSON-LD, EDGAR export, alert e-mail); edits of
a contact or of the company profile reach drafts and future releases; a live release changes
them only through a correction, which its revision records.

Contacts and the profile are edited through the admin as Editors and Approvers do; readers use
the test client; the alert goes out through the worker as in production.
"""

import importlib
import json
import re
from datetime import timedelta
from html import unescape
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Subscriber
from irsite.contacts.models import CompanyProfile, Contact, ImmutableLetterheadError, Letterhead
from releases import actions
from releases.models import Release, ReleaseContact

from .admin_forms import approve_correction, change_url, edit_data, prepare_correction
from .conftest import at
from .shared import article

NOW = at(2026, 11, 26, 12, 0, 0)
GO_LIVE = at(2026, 11, 26, 16, 5, 0)
OLD_PHONE = "(617) 995-2500"
NEW_PHONE = "(617) 555-0199 (unapproved)"


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def contact_form(contact: Contact, **overrides) -> dict:
    """The contact admin's change form as loaded, with ``overrides`` typed in."""
    data = {
        "name": contact.name,
        "title": contact.title,
        "organization": contact.organization,
        "telephone": contact.telephone,
        "email": contact.email,
        "audience": contact.audience,
        "position": contact.position,
    }
    if contact.is_active:
        data["is_active"] = "on"
    return data | overrides


def edit_contact(client, user, contact: Contact, **overrides) -> None:
    client.force_login(user)
    url = reverse("admin:contacts_contact_change", args=[contact.pk])
    response = client.post(url, contact_form(contact, **overrides))
    assert response.status_code == 302, response.context["errors"]
    client.logout()


def edit_company(client, user, **overrides) -> None:
    company = CompanyProfile.load()
    data = company.letterhead_fields() | overrides
    client.force_login(user)
    url = reverse("admin:contacts_companyprofile_change", args=[company.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    client.logout()


def page(client, release: Release) -> str:
    response = client.get(Release.objects.get(pk=release.pk).get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def preview(client, user, release: Release) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:releases_release_preview", args=[release.pk]))
    client.logout()
    assert response.status_code == 200
    return response.content.decode()


def export(release: Release) -> str:
    out = StringIO()
    call_command("export_exhibit", str(release.pk), "--format", "text", stdout=out)
    return out.getvalue()


def ld_json(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


@pytest.fixture
def carol(contacts) -> Contact:
    assert contacts[0].telephone == OLD_PHONE
    return contacts[0]


# --- contacts ----------------------------------------------------------------------------------


def test_contact_phone_edited_after_approval_stays_off_the_scheduled_release_at_go_live(
    client, make_release, publish, editor, carol
):
    scheduled = publish(make_release(published_at=GO_LIVE))
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    # The desk shows, read-only, what the scheduled release will print.
    client.force_login(editor)
    desk = client.get(change_url(scheduled)).content.decode()
    client.logout()
    assert "As printed" in desk and f"Tel: {OLD_PHONE}" in desk
    with time_machine.travel(GO_LIVE, tick=False):
        html = page(client, scheduled)
    assert OLD_PHONE in html and "Carol Hausner" in html
    assert NEW_PHONE not in html


def test_contact_phone_edited_after_publication_leaves_the_live_page_and_export(
    client, make_release, publish, editor, carol
):
    live = publish(make_release(published_at=NOW - timedelta(hours=1)))
    edit_contact(client, editor, carol, telephone=NEW_PHONE, title="Chief Communications Officer")
    html, exhibit = page(client, live), export(live)
    for printed in (html, exhibit):
        assert OLD_PHONE in printed
        assert "Senior Director, Investor Relations" in printed
        assert NEW_PHONE not in printed and "Chief Communications Officer" not in printed
    # The public IR contacts page lists people as they are now; that is its purpose.
    assert NEW_PHONE in client.get(reverse("contacts:list")).content.decode()


def test_contact_phone_edit_shows_in_a_drafts_preview_and_export(
    client, make_release, editor, carol
):
    draft = make_release(by=editor, published_at=GO_LIVE)
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    assert NEW_PHONE in preview(client, editor, draft)
    assert NEW_PHONE in export(draft)


def test_returning_to_draft_prints_current_details_and_approving_again_freezes_them(
    client, make_release, editor, approver, carol
):
    release = make_release(by=editor, published_at=GO_LIVE)
    actions.submit(release, editor)
    actions.approve(release, approver)
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    assert NEW_PHONE not in preview(client, editor, release)
    actions.return_to_draft(release, approver, reason="New IR phone line")
    assert NEW_PHONE in preview(client, editor, release)
    actions.submit(release, editor)
    actions.approve(release, approver)
    edit_contact(client, editor, carol, telephone="(617) 555-0100")
    actions.publish(release, approver)
    with time_machine.travel(GO_LIVE, tick=False):
        html = page(client, release)
    assert NEW_PHONE in html and "(617) 555-0100" not in html


def test_alert_email_carries_the_contact_details_as_approved(
    client, settings, worker, make_release, publish, editor, approver, carol
):
    settings.SITE_URL = "https://ir.example.com"
    alert_actions.request_subscription(
        "reader@example.com", all_categories=True, categories=[], source="tests"
    )
    reader = Subscriber.objects.get(email="reader@example.com")
    alert_actions.confirm(reader, reader.requested_at.isoformat())
    call_command("run_worker", "--once")
    mail.outbox.clear()

    release = publish(make_release(published_at=GO_LIVE))
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    edit_company(client, approver, short_name="Renamed Co")
    with time_machine.travel(GO_LIVE, tick=False):
        call_command("run_worker", "--once")
    (message,) = [m for m in mail.outbox if m.subject == release.headline]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Carol Hausner" in body and OLD_PHONE in body
        assert NEW_PHONE not in body
        assert "Published by ImmunoGen on" in body and "Published by Renamed Co" not in body


# --- the letterhead ----------------------------------------------------------------------------


def test_company_profile_edit_leaves_an_old_releases_letterhead(
    client, make_release, publish, editor, approver
):
    old = publish(make_release(published_at=at(2003, 1, 24, 8, 0, 0)))
    draft = make_release(by=editor, published_at=GO_LIVE)
    edit_company(
        client,
        approver,
        legal_name="ImmunoGen Holdings plc",
        address_lines="830 Winter Street\nWaltham, MA 02451",
        telephone="(781) 895-0600",
    )
    html = page(client, old)
    letterhead = article(html)
    assert "IMMUNOGEN, INC." in letterhead and "128 Sidney Street" in letterhead
    assert "IMMUNOGEN HOLDINGS PLC" not in letterhead and "830 Winter Street" not in letterhead
    assert ld_json(html)["publisher"]["name"] == "ImmunoGen, Inc."
    exhibit = export(old)
    assert "128 Sidney Street" in exhibit and "830 Winter Street" not in exhibit
    # Drafts and the site's own pages take the new profile.
    assert "830 Winter Street" in article(preview(client, editor, draft))
    assert "830 Winter Street" in export(draft)
    assert "ImmunoGen Holdings plc" in client.get("/").content.decode()


def test_profile_edits_share_one_letterhead_row_per_distinct_content(
    client, make_release, publish, approver
):
    first = publish(make_release(published_at=NOW - timedelta(days=2)))
    second = publish(make_release(published_at=NOW - timedelta(days=1)))
    edit_company(client, approver, fax="(617) 995-0000")
    third = publish(make_release(published_at=NOW - timedelta(hours=1)))
    letterheads = [Release.objects.get(pk=r.pk).letterhead for r in (first, second, third)]
    assert letterheads[0] == letterheads[1] != letterheads[2]
    assert letterheads[2].fax == "(617) 995-0000"
    assert Letterhead.objects.count() == 2


def test_a_letterhead_as_approved_cannot_be_changed(make_release, publish):
    letterhead = publish(make_release()).letterhead
    letterhead.legal_name = "Someone else"
    with pytest.raises(ImmutableLetterheadError):
        letterhead.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Letterhead.objects.filter(pk=letterhead.pk).update(legal_name="Someone else")
    assert Letterhead.objects.get(pk=letterhead.pk).legal_name == "ImmunoGen, Inc."


# --- corrections and revisions -----------------------------------------------------------------


def test_correction_can_print_a_contacts_current_details_and_records_them(
    client, make_release, publish, editor, approver, carol
):
    live = publish(make_release(published_at=NOW - timedelta(hours=1)))
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    client.force_login(editor)
    form = client.get(change_url(live)).content.decode()
    assert "As printed" in form and f"Tel: {OLD_PHONE}" in form
    data = edit_data(live, correction_note="Investor relations has a new telephone number.")
    data["releasecontact_set-0-print_current_details"] = "on"
    pending = prepare_correction(client, editor, live, data)
    assert OLD_PHONE in page(client, live) and NEW_PHONE not in page(client, live)
    # The contact changes again after the correction was prepared: what is approved is what
    # the approver reviewed.
    edit_contact(client, editor, carol, telephone="(617) 555-0100")
    client.force_login(approver)
    url = reverse("admin:releases_release_correction_preview", args=[live.pk, pending.pk])
    previewed = article(client.get(url).content.decode())
    assert NEW_PHONE in previewed and "(617) 555-0100" not in previewed
    review = approve_correction(client, approver, pending)
    review = re.sub(r"</?(del|ins)>", "", review)  # the side-by-side marks the changed words
    assert OLD_PHONE in review and NEW_PHONE in review

    html = page(client, live)
    assert "(617) 555-0100" not in html
    assert NEW_PHONE in html and OLD_PHONE not in html.split("MEDIA")[0].split("INVESTORS")[1]
    assert "Investor relations has a new telephone number." in html
    # The other contact kept what was published.
    assert "(917) 322-2164" in html
    before, after = live.revisions.order_by("number").reverse()[:2][::-1]
    assert before.data["contacts"][0]["telephone"] == OLD_PHONE
    assert after.data["contacts"][0]["telephone"] == NEW_PHONE
    assert after.data["contacts"][0]["name"] == "Carol Hausner"
    assert live.corrections.get().revision == after


def test_correction_can_replace_a_contact_and_the_newcomer_is_frozen_too(
    client, make_release, publish, editor, approver, carol
):
    live = publish(make_release(published_at=NOW - timedelta(hours=1)))
    dana = Contact.objects.create(
        name="Dana Wu", telephone="(617) 555-0142", audience="investors", email="dw@example.com"
    )
    client.force_login(approver)
    data = edit_data(live, correction_note="Investor contact is now Dana Wu.")
    data["releasecontact_set-0-contact"] = dana.pk
    approve_correction(client, approver, prepare_correction(client, editor, live, data))
    edit_contact(client, editor, dana, telephone="(617) 555-9999")
    html = page(client, live)
    assert "Dana Wu" in html and "(617) 555-0142" in html and "Carol Hausner" not in html
    assert "(617) 555-9999" not in html


def test_unrelated_correction_keeps_the_contact_details_as_published(
    client, make_release, publish, editor, approver, carol
):
    live = publish(make_release(published_at=NOW - timedelta(hours=1)))
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    edit_company(client, approver, legal_name="Renamed, Inc.")
    data = edit_data(live, headline="Fixed headline", correction_note="Typo in the headline.")
    approve_correction(client, approver, prepare_correction(client, editor, live, data))
    html = page(client, live)
    assert "Fixed headline" in html
    assert OLD_PHONE in html and NEW_PHONE not in html
    assert "IMMUNOGEN, INC." in article(html) and "RENAMED, INC." not in html
    revision = live.revisions.order_by("-number").first()
    assert revision.data["contacts"][0]["telephone"] == OLD_PHONE
    assert revision.data["letterhead"]["legal_name"] == "ImmunoGen, Inc."


def test_revisions_record_contact_details_and_the_diff_shows_a_changed_phone(
    client, make_release, editor, carol
):
    draft = make_release(by=editor)
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    client.force_login(editor)
    assert client.post(change_url(draft), edit_data(draft, summary="Now summarized.")).status_code
    first, second = draft.revisions.order_by("number")
    assert first.data["contacts"][0] == {
        "contact": carol.pk,
        "name": "Carol Hausner",
        "title": "Senior Director, Investor Relations and Corporate Communications",
        "organization": "",
        "telephone": OLD_PHONE,
        "email": "info@immunogen.com",
        "audience": "investors",
    }
    assert second.data["contacts"][0]["telephone"] == NEW_PHONE
    url = reverse("admin:releases_release_revisions", args=[draft.pk])
    diff = client.get(url, {"a": 1, "b": 2}).content.decode()
    # Side by side, the contact's line with the changed words marked on each side.
    assert f"contact: {carol.pk} · name: Carol Hausner" in diff
    assert "telephone: (617) <del>995-2500</del>" in diff
    assert "telephone: (617) <ins>555-0199 (unapproved)</ins>" in diff


def test_restoring_an_old_revision_that_recorded_only_ids_still_works(
    client, make_release, editor, contacts
):
    draft = make_release(by=editor)
    old = draft.revisions.get()
    old.data = old.data | {"contacts": [c.pk for c in reversed(contacts)]}
    old.save()
    actions.restore_revision(draft, old, editor)
    assert [c.name for c in draft.ordered_contacts()] == ["Pete Holmberg", "Carol Hausner"]


# --- history: imported releases and releases approved before this existed ----------------------


def test_loaded_history_is_frozen_as_recorded(client, editor, approver):
    call_command("load_demo", stdout=StringIO())
    release = Release.objects.get()
    carol = Contact.objects.get(name="Carol Hausner")
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    edit_company(client, approver, legal_name="Renamed, Inc.")
    html = page(client, release)
    assert OLD_PHONE in html and NEW_PHONE not in html
    assert "IMMUNOGEN, INC." in article(html) and "RENAMED, INC." not in html


def test_migration_freezes_what_releases_approved_before_it_print_today(
    client, make_release, publish, editor, approver, carol
):
    live = publish(make_release(published_at=NOW - timedelta(hours=1)))
    draft = make_release(by=editor)
    # As releases approved before migration 0009 were: nothing frozen.
    Release.objects.filter(pk=live.pk).update(letterhead=None)
    ReleaseContact.objects.update(frozen_at=None, name="", telephone="")
    migration = importlib.import_module("releases.migrations.0009_freeze_approved_releases")
    migration.freeze(apps, None)

    assert not draft.releasecontact_set.filter(frozen_at__isnull=False).exists()
    edit_contact(client, editor, carol, telephone=NEW_PHONE)
    edit_company(client, approver, legal_name="Renamed, Inc.")
    html = page(client, live)
    assert OLD_PHONE in html and NEW_PHONE not in html
    assert "IMMUNOGEN, INC." in html


# --- whatever was approved is what is printed --------------------------------------------------

_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40
).filter(str.strip)


@hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(approved=_text, later=_text)
def test_any_approved_phone_is_printed_exactly_whatever_is_typed_later(
    client, make_release, publish, carol, approved, later
):
    Contact.objects.filter(pk=carol.pk).update(telephone=approved.strip())
    live = publish(make_release(published_at=NOW - timedelta(hours=1)))
    Contact.objects.filter(pk=carol.pk).update(telephone=later.strip())
    (printed, _) = Release.objects.for_page().get(pk=live.pk).ordered_contacts()
    assert printed.telephone == approved.strip()
    # As the browser reads it: the stored record is nh3's serialisation, which writes ' and "
    # in text as themselves where Django's escape writes entities.
    assert f"Tel: {approved.strip()}<" in unescape(page(client, live))
