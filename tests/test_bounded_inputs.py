"""Text longer than the column it is stored in is refused on the form, beside its field, with
what was typed kept: never a database error (a 500 on PostgreSQL) and lost input.
"""

import pytest
import time_machine
from django.urls import reverse

from releases import actions
from releases.models import PreviewLink, Release, Revision

from .admin_forms import change_url, edit_data
from .conftest import at

NOW = at(2026, 11, 26, 12, 0, 0)
NOTE_LIMIT = Revision._meta.get_field("note").max_length


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_overlong_correction_note_redisplays_the_form_with_the_approvers_input(
    client, make_release, publish, approver
):
    release = publish(make_release(published_at=at(2026, 11, 2, 8)))
    note = "The revenue figure in the second paragraph was misstated. " * 9  # 531 characters
    assert len(note.strip()) > NOTE_LIMIT
    client.force_login(approver)
    response = client.post(
        change_url(release), edit_data(release, headline="Fixed headline", correction_note=note)
    )
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["correction_note"])
    assert f"{NOTE_LIMIT} characters" in errors
    body = response.content.decode()
    assert note.strip()[:100] in body and 'value="Fixed headline"' in body
    release.refresh_from_db()
    assert release.headline != "Fixed headline" and not release.corrections.exists()
    assert not release.pending_corrections.exists()


def test_correction_note_at_the_limit_is_recorded_whole(
    client, make_release, publish, approver, second_approver
):
    release = publish(make_release(published_at=at(2026, 11, 2, 8)))
    note = ("x" * 99 + " ") * (NOTE_LIMIT // 100)
    client.force_login(approver)
    response = client.post(
        change_url(release), edit_data(release, headline="Fixed", correction_note=note)
    )
    assert response.status_code == 302
    actions.approve_correction(release.pending_corrections.get(), second_approver)
    assert Release.objects.get(pk=release.pk).corrections.get().note == note.strip()


def test_overlong_share_link_note_is_refused_not_cut(client, make_release, approver):
    release = make_release()
    limit = PreviewLink._meta.get_field("note").max_length
    note = "Outside counsel at " + "W" * limit
    client.force_login(approver)
    response = client.post(
        reverse("admin:releases_release_share", args=[release.pk]), {"hours": "48", "note": note}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert f'value="{note}"' in response.content.decode()
    assert not PreviewLink.objects.exists()
