"""The approver's desk: what waits for a second person reaches them, and the page they approve
on shows all that is approved (issue 29)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from irsite import clock
from releases import actions
from releases.models import Release
from releases.times import zoned

from .admin_forms import (
    ADD_URL,
    change_url,
    confirm,
    edit_data,
    form_data,
    messages_of,
    prepare_correction,
    transition_url,
)
from .conftest import LATER, at
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
        published_at=LATER,
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


# --- publication time: required where asked, refused at the first step ------------------------


def test_the_publication_time_field_says_it_is_required_to_submit(client, editor, company):
    client.force_login(editor)
    html = client.get(ADD_URL).content.decode()
    assert "Required to submit for approval, and still ahead when submitted." in html
    assert 'name="_submit" value="Save and submit for approval"' in html


def test_save_and_submit_without_a_publication_time_is_refused_at_once_keeping_the_form(
    client, editor, contacts, disclaimer_versions, company
):
    client.force_login(editor)
    data = form_data(contacts, disclaimer_versions, headline="Typed and not lost",
                     published_at_0="", published_at_1="", _submit="1")  # fmt: skip
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["published_at"])
    assert "Set the publication time before submitting for approval." in errors
    assert 'value="Typed and not lost"' in response.content.decode()
    assert not Release.objects.exists()


def test_the_submit_step_of_a_release_without_a_time_refuses_without_a_confirmation_page(
    client, make_release, editor
):
    release = make_release(by=editor, published_at=None)
    client.force_login(editor)
    response = client.get(transition_url(release, "submit"), follow=True)
    assert response.redirect_chain == [(change_url(release), 302)]
    assert any("Set the publication time" in m for m in messages_of(response))
    assert Release.objects.get(pk=release.pk).state == "draft"


def test_a_past_publication_time_is_refused_at_submit_not_at_publish(
    client, editor, contacts, disclaimer_versions, company
):
    past = timezone.localtime() - timedelta(days=745)
    client.force_login(editor)
    data = form_data(contacts, disclaimer_versions, published_at_0=f"{past:%Y-%m-%d}",
                     published_at_1="08:00:00", _submit="1")  # fmt: skip
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["published_at"])
    assert "has passed" in errors
    assert not Release.objects.exists()
    # Saved first (a draft may hold any time), the submit itself refuses it.
    data.pop("_submit")
    assert client.post(ADD_URL, data).status_code == 302
    release = Release.objects.get()
    with pytest.raises(actions.TransitionRefused, match="has passed"):
        actions.submit(release, editor)
    response = client.get(transition_url(release, "submit"), follow=True)
    assert any("has passed" in m for m in messages_of(response))
    assert Release.objects.get(pk=release.pk).state == "draft"


def test_save_and_submit_with_a_time_ahead_submits_and_tells_approvers(
    client, editor, approver, contacts, disclaimer_versions, company, worker
):
    approver.email = "alex@example.com"
    approver.save()
    ahead = timezone.localtime() + timedelta(days=2)
    client.force_login(editor)
    data = form_data(contacts, disclaimer_versions, published_at_0=f"{ahead:%Y-%m-%d}",
                     published_at_1="16:05:00", _submit="1")  # fmt: skip
    response = client.post(ADD_URL, data, follow=True)
    release = Release.objects.get()
    assert release.state == "in_review"
    assert any("submitted for approval" in m for m in messages_of(response))
    worker()
    assert [m.to for m in mail.outbox] == [["alex@example.com"]]


@pytest.mark.postgres
def test_submit_asks_the_database_clock_whether_the_time_has_passed(make_release, editor, settings):
    """The process's clock three days behind the database's: a time a day past by the
    database's clock is refused although this process would think it two days ahead."""
    settings.IRSITE_CLOCK = "database"
    clock.forget()
    release = make_release(by=editor, published_at=timezone.now() - timedelta(days=1))
    try:
        with time_machine.travel(timezone.now() - timedelta(days=3)):
            clock.forget()
            with pytest.raises(actions.TransitionRefused, match="has passed"):
                actions.submit(release, editor)
    finally:
        clock.forget()


def test_the_publish_page_confirms_the_approved_time_without_picking_it_again(
    client, make_release, editor, approver
):
    ahead = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    release = make_release(by=editor, published_at=ahead)
    actions.submit(release, editor)
    actions.approve(release, approver)
    client.force_login(approver)
    page = client.get(transition_url(release, "publish")).content.decode()
    assert f"Goes live at the approved publication time: <strong>{zoned(ahead)}</strong>" in page
    assert 'name="go_live_0"' in page and 'name="go_live_0" value=' not in page  # not picked
    assert 'class="errornote"' not in page  # the sentence before confirming is not an error
    response = confirm(client, release, "publish")
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.state == "scheduled" and release.published_at == ahead
