"""Share links (preview links for counsel, auditors): they end at withdrawal, live 1 hour to
14 days, and stay listed on the release's admin page in every state, for editors and approvers.
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releases import actions
from releases.models import PreviewLink, Release

from .admin_forms import change_url
from .conftest import SYSTEM, at

NOW = at(2026, 11, 26, 12, 0, 0)
GO_LIVE = NOW + timedelta(hours=2)


def share_url(release: Release) -> str:
    return reverse("admin:releases_release_share", args=[release.pk])


def test_share_link_stops_working_at_withdrawal_like_a_missing_release(
    client, make_release, approver
):
    with time_machine.travel(NOW, tick=False):
        release = make_release(headline="Offer for Upsilon", published_at=GO_LIVE)
        link = actions.create_preview_link(release, approver, hours=14 * 24, note="counsel")
        url = link.get_absolute_url()
        missing = client.get(url[:-3] + "xx/")  # a token that names no link
        assert client.get(url).status_code == 200
        actions.submit(release, SYSTEM)
        actions.approve(release, SYSTEM)
        actions.publish(release, SYSTEM)
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        assert "Offer for Upsilon" in client.get(url).content.decode()
        actions.withdraw(release, approver, "Issued in error.")
        response = client.get(url)
        assert response.status_code == missing.status_code == 404
        assert response.content == missing.content
        assert "Offer for Upsilon" not in response.content.decode()
        client.force_login(approver)
        page = client.get(change_url(release)).content.decode()
        assert "stopped: release withdrawn" in page


@pytest.mark.parametrize("hours", ["0", "-5", "337", "100000000000", "1e3", "forty"])
def test_share_link_lifetime_outside_1_hour_to_14_days_is_refused_keeping_the_input(
    client, make_release, approver, hours
):
    with time_machine.travel(NOW, tick=False):
        release = make_release()
        client.force_login(approver)
        response = client.post(share_url(release), {"hours": hours, "note": "counsel at Firm"})
    assert response.status_code == 200
    assert response.context["form"].errors["hours"]
    body = response.content.decode()
    assert 'value="counsel at Firm"' in body and f'value="{hours}"' in body
    assert response["Cache-Control"] == "private, no-store"
    assert not PreviewLink.objects.exists()


@pytest.mark.parametrize("hours", [1, 14 * 24])
def test_share_link_lifetime_bounds_are_accepted(client, make_release, approver, hours):
    with time_machine.travel(NOW, tick=False):
        release = make_release()
        client.force_login(approver)
        response = client.post(share_url(release), {"hours": str(hours), "note": "auditor"})
        assert response.status_code == 302
        link = PreviewLink.objects.get()
        assert link.expires_at == NOW + timedelta(hours=hours)
    with time_machine.travel(NOW + timedelta(hours=hours), tick=False):
        assert client.get(link.get_absolute_url()).status_code == 404  # expired exactly then


def test_share_link_action_refuses_lifetimes_outside_the_bounds(make_release, approver):
    release = make_release()
    for hours in (0, 337, 100000000000):
        with pytest.raises(actions.TransitionRefused) as refused:
            actions.create_preview_link(release, approver, hours=hours)
        assert refused.value.field == "hours"
    assert not PreviewLink.objects.exists()


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(hours=st.text(max_size=30) | st.integers().map(str))
def test_any_lifetime_typed_makes_a_link_within_bounds_or_a_form_error(
    client, make_release, approver, hours
):
    release = Release.objects.first() or make_release()
    client.force_login(approver)
    before = PreviewLink.objects.count()
    with time_machine.travel(NOW, tick=False):
        response = client.post(share_url(release), {"hours": hours, "note": ""})
    if response.status_code == 302:
        link = PreviewLink.objects.latest("pk")
        assert timedelta(hours=1) <= link.expires_at - link.created_at <= timedelta(days=14)
    else:
        assert response.status_code == 200 and response.context["form"].errors["hours"]
        assert PreviewLink.objects.count() == before


def test_share_links_stay_listed_on_the_admin_page_in_every_state(
    client, make_release, editor, approver
):
    def listed(user) -> str:
        client.force_login(user)
        response = client.get(change_url(release))
        assert response.status_code == 200
        return response.content.decode()

    with time_machine.travel(NOW, tick=False):
        release = make_release(by=editor, published_at=GO_LIVE)
        # More than a page's worth: none of them may drop off the list while valid.
        for n in range(12):
            actions.create_preview_link(release, approver, note=f"reviewer {n:02d}")
        steps = [
            ("draft", lambda: None),
            ("in review", lambda: actions.submit(release, editor)),
            ("approved", lambda: actions.approve(release, approver)),
            ("scheduled", lambda: actions.publish(release, approver)),
        ]
        for state, step in steps:
            step()
            for user in (editor, approver):
                page = listed(user)
                for n in range(12):
                    assert f"reviewer {n:02d}" in page, (state, user)
    with time_machine.travel(GO_LIVE, tick=False):
        assert "reviewer 00" in listed(approver)  # live
        actions.withdraw(release, approver, "Issued in error.")
        page = listed(approver)
        assert page.count("stopped: release withdrawn") == 12


def test_share_link_of_a_pending_correction_stops_once_it_is_decided(
    client, make_release, publish, approver, second_approver
):
    from .admin_forms import edit_data

    with time_machine.travel(NOW, tick=False):
        release = publish(make_release(headline="Old headline", published_at=NOW))
        client.force_login(approver)
        data = edit_data(release, headline="Corrected headline", correction_note="Headline.")
        assert client.post(change_url(release), data).status_code == 302
        pending = release.pending_corrections.get()
        response = client.post(
            share_url(release), {"hours": "24", "note": "counsel", "correction": pending.pk}
        )
        assert response.status_code == 302
        link = PreviewLink.objects.get(correction=pending)
        client.logout()
        assert "Corrected headline" in client.get(link.get_absolute_url()).content.decode()
        actions.approve_correction(pending, second_approver)
        assert client.get(link.get_absolute_url()).status_code == 404
        client.force_login(approver)
        page = client.get(change_url(release)).content.decode()
        assert "stopped: correction approved and public" in page
