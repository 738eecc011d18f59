"""Every path that writes the company profile or a contact goes through its action, which checks
the permission and records the change in the audit trail: the admin's forms, the exhibit
import's "use the exhibit's company details" (which saved the profile unchecked and unaudited,
issue 31), the contacts an import creates, and the demo loader."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from irsite.contacts.models import CompanyProfile, Contact
from releases.models import AuditEntry, Release

from .admin_forms import post_profile
from .conftest import corpus_dir, needs_corpus

SEED = corpus_dir() / "seed" / "ex99-1-immunogen-2003-01-24.txt"
Action = AuditEntry.Action


def import_with_company_details(client, user):
    """The admin's exhibit upload, confirmed with "use the exhibit's company details" ticked."""
    client.force_login(user)
    url = reverse("admin:releases_release_import")
    upload = SimpleUploadedFile(SEED.name, SEED.read_bytes(), content_type="text/plain")
    form = client.post(url, {"file": upload, "company_profile": "1"}).context["form"]
    data = {k: form.data[k] for k in ("payload", "filename")}
    return client.post(url, {**data, "company_profile": "1", "confirm": "1"})


@needs_corpus
def test_the_imports_company_details_are_written_and_audited_for_whoever_may_change_them(
    client, approver, company
):
    company.legal_name, company.ticker = "Someone Else, Inc.", "ELSE"
    company.save()
    response = import_with_company_details(client, approver)
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.legal_name, company.ticker) == ("IMMUNOGEN, INC.", "IMGN")
    entry = AuditEntry.objects.get(action=Action.COMPANY_PROFILE_CHANGED)
    assert (entry.user, entry.username) == (approver, approver.username)
    assert "legal_name: “Someone Else, Inc.” → “IMMUNOGEN, INC.”" in entry.detail
    assert "ticker: “ELSE” → “IMGN”" in entry.detail
    assert "IMMUNOGEN, INC." in client.get("/contacts/").content.decode()


@needs_corpus
def test_an_editor_is_refused_the_company_details_with_nothing_written_or_audited(
    client, editor, company
):
    before = CompanyProfile.load().letterhead_fields()
    response = import_with_company_details(client, editor)
    assert "may not change the company profile" in response.content.decode()
    assert CompanyProfile.load().letterhead_fields() == before
    assert not Release.objects.exists()
    assert not AuditEntry.objects.filter(
        action__in=[Action.COMPANY_PROFILE_CHANGED, Action.CONTACT_CHANGED]
    ).exists()
    # The profile form refuses the same user the same change.
    assert post_profile(client, editor, legal_name="Editor Corp").status_code == 403


@needs_corpus
def test_contacts_an_import_creates_are_audited(client, approver, company):
    import_with_company_details(client, approver)
    created = AuditEntry.objects.filter(action=Action.CONTACT_CHANGED)
    assert created.count() == Contact.objects.count() > 0
    assert all(e.username == approver.username for e in created)


@pytest.mark.parametrize(
    ("change", "action"),
    [
        ("profile", Action.COMPANY_PROFILE_CHANGED),
        ("contact_add", Action.CONTACT_CHANGED),
        ("contact_change", Action.CONTACT_CHANGED),
        ("contact_delete", Action.CONTACT_DELETED),
        ("contact_bulk_delete", Action.CONTACT_DELETED),
    ],
)
def test_every_change_made_in_the_admin_has_its_audit_entry(
    client, superuser, company, contacts, change, action
):
    """One entry per change, whichever admin view made it: a new admin view that wrote around
    the actions would leave none."""
    client.force_login(superuser)
    spare = Contact.objects.create(name="Spare Person", audience="media")
    contact_fields = {"name": "New Person", "title": "IR", "organization": "", "telephone": "",
                      "email": "new@example.com", "audience": "investors", "is_active": "on",
                      "position": "0"}  # fmt: skip
    posts = {
        "profile": lambda: post_profile(client, superuser, ticker="NEWT"),
        "contact_add": lambda: client.post(reverse("admin:contacts_contact_add"), contact_fields),
        "contact_change": lambda: client.post(
            reverse("admin:contacts_contact_change", args=[spare.pk]),
            {**contact_fields, "name": "Spare Renamed"},
        ),
        "contact_delete": lambda: client.post(
            reverse("admin:contacts_contact_delete", args=[spare.pk]), {"post": "yes"}
        ),
        "contact_bulk_delete": lambda: client.post(
            reverse("admin:contacts_contact_changelist"),
            {"action": "delete_selected", "_selected_action": [spare.pk], "post": "yes"},
        ),
    }
    before = list(AuditEntry.objects.values_list("pk", flat=True))
    response = posts[change]()
    assert response.status_code == 302, response.content.decode()[:2000]
    new = AuditEntry.objects.exclude(pk__in=before)
    assert [(e.action, e.username) for e in new] == [(action, superuser.username)]


def test_saving_an_unchanged_profile_records_nothing(client, superuser, company):
    assert post_profile(client, superuser).status_code == 302
    assert not AuditEntry.objects.filter(action=Action.COMPANY_PROFILE_CHANGED).exists()


def test_the_demo_loader_writes_through_the_actions(db):
    call_command("load_demo", verbosity=0)
    entry = AuditEntry.objects.get(action=Action.COMPANY_PROFILE_CHANGED)
    assert entry.username == "load_demo"
    assert entry.detail.startswith("legal_name: “ImmunoGen, Inc.”; short_name: “ImmunoGen”")
    # Run again, it changes nothing and records nothing more.
    call_command("load_demo", verbosity=0)
    assert AuditEntry.objects.filter(action=Action.COMPANY_PROFILE_CHANGED).count() == 1


# --- the standard texts (About, safe harbor) --------------------------------------------------


def post_standard_text(client, disclaimer, text: str):
    current = disclaimer.current_version
    return client.post(
        reverse("admin:disclaimers_disclaimer_change", args=[disclaimer.pk]),
        {
            "kind": disclaimer.kind,
            "name": disclaimer.name,
            "is_default": "on" if disclaimer.is_default else "",
            "heading": current.heading,
            "text": text,
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-0-id": current.pk,
            "versions-0-disclaimer": disclaimer.pk,
        },
    )


def test_a_standard_text_saved_in_the_admin_is_audited_once_and_only_when_it_changed(
    client, approver, disclaimer_versions
):
    about = disclaimer_versions[0].disclaimer
    client.force_login(approver)
    assert post_standard_text(client, about, about.current_version.text).status_code == 302
    assert not AuditEntry.objects.filter(action=Action.STANDARD_TEXT_CHANGED).exists()
    assert post_standard_text(client, about, "<p>New wording.</p>").status_code == 302
    entry = AuditEntry.objects.get(action=Action.STANDARD_TEXT_CHANGED)
    assert (entry.user, entry.detail) == (approver, f"{about.name}: version 2")
    assert about.versions.get(number=2).created_by == approver


@needs_corpus
def test_standard_texts_an_import_adds_are_audited(client, approver, company):
    # No standing texts yet: the seed's About and safe harbor become texts of their own.
    assert import_with_company_details(client, approver).status_code == 302
    entries = AuditEntry.objects.filter(action=Action.STANDARD_TEXT_CHANGED)
    assert entries.count() == 2
    assert all("added from an imported filing, version 1" in e.detail for e in entries)
    assert {e.user for e in entries} == {approver}
