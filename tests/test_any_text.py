"""Property: whatever Unicode an editor types or pastes into any field, every public surface
stays valid.

Each example writes arbitrary text (control characters, non-characters, line breaks of every
kind, markup characters and any other code point a browser can send) into every field an editor
writes, through the admin's forms as an editor does, publishes the release, and then reads the
site as the public and a subscriber do: every public page parses as HTML with no control
character in it, both feeds (site-wide and of the category) parse in feedparser without
``bozo`` and as XML, the sitemap index and its sections parse as XML, the JSON-LD parses, and
the alert e-mail parses with Python's `email` package with exactly one single-line Subject.

``IRSITE_PROPERTY_EXAMPLES`` sets the number of examples (default 20 per run, each a full
write-and-read round of about 20 requests).
"""

import email
import json
import os
import re
from email.policy import default as default_policy

import feedparser
import lxml.html
import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import etree

from irsite.alerts import sending
from irsite.alerts.models import AlertBatch, Delivery, Subscriber
from irsite.contacts.models import CompanyProfile, Contact
from irsite.disclaimers.models import Disclaimer
from releases import actions
from releases.models import Category, PendingCorrection, Release

from .admin_forms import ADD_URL, edit_data, form_data
from .conftest import SYSTEM

EXAMPLES = int(os.environ.get("IRSITE_PROPERTY_EXAMPLES", "20"))

# What pasted text carries that breaks things, mixed into any character a browser can send
# (lone surrogates cannot be sent in UTF-8; a browser sends U+FFFD for them).
NASTY = list(
    "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x85\x9f\u00a0\u2028\u2029\u200b\u202e"
    "\ufdd0\ufeff\ufffe\uffff\U0001fffe\U0010ffff<>&\"'$%;]]>--\\"
)
CHARACTERS = st.one_of(
    st.characters(blacklist_categories=("Cs",)),
    st.sampled_from(NASTY),
    st.sampled_from(["e\u0301", "\r\n", "<b>", "&amp;", "]]>", "Inc."]),
)
TEXT = st.lists(CHARACTERS, max_size=24).map("".join)
# Required fields start with a letter, so what is left after normalisation is never empty.
REQUIRED = TEXT.map(lambda t: "A" + t)

# The HTML standard makes these parse errors in a document (controls and non-characters).
HTML_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0010fffe"
    "\U0010ffff]"
)


def assert_html(url: str, content: bytes) -> None:
    text = content.decode("utf-8")  # strict: a lone surrogate or bad byte fails here
    assert not HTML_FORBIDDEN.search(text), (url, HTML_FORBIDDEN.search(text))
    document = lxml.html.document_fromstring(content)
    assert document.find("body") is not None, url


def assert_feed(url: str, content: bytes) -> None:
    etree.fromstring(content)
    feed = feedparser.parse(content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    assert feed.entries, url


def xml_locations(content: bytes) -> list[str]:
    root = etree.fromstring(content)
    return [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


FIELDS = st.fixed_dictionaries(
    {
        "legal_name": REQUIRED,
        "short_name": REQUIRED,
        "address_lines": TEXT,
        "telephone": TEXT,
        "exchange": TEXT,
        "ticker": TEXT,
        "contact_name": REQUIRED,
        "contact_title": TEXT,
        "contact_organization": TEXT,
        "category": REQUIRED,
        "disclaimer_name": REQUIRED,
        "disclaimer_heading": TEXT,
        "disclaimer_text": REQUIRED,
        "headline": REQUIRED,
        "subheadline": TEXT,
        "dateline_city": REQUIRED,
        "summary": TEXT,
        "body_paragraph": REQUIRED,
        "body_heading": TEXT,
        "body_cell": TEXT,
        "exhibit_label": TEXT,
        "correction_note": REQUIRED,
    }
)


def post(client, url: str, data: dict) -> None:
    response = client.post(url, data)
    if response.status_code != 302:
        form = response.context and response.context.get("adminform")
        raise AssertionError((url, form.form.errors if form else response.status_code))


def write_everything(client, fields: dict, publish) -> Release:
    """Every editor-writable field, through the admin's forms."""
    post(
        client,
        reverse("admin:contacts_companyprofile_change", args=[1]),
        {
            "legal_name": fields["legal_name"],
            "short_name": fields["short_name"],
            "address_lines": fields["address_lines"],
            "telephone": fields["telephone"],
            "fax": fields["telephone"],
            "website": "",
            "exchange": fields["exchange"],
            "ticker": fields["ticker"][:20],
        },
    )
    post(
        client,
        reverse("admin:contacts_contact_add"),
        {
            "name": fields["contact_name"],
            "title": fields["contact_title"],
            "organization": fields["contact_organization"],
            "telephone": fields["telephone"],
            "email": "ir@example.com",
            "audience": "investors",
            "is_active": "on",
            "position": "0",
        },
    )
    post(client, reverse("admin:releases_category_add"), {"name": fields["category"], "slug": "c"})
    post(
        client,
        reverse("admin:disclaimers_disclaimer_add"),
        {
            "kind": "about",
            "name": fields["disclaimer_name"],
            "heading": fields["disclaimer_heading"],
            "text": f"<p>{fields['disclaimer_text']}</p>",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    contact = Contact.objects.get()
    version = Disclaimer.objects.get().current_version
    body = (
        f"<p>{fields['body_paragraph']}</p><h2>{fields['body_heading']}</h2>"
        f"<table><tr><th colspan=2>{fields['body_cell']}</th></tr>"
        f"<tr><td>$</td><td>{fields['body_cell']}</td></tr></table>"
    )
    post(
        client,
        ADD_URL,
        form_data(
            [contact],
            [version],
            headline=fields["headline"],
            subheadline=fields["subheadline"],
            slug="any-text",
            dateline_city=fields["dateline_city"],
            summary=fields["summary"],
            body=body,
            exhibit_label=fields["exhibit_label"],
            categories=[Category.objects.get().pk],
            published_at_0="2026-01-05",
            published_at_1="08:00:00",
        ),
    )
    release = Release.objects.get()
    publish(release)
    # A correction, with its note, as an editor allowed to correct writes it; a second person
    # (here the system) approves it.
    data = edit_data(release, correction_note=fields["correction_note"])
    data["categories"] = [Category.objects.get().pk]
    post(client, reverse("admin:releases_release_change", args=[release.pk]), data)
    for correction in PendingCorrection.objects.filter(release=release):
        actions.approve_correction(correction, SYSTEM)
    release.refresh_from_db()
    assert release.correction_notes()
    return release


def read_everything(client, release: Release) -> None:
    category = Category.objects.get()
    pages = [
        "/",
        "/news/",
        f"/news/{release.published_at.year}/",
        release.get_absolute_url(),
        category.get_absolute_url(),
        "/contacts/",
        "/news/search/?q=" + "+".join(release.headline.split()[:3]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_html(url, response.content)
    detail = client.get(release.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', detail, re.S)
    assert len(blocks) == 1
    assert json.loads(blocks[0])["headline"] == release.headline
    for url in [
        "/news/feed/rss/",
        "/news/feed/atom/",
        f"{category.get_absolute_url()}feed/rss/",
        f"{category.get_absolute_url()}feed/atom/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_feed(url, response.content)
    sections = xml_locations(client.get("/sitemap.xml").content)
    found = []
    for section in sections:
        found += xml_locations(client.get(section.removeprefix("http://testserver")).content)
    assert f"http://testserver{release.get_absolute_url()}" in found


def alert_parses(release: Release) -> None:
    subscriber = Subscriber.objects.create(email="reader@example.com", status="active")
    batch = AlertBatch.objects.create(release=release, round=1)
    delivery = Delivery.objects.create(batch=batch, subscriber=subscriber)
    mail.outbox = []
    assert sending.deliver(delivery.pk) == "sent", Delivery.objects.get(pk=delivery.pk).last_error
    raw = mail.outbox[0].message().as_bytes()
    message = email.message_from_bytes(raw, policy=default_policy)
    subjects = message.get_all("Subject")
    assert len(subjects) == 1
    assert "\n" not in str(subjects[0]) and "\r" not in str(subjects[0])
    # Django folds a long non-ASCII Subject before its first encoded word, which a parser
    # reads back as one leading space: the text itself is the headline.
    assert str(subjects[0]).strip() == release.headline
    assert message["To"] == "reader@example.com"
    assert message["List-Unsubscribe"]
    assert message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)).get_content()


@pytest.mark.slow
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fields=FIELDS)
def test_any_text_in_any_editor_field_keeps_every_public_surface_valid(
    client, superuser, company, publish, settings, fields
):
    settings.IRSITE_PAGE_CACHE = False
    settings.SITE_URL = "https://ir.example.com"
    client.force_login(superuser)
    with transaction.atomic():
        cache.clear()
        release = write_everything(client, fields, publish)
        assert CompanyProfile.load().legal_name
        client.logout()
        read_everything(client, release)
        alert_parses(release)
        client.force_login(superuser)
        transaction.set_rollback(True)


# Text columns no person types: written by irsite itself (hashes, types, rendered HTML, the
# audit trail's own wording, what a worker noted) or constrained by their own field (slugs,
# URLs, e-mail addresses, choices). Every other text column must normalise what it stores.
SYSTEM_WRITTEN = {
    ("Attachment", "content_type"), ("Attachment", "sha256"), ("Rendition", "sha256"),
    ("PendingCorrection", "prepared_by_name"), ("AuditEntry", "username"),
    ("AuditEntry", "release_headline"), ("AuditEntry", "detail"),
    ("ReleaseRendering", "fingerprint"), ("ReleaseRendering", "letterhead_html"),
    ("ReleaseRendering", "content_html"), ("ReleaseRendering", "excerpt"),
    ("SearchDocument", "body_text"), ("Release", "source_hash"), ("CompanyProfile", "logo_type"),
    ("Letterhead", "logo_type"), ("CompanyProfile", "brand_colour"),
    ("Letterhead", "brand_colour"), ("Subscriber", "consent_source"),
    ("Delivery", "claimed_by"), ("Delivery", "last_error"), ("Endpoint", "secret"),
    ("Endpoint", "previous_secret"), ("Endpoint", "disabled_reason"), ("Event", "type"),
    ("Event", "key"), ("Attempt", "error"), ("Attempt", "worker"),
    # The SEC filings list: what EDGAR sent (read by filings.edgar, every text through
    # single_line), what the poller noted, and the CIK, ten digits by actions.set_cik.
    *(("Filing", name) for name in (
        "accession_number", "cik", "form", "group", "act", "file_number", "film_number",
        "items", "primary_document", "description",
    )),
    ("EdgarSource", "cik"), ("EdgarSource", "name"), ("EdgarSource", "edgar_last_modified"),
    ("EdgarSource", "error"), ("EdgarSource", "notes"),
    ("FilingAudit", "username"), ("FilingAudit", "accession_number"),
    ("EventDocument", "content_type"), ("EventDocument", "sha256"),
    ("EventChange", "prepared_by_name"), ("EventAuditEntry", "username"),
    ("EventAuditEntry", "event_title"), ("EventAuditEntry", "detail"),
    ("KitDocument", "content_type"), ("KitDocument", "sha256"), ("KitAuditEntry", "username"),
    ("KitAuditEntry", "kit_title"), ("KitAuditEntry", "detail"),
    # Reports: the upload's checked type and digest (twice: the current file and its cover),
    # the audit trail and the preparer's name, written by the actions.
    ("Report", "content_type"), ("Report", "sha256"), ("Report", "cover_content_type"),
    ("Report", "cover_sha256"), ("ReportVersion", "content_type"), ("ReportVersion", "sha256"),
    ("ReportChange", "prepared_by_name"), ("ReportAuditEntry", "username"),
    ("ReportAuditEntry", "report_title"), ("ReportAuditEntry", "detail"),
    # Alert topics: the slug of a registered topic (the form offers only those) and the item's
    # key its app gives; how an approved event change was announced, set by the action.
    ("TopicChoice", "topic"), ("AlertBatch", "topic"), ("AlertBatch", "key"),
    ("EventChange", "announced_as"),
}  # fmt: skip


def project_models() -> list:
    """Every model of the project's own apps (a package beside manage.py), found rather than
    listed: an app added tomorrow is walked too."""
    from django.apps import apps
    from django.conf import settings

    return [
        model
        for config in apps.get_app_configs()
        if (settings.BASE_DIR / config.name.split(".")[0] / "__init__.py").exists()
        for model in config.get_models()
    ]


def test_the_walk_finds_every_app_of_the_project():
    labels = {model._meta.app_label for model in project_models()}
    assert {"releases", "contacts", "disclaimers", "alerts", "webhooks", "irsite_http", "events",
            "filings", "results", "reports"} <= labels  # fmt: skip
    assert not labels & {"auth", "admin", "axes", "django_tasks_database", "sessions"}


def test_every_text_column_a_person_can_fill_normalises_what_it_stores():
    from django.db import models as db

    from irsite.plaintext import MultiLineTextField, SingleLineCharField
    from irsite.richtext import RichTextField

    normalising = (SingleLineCharField, MultiLineTextField, RichTextField)
    constrained = (db.SlugField, db.URLField, db.EmailField)
    loose = [
        f"{model.__name__}.{field.name}"
        for model in project_models()
        for field in model._meta.concrete_fields
        if isinstance(field, db.CharField | db.TextField)
        and not isinstance(field, normalising + constrained)
        and not field.choices
        and (model.__name__, field.name) not in SYSTEM_WRITTEN
    ]
    assert loose == [], "text columns that store whatever they are given"
    # And bounded: Django allows a CharField without max_length on PostgreSQL, of any length.
    assert not [
        f"{model.__name__}.{field.name}"
        for model in project_models()
        for field in model._meta.concrete_fields
        if isinstance(field, SingleLineCharField) and not field.max_length
    ]


# Pasted text as an attacker or a careless editor sends it: a header injection, a right-to-left
# override that shows "FDP.exe" as "exe.PDF", a decomposed accent, breaks of every kind, a tab.
PASTED = "CR\r\nX-Injected: 1 \u202eFDP.exe\u202c e\u0301\u2028next\x0bline\ttab\u2066x\u2069"
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def stored_by(model, field, value: str) -> tuple[str, str]:
    """What ``field`` stores of ``value`` when its model is saved, and what its form field
    cleans it to (the two ways text enters)."""
    instance = model()
    setattr(instance, field.attname, value)
    saved = field.pre_save(instance, add=True)
    cleaned = field.formfield().clean(value)
    return saved, cleaned


def test_every_one_line_column_stores_one_nfc_line_without_bidi_controls():
    import unicodedata

    from irsite.plaintext import SingleLineCharField

    checked = 0
    for model in project_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, SingleLineCharField):
                continue
            for stored in stored_by(model, field, PASTED[: field.max_length]):
                where = f"{model.__name__}.{field.name}: {stored!r}"
                assert not set(stored) & set("\r\n\x0b\x0c\x85\u2028\u2029\t"), where
                assert not set(stored) & BIDI_CONTROLS, where
                assert unicodedata.is_normalized("NFC", stored), where
                assert stored == stored.strip() and "  " not in stored, where
            checked += 1
    assert checked > 40  # every headline, name, title, telephone... of every app


def test_every_multi_line_column_stores_nfc_lines_without_bidi_controls():
    import unicodedata

    from django.db import models as db

    from irsite.plaintext import MultiLineTextField, SingleLineCharField
    from irsite.richtext import RichTextField

    checked = 0
    for model in project_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, db.TextField) or isinstance(field, RichTextField):
                continue
            if (model.__name__, field.name) in SYSTEM_WRITTEN:
                continue
            assert isinstance(field, MultiLineTextField | SingleLineCharField), field
            for stored in stored_by(model, field, PASTED):
                where = f"{model.__name__}.{field.name}: {stored!r}"
                assert not set(stored) & set("\r\x0b\x0c\x85\u2028\u2029"), where
                assert not set(stored) & BIDI_CONTROLS, where
                assert unicodedata.is_normalized("NFC", stored), where
                assert "CR\nX-Injected: 1 FDP.exe" in stored, where  # lines kept, as lines
            checked += 1
    assert checked > 5


def test_an_attachment_title_is_one_line_without_bidi_overrides(make_release, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from irsite.uploads import check_upload
    from releases.models import Attachment

    from .files import PDF

    release = make_release()
    checked = check_upload(SimpleUploadedFile("s.pdf", PDF))  # a whole PDF: a stub is refused
    attachment = Attachment(release=release, title="CR\r\nX-Injected: 1 \u202eFDP.exe")
    attachment.take(checked)
    attachment.save()
    attachment.refresh_from_db()
    assert attachment.title == "CR X-Injected: 1 FDP.exe"


def test_a_company_address_longer_than_a_letterhead_holds_is_a_form_error(
    client, superuser, company
):
    client.force_login(superuser)
    url = f"/admin/contacts/companyprofile/{company.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data["address_lines"] = "1 Main Street\n" * 100_000  # 1.4 MB
    response = client.post(url, data)
    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    company.refresh_from_db()
    assert len(company.address_lines) < 500


def test_a_standing_text_longer_than_a_release_prints_is_a_form_error(client, superuser):
    from irsite.disclaimers.models import Disclaimer

    client.force_login(superuser)
    response = client.post(
        "/admin/disclaimers/disclaimer/add/",
        {
            "kind": "about",
            "name": "About, pasted from the annual report",
            "heading": "ABOUT US",
            "text": "<p>" + "Our history. " * 8000 + "</p>",  # 100 KB
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "the limit is 64 KB" in response.content.decode()
    assert not Disclaimer.objects.filter(name__startswith="About, pasted").exists()
