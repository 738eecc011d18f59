"""Readers and the printed record (issue 29): valid ``<time datetime>`` values, and alert
e-mails that print the legal name once and date themselves in the company's zone."""

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import time_machine
from django.core import mail
from django.utils import timezone

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Subscriber
from irsite.contacts.models import CompanyProfile
from releases import actions

from .conftest import SYSTEM, at
from .shared import with_logo

# HTML's valid global date and time string as the Nu checker accepts it: seconds at most to
# three fractional digits (ours: whole seconds), then the offset.
VALID = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?(?:Z|[+-]\d\d:\d\d)$")


def datetimes(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]*)"', html)


def test_time_elements_of_corrected_and_withdrawn_pages_carry_whole_seconds(
    client, make_release, publish
):
    corrected = publish(make_release(published_at=at(2026, 11, 2, 8, 0, 0)))
    with time_machine.travel(at(2026, 11, 3, 9, 15, 7, 123456), tick=False):
        pending = actions.save_release(corrected, SYSTEM, correction_note="Figure fixed.")
        actions.approve_correction(pending, SYSTEM)
    withdrawn = publish(make_release(published_at=at(2026, 11, 4, 8, 0, 0)))
    with time_machine.travel(at(2026, 11, 5, 10, 0, 0, 654321), tick=False):
        actions.withdraw(withdrawn, SYSTEM, "Issued in error.")
    for release, status in ((corrected, 200), (withdrawn, 410)):
        response = client.get(release.get_absolute_url())
        assert response.status_code == status
        values = datetimes(response.content.decode())
        assert len(values) >= 2, values
        assert all(VALID.match(v) for v in values), values
    page = client.get(corrected.get_absolute_url()).content.decode()
    assert "2026-11-03T09:15:07-05:00" in datetimes(page)


def test_alert_email_prints_a_legal_name_ending_in_a_full_stop_once_and_dates_in_its_zone(
    client, company, make_release, publish, worker
):
    assert CompanyProfile.load().legal_name == "ImmunoGen, Inc."
    alert_actions.request_subscription(
        "reader@example.com", all_categories=True, categories=[], source="tests"
    )
    reader = Subscriber.objects.get(email="reader@example.com")
    alert_actions.confirm(reader, reader.requested_at.isoformat())
    publish(make_release(published_at=timezone.now().replace(microsecond=0)))
    worker()
    (sent,) = [
        m for m in mail.outbox if "reader@example.com" in m.to and "Confirm" not in m.subject
    ]
    html = sent.alternatives[0][0]
    assert "Inc.." not in sent.body and "Inc.." not in html
    assert "ImmunoGen, Inc." in sent.body
    date = sent.message()["Date"]
    assert not date.endswith("-0000") and not date.endswith("+0000"), date
    offset = timezone.localtime().utcoffset()
    assert parsedate_to_datetime(date).utcoffset() == offset
    assert abs(parsedate_to_datetime(date) - timezone.now()) < timedelta(minutes=1)


def meta(html: str, attribute: str, name: str) -> str | None:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    return found and found.group(1)


def test_home_and_news_describe_themselves_to_search_engines_and_link_previews(
    client, company, make_release, publish
):
    publish(make_release(published_at=at(2026, 11, 2, 8, 0, 0)))
    for path in ("/", "/news/"):
        html = client.get(path).content.decode()
        assert meta(html, "name", "description"), path
        assert "ImmunoGen" in meta(html, "name", "description")
        assert meta(html, "property", "og:title") and meta(html, "property", "og:type")
        assert meta(html, "property", "og:url") == f"http://testserver{path}"


def test_a_release_without_an_image_is_previewed_with_the_company_logo(
    client, superuser, company, make_release, publish
):
    with_logo(client, superuser, company)
    release = publish(make_release(published_at=at(2026, 11, 2, 8, 0, 0)))
    html = client.get(release.get_absolute_url()).content.decode()
    logo = f"http://testserver{company.get_logo_url()}"
    assert meta(html, "property", "og:image") == logo
    assert f'"image": ["{logo}"]' in html  # the NewsArticle's image too
    home = client.get("/").content.decode()
    assert meta(home, "property", "og:image") == logo
