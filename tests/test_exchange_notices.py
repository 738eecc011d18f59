"""Material releases and the listing exchange's notice at scheduling and publishing: refused
without a due notice or less than ten minutes after it, the notice and the marking audited,
nothing asked where the rule asks nothing (Friday evening on Nasdaq, no venue, history)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from releases import actions
from releases.actions import TransitionRefused
from releases.models import AuditEntry, Category

from .conftest import SYSTEM

NY = ZoneInfo("America/New_York")


def et(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


GO_LIVE = et(2026, 12, 8, 7, 0)  # a Tuesday, inside Nasdaq's and NYSE's windows


@pytest.fixture
def nasdaq(company):
    company.listing_venue = "nasdaq"
    company.save()
    return company


@pytest.fixture
def earnings(db):
    return Category.objects.create(name="Earnings", slug="earnings")


@pytest.fixture
def approved(make_release, earnings):
    def make(at: datetime = GO_LIVE, categories=None):
        with time_machine.travel(at - timedelta(days=1), tick=False):
            release = make_release(
                published_at=at, categories=[earnings] if categories is None else categories
            )
            actions.submit(release, SYSTEM)
            actions.approve(release, SYSTEM)
        release.refresh_from_db()
        return release

    return make


def schedule(release, at=GO_LIVE, when=None):
    with time_machine.travel(when or at - timedelta(hours=2), tick=False):
        actions.publish(release, SYSTEM, at=at)


def notify(release, at: datetime, when=None, by="Jane Doe", reference="MW-2026-1208"):
    with time_machine.travel(when or at, tick=False):
        return actions.record_exchange_notice(
            release, SYSTEM, notified_at=at, notified_by=by, reference=reference
        )


def test_an_earnings_release_is_material_and_refused_without_the_notice_its_rule_asks(
    nasdaq, approved
):
    release = approved()
    assert actions.is_material(release)
    with pytest.raises(TransitionRefused, match="Nasdaq Rule 5250") as refused:
        schedule(release)
    assert "by 6:50:00 AM EST" in str(refused.value)
    release.refresh_from_db()
    assert release.status == "approved"


def test_a_go_live_less_than_ten_minutes_after_the_notice_is_refused(nasdaq, approved):
    release = approved()
    notify(release, et(2026, 12, 8, 6, 51), when=GO_LIVE - timedelta(minutes=1))
    with pytest.raises(TransitionRefused, match="at least ten minutes"):
        schedule(release, when=GO_LIVE - timedelta(seconds=30))
    notify(release, et(2026, 12, 8, 6, 50), when=GO_LIVE - timedelta(seconds=20))
    schedule(release, when=GO_LIVE - timedelta(seconds=10))
    release.refresh_from_db()
    assert release.status == "published"


def test_publish_now_needs_a_notice_ten_minutes_old(nasdaq, approved):
    release = approved()
    now = et(2026, 12, 8, 10, 0)
    with time_machine.travel(now, tick=False), pytest.raises(TransitionRefused):
        actions.publish(release, SYSTEM, now=True)
    notify(release, now - timedelta(minutes=10))
    with time_machine.travel(now, tick=False):
        actions.publish(release, SYSTEM, now=True)


def test_the_notice_is_audited_as_exchange_notified_at_by_reference(nasdaq, approved):
    release = approved()
    notify(release, et(2026, 12, 8, 6, 45), by="Jane Doe, IR", reference="MW-77")
    entry = AuditEntry.objects.get(action="exchange_notified")
    assert entry.release == release
    assert entry.detail == (
        "Exchange (Nasdaq) notified at 2026-12-08 06:45:00 EST by Jane Doe, IR (MW-77)"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"notified_by": ""}, "who told"),
        ({"reference": " "}, "reference"),
        ({"notified_at": et(2026, 12, 8, 9, 0)}, "has not come yet"),
    ],
)
def test_a_notice_without_who_reference_or_from_the_future_is_refused(
    nasdaq, approved, fields, message
):
    release = approved()
    values = {"notified_at": et(2026, 12, 8, 6, 45), "notified_by": "Jane", "reference": "MW"}
    with (
        time_machine.travel(et(2026, 12, 8, 6, 46), tick=False),
        pytest.raises(TransitionRefused, match=message),
    ):
        actions.record_exchange_notice(release, SYSTEM, **(values | fields))
    assert not release.exchange_notices.exists()
    assert not AuditEntry.objects.filter(action="exchange_notified").exists()


def test_friday_evening_on_nasdaq_goes_live_with_the_notice_due_monday(nasdaq, approved):
    release = approved(at=et(2026, 12, 4, 20, 5))
    schedule(release, at=et(2026, 12, 4, 20, 5))
    release.refresh_from_db()
    assert release.status == "published"


def test_a_release_marked_not_material_or_without_a_venue_is_not_checked(
    company, nasdaq, approved, editor
):
    release = approved()
    with pytest.raises(TransitionRefused, match="permission"):
        actions.mark_material(release, editor, False)
    actions.mark_material(release, SYSTEM, False)
    assert AuditEntry.objects.get(action="material_marked").detail == "not material news"
    release.refresh_from_db()
    assert not actions.is_material(release)
    schedule(release)
    other = approved(categories=[])
    assert not actions.is_material(other)  # not an earnings release, never marked
    schedule(other)


def test_no_venue_named_checks_nothing(company, approved):
    release = approved()
    schedule(release)
    release.refresh_from_db()
    assert release.status == "published"


def test_the_exchange_page_shows_the_rule_and_records_a_notice(nasdaq, approved, superuser, client):
    release = approved()
    client.force_login(superuser)
    url = reverse("admin:releases_release_exchange", args=[release.pk])
    with time_machine.travel(et(2026, 12, 8, 6, 46), tick=False):
        page = client.get(url)
        text = page.content.decode()
        assert "Nasdaq Rule 5250(b)(1) and IM-5250-1" in text and "February 19, 2010" in text
        assert "not legal advice" in text
        response = client.post(
            url,
            {
                "notified_at": "2026-12-08 06:45:00",
                "notified_by": "Jane Doe",
                "reference": "MW-1",
            },
        )
        assert response.status_code == 302
    assert release.exchange_notices.get().reference == "MW-1"
    schedule(release, when=et(2026, 12, 8, 6, 47))


def test_the_publish_page_shows_what_the_rule_asks_and_warns_after_the_close(
    nasdaq, approved, superuser, client
):
    release = approved(at=et(2026, 12, 8, 16, 0, 30))
    client.force_login(superuser)
    with time_machine.travel(et(2026, 12, 8, 12, 0), tick=False):
        page = client.get(
            reverse("admin:releases_release_transition", args=[release.pk, "publish"])
        )
    text = page.content.decode()
    assert "Exchange notice (Nasdaq)" in text
    assert "by Tue Dec 8, 2026 3:50:30 PM EST" in text
    assert "not before 4:01 PM, preferably 4:05 PM ET" in text
    assert reverse("admin:releases_release_exchange", args=[release.pk]) in text


def test_the_company_profile_names_its_listing_venue(company, superuser, client):
    client.force_login(superuser)
    page = client.get(reverse("admin:contacts_companyprofile_change", args=[company.pk]))
    text = page.content.decode()
    assert 'name="listing_venue"' in text and "New York Stock Exchange" in text
