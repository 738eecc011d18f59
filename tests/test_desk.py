"""The approver's desk: what waits for a second person reaches them, and the page they approve
on shows all that is approved (issue 29)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from releases import actions
from releases.models import Release

from .admin_forms import edit_data, prepare_correction
from .conftest import at
from .files import PDF, attach


@pytest.fixture
def live(make_release, publish) -> Release:
    return publish(make_release(headline="Acme reports record revenue",
                                published_at=at(2026, 11, 2, 8, 0, 0)))  # fmt: skip


@pytest.fixture
def correction(client, live, editor):
    data = edit_data(live, headline="Acme reports record revenue of $9.9M",
                     correction_note="The revenue figure was wrong.")  # fmt: skip
    return prepare_correction(client, editor, live, data)


def test_a_prepared_correction_waits_for_approvers_on_the_admin_index(
    client, correction, editor, approver
):
    client.force_login(approver)
    html = client.get(reverse("admin:index")).content.decode()
    desk = html[html.index('id="release-desk"') :]
    review = reverse(
        "admin:releases_release_correction", args=[correction.release_id, correction.pk]
    )
    assert f'href="{review}"' in desk
    assert "Acme reports record revenue" in desk and "The revenue figure was wrong." in desk
    assert "Nothing waits for you." not in desk
    # Who prepared it is not asked to approve it (four-eyes).
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{review}"' not in html


def test_the_release_list_filters_and_marks_releases_whose_correction_waits(
    client, correction, make_release, approver
):
    make_release(headline="A plain draft")
    client.force_login(approver)
    url = reverse("admin:releases_release_changelist")
    listing = client.get(url).content.decode()
    assert "?state=correction" in listing  # the state filter offers it
    row = next(r for r in listing.split("<tr") if "Acme reports record revenue" in r)
    assert "correction waiting for approval" in row
    draft_row = next(r for r in listing.split("<tr") if "A plain draft" in r)
    assert "correction waiting" not in draft_row
    filtered = client.get(url, {"state": "correction"}).content.decode()
    assert "Acme reports record revenue" in filtered and "A plain draft" not in filtered


def test_preparing_a_correction_emails_those_who_may_approve_it_through_the_worker(
    client, live, editor, approver, second_approver, worker
):
    approver.email, second_approver.email = "alex@example.com", "blair@example.com"
    approver.save(), second_approver.save()
    editor.email = "erin@example.com"
    editor.save()
    data = edit_data(live, headline="Acme reports record\nrevenue of $9.9M",
                     correction_note="The revenue figure was wrong.")  # fmt: skip
    pending = prepare_correction(client, editor, live, data)
    assert mail.outbox == []  # never from the request
    worker()
    (message,) = mail.outbox
    assert sorted(message.to) == ["alex@example.com", "blair@example.com"]
    assert message.subject == "Correction waiting for your approval: Acme reports record revenue"
    url = reverse("admin:releases_release_correction", args=[live.pk, pending.pk])
    assert f"{settings.SITE_URL}{url}" in message.body
    assert "The revenue figure was wrong." in message.body
    assert re.search(r"Published: 2026-11-02 08:00:00 EST", message.body)


# --- the approve page shows all that is approved ----------------------------------------------


def test_the_approve_page_shows_the_release_as_it_will_print_with_its_files(
    client, make_release, editor, approver, category
):
    release = make_release(
        by=editor,
        headline="Acme signs the deal",
        exhibit_label="EXHIBIT 99.1",
        release_instruction="FOR IMMEDIATE RELEASE",
        categories=[category],
        body="<p>Acme today announced a deal.</p>",
    )
    attach(release, editor, ("Deal terms", "terms.pdf", PDF))
    actions.submit(release, editor)
    client.force_login(approver)
    url = reverse("admin:releases_release_transition", args=[release.pk, "approve"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    printed = html[html.index('id="printed-heading"') :]
    for text in (
        "EXHIBIT 99.1",  # the exhibit label
        "ImmunoGen, Inc.",  # the letterhead
        "128 Sidney Street",
        "FOR IMMEDIATE RELEASE",
        "Acme signs the deal",
        "Acme today announced a deal.",
        "Carol Hausner",  # contacts
        "Rx Communications Group, LLC",
        "ABOUT IMMUNOGEN, INC.",  # About
        "Private Securities",  # safe harbor
        "Corporate",  # categories
        "Deal terms",  # the file, with its name, size and type
        "terms.pdf",
        "application/pdf",
    ):
        assert text in printed, text
    (item,) = release.attachment_list
    link = reverse("admin:releases_release_recorded_file", args=[release.pk, item.key])
    assert f'href="{link}"' in printed
    assert client.get(link).status_code == 200
    preview = reverse("admin:releases_release_preview", args=[release.pk])
    assert f'href="{preview}"' in printed
    assert 'id="transition-form"' in html  # the approval itself is on the same page


def test_the_correction_review_shows_the_corrected_release_as_it_will_print(
    client, correction, approver
):
    client.force_login(approver)
    url = reverse("admin:releases_release_correction", args=[correction.release_id, correction.pk])
    html = client.get(url).content.decode()
    printed = html[html.index('id="printed-heading"') :]
    assert "Acme reports record revenue of $9.9M" in printed
    assert "ABOUT IMMUNOGEN, INC." in printed and "ImmunoGen, Inc." in printed
    preview = reverse(
        "admin:releases_release_correction_preview", args=[correction.release_id, correction.pk]
    )
    assert f'href="{preview}"' in printed
