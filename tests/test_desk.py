"""The approver's desk: what waits for a second person reaches them, and the page they approve
on shows all that is approved (issue 29)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from releases.models import Release

from .admin_forms import edit_data, prepare_correction
from .conftest import at


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
