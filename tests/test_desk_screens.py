"""The staff's screens say things once and plainly (issue 29, "Staff screens"): one time format,
wording that matches the state, no offer that does not apply, each file its own position."""

import re

from django.urls import reverse

from irsite.disclaimers.models import Disclaimer
from releases.models import Release

from .admin_forms import change_url, edit_data
from .conftest import at
from .files import CSV, PDF, upload

DESK_TIME = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T\b")
OTHER_TIMES = re.compile(
    r"\b\d{1,2}:\d\d (?:a\.m\.|p\.m\.)|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d "
)


def test_times_django_prints_by_itself_use_the_desk_format(client, editor, disclaimer_versions):
    """A disclaimer version's "created at" (a read-only column Django formats) reads like every
    other time on the desk: "2026-12-06 22:10:33 EST", not "Dec. 6, 2026, 10:16 p.m."."""
    disclaimer = Disclaimer.objects.first()
    client.force_login(editor)
    url = reverse("admin:disclaimers_disclaimer_change", args=[disclaimer.pk])
    html = client.get(url).content.decode()
    assert DESK_TIME.search(html)
    assert not OTHER_TIMES.search(html), OTHER_TIMES.search(html)


def test_the_workflow_panel_words_times_in_the_desk_format(client, make_release, editor):
    release = make_release(by=editor, published_at=at(2026, 11, 26, 16, 5, 0))
    client.force_login(editor)
    html = client.get(change_url(release)).content.decode()
    assert "its publication time reads 2026-11-26 16:05:00 EST" in html
    assert not OTHER_TIMES.search(html)


def test_the_preview_of_a_live_release_does_not_say_it_is_not_public(
    client, make_release, publish, editor
):
    release = publish(make_release(published_at=at(2026, 11, 2, 8, 0, 0)))
    client.force_login(editor)
    html = client.get(reverse("admin:releases_release_preview", args=[release.pk])).content
    banner = html.decode().split('class="preview-banner"')[1].split("</div>")[0]
    assert "not public" not in banner
    assert "PREVIEW of a live release" in banner


def test_save_and_add_another_is_not_offered_while_preparing_a_correction(
    client, make_release, publish, editor
):
    release = publish(make_release(published_at=at(2026, 11, 2, 8, 0, 0)))
    draft = make_release(by=editor)
    client.force_login(editor)
    assert 'name="_addanother"' not in client.get(change_url(release)).content.decode()
    assert 'name="_addanother"' in client.get(change_url(draft)).content.decode()


def test_new_attachments_left_at_the_default_position_get_distinct_positions(
    client, make_release, editor
):
    release = make_release(by=editor)
    client.force_login(editor)
    data = edit_data(release) | {
        "attachments-TOTAL_FORMS": "2",
        "attachments-INITIAL_FORMS": "0",
        "attachments-0-title": "Statements",
        "attachments-0-position": "0",
        "attachments-0-upload": upload("s.pdf", PDF),
        "attachments-1-title": "Data",
        "attachments-1-position": "0",
        "attachments-1-upload": upload("d.csv", CSV),
    }
    response = client.post(change_url(release), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    rows = list(Release.objects.get(pk=release.pk).attachments.values_list("title", "position"))
    assert rows == [("Statements", 0), ("Data", 1)]
