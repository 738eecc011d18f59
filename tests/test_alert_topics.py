"""E-mail alert topics besides releases (`irsite.alert_topics`): "Events" (new at the announce
second, rescheduled or cancelled when a second person approves it) and "SEC filings" (each new
filing on EDGAR), chosen on the sign-up form and the preferences page, each item mailed once to
the subscribers who chose its topic and to no one else, never before its second.

Readers act through the test client; the worker runs as `manage.py run_worker --once`."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from events import actions as event_actions
from events.models import Event
from filings import actions as filing_actions
from filings import edgar
from irsite.alerts import actions, tokens
from irsite.alerts.models import AlertBatch, Delivery, Subscriber

from .conftest import at
from .edgar_server import CIK, columns, filing
from .shared import subscribe

NOW = at(2026, 11, 26, 12, 0, 0)
ANNOUNCE = at(2026, 11, 26, 13, 0, 0)
CALL = at(2027, 1, 28, 17, 0, 0)  # New York time, as `at` reads it


@pytest.fixture(autouse=True)
def _alerts_env(settings, worker, company):
    settings.SITE_URL = "https://ir.example.com"
    settings.DEFAULT_FROM_EMAIL = "investors@example.com"
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


def choose(address: str, *topics: str, releases: bool = False) -> Subscriber:
    """A confirmed address that chose ``topics`` (and all releases, or none)."""
    actions.request_subscription(
        address, all_categories=True, categories=[], source="tests", topics=topics,
        releases=releases,
    )  # fmt: skip
    subscriber = Subscriber.objects.get(email=address)
    actions.confirm(subscriber, subscriber.requested_at.isoformat())
    mail.outbox.clear()  # the confirmation
    return subscriber


def run_worker_at(moment) -> None:
    from django.core.management import call_command

    with time_machine.travel(moment, tick=False):
        call_command("run_worker", "--once")


def recipients() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


@pytest.fixture
def scheduled_event(make_event, announce):
    return announce(
        make_event(
            title="Q4 2026 earnings call",
            starts_at=CALL,
            ends_at=CALL + timedelta(hours=1),
            announce_at=ANNOUNCE,
        )
    )


# --- choosing -------------------------------------------------------------------------------


def test_the_form_offers_events_and_filings_once_a_cik_is_set(client):
    html = client.get(reverse("alerts:subscribe")).content.decode()
    assert 'value="events"' in html and "new, rescheduled and cancelled events" in html
    assert 'value="filings"' not in html  # no EDGAR CIK: no filings to announce
    assert 'value="none"' in html
    filing_actions.set_cik(CIK)
    html = client.get(reverse("alerts:embed")).content.decode()
    assert 'value="filings"' in html and "SEC filings" in html


def test_signing_up_for_events_only_stores_that_choice_and_the_confirmation_says_it(client):
    response = client.post(
        reverse("alerts:subscribe"),
        {"email": "ev@example.com", "scope": "none", "topics": "events"},
    )
    assert response.status_code == 200
    subscriber = Subscriber.objects.get(email="ev@example.com")
    assert subscriber.topics() == ["events"] and not subscriber.receives_releases
    run_worker_at(NOW)  # the worker mails the link
    assert "(Events)" in mail.outbox[0].body
    token = re.search(r"/alerts/confirm/(\S+)/", mail.outbox[0].body).group(1)
    page = client.get(reverse("alerts:confirm", args=[token])).content.decode()
    assert "ev@example.com (Events)" in page


def test_no_releases_and_no_topic_is_refused_keeping_what_was_typed(client):
    response = client.post(reverse("alerts:subscribe"), {"email": "x@example.com", "scope": "none"})
    html = response.content.decode()
    assert "You chose no press releases and nothing else" in html
    assert 'value="x@example.com"' in html
    assert not Subscriber.objects.exists()


def test_the_preferences_page_adds_and_removes_topics(client):
    subscriber = subscribe("p@example.com")
    url = tokens.preferences_url(subscriber).removeprefix("https://ir.example.com")
    html = client.get(url).content.decode()
    assert re.search(r'name="topics" value="events"(?![^>]*checked)', html)
    client.post(url, {"scope": "all", "topics": ["events"]})
    assert subscriber.topics() == ["events"] and subscriber.receives_releases
    html = client.get(url).content.decode()
    assert re.search(r'name="topics" value="events"[^>]*checked', html)
    response = client.post(url, {"scope": "none", "topics": ["events"]})
    assert "You receive Events." in response.content.decode()
    client.post(url, {"scope": "all"})
    assert subscriber.topics() == []


# --- events ---------------------------------------------------------------------------------


def test_an_event_is_mailed_once_at_its_announce_second_to_those_who_chose_events(
    scheduled_event,
):
    choose("events@example.com", "events")
    choose("both@example.com", "events", releases=True)
    subscribe("releases@example.com")
    for moment in (NOW, ANNOUNCE - timedelta(seconds=1)):
        run_worker_at(moment)
        assert mail.outbox == [] and not AlertBatch.objects.exists(), moment
    run_worker_at(ANNOUNCE)
    assert recipients() == ["both@example.com", "events@example.com"]
    for later in (ANNOUNCE + timedelta(seconds=5), ANNOUNCE + timedelta(hours=1)):
        run_worker_at(later)
    assert len(mail.outbox) == 2  # once, whatever the worker's later ticks
    message = mail.outbox[0]
    assert message.subject == "New event: Q4 2026 earnings call"
    # The event's own zone and its abbreviation, and its calendar file.
    assert "Thursday, January 28, 2027, 5:00 p.m. – 6:00 p.m. EST" in message.body
    ics = "https://ir.example.com" + scheduled_event.get_ics_url()
    assert ics in message.body and ics in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://ir.example.com/")
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_reschedule_and_a_cancellation_are_mailed_when_approved_and_not_before(
    scheduled_event, editor, approver
):
    choose("events@example.com", "events")
    run_worker_at(ANNOUNCE)
    mail.outbox.clear()
    with time_machine.travel(ANNOUNCE + timedelta(days=1), tick=False):
        edited = Event.objects.get(pk=scheduled_event.pk)
        edited.starts_at, edited.ends_at = at(2027, 3, 18, 17, 0, 0), at(2027, 3, 18, 18, 0, 0)
        change = event_actions.save_event(edited, editor, change_note="Moved to March.")
    run_worker_at(ANNOUNCE + timedelta(days=1, minutes=1))
    assert mail.outbox == []  # prepared, not approved: nothing public changed
    with time_machine.travel(ANNOUNCE + timedelta(days=2), tick=False):
        event_actions.approve_change(change, approver)
    run_worker_at(ANNOUNCE + timedelta(days=2, seconds=1))
    [moved] = mail.outbox
    assert moved.subject == "Rescheduled: Q4 2026 earnings call"
    # Across the DST change: the new time in EDT, the old one in EST.
    assert "Thursday, March 18, 2027, 5:00 p.m. – 6:00 p.m. EDT" in moved.body
    assert "Previously: January 28, 2027, 5:00 p.m. EST" in moved.body
    mail.outbox.clear()
    with time_machine.travel(ANNOUNCE + timedelta(days=3), tick=False):
        edited = Event.objects.get(pk=scheduled_event.pk)
        edited.schedule = Event.Schedule.CANCELLED
        change = event_actions.save_event(edited, editor, change_note="Call cancelled.")
        event_actions.approve_change(change, approver)
        # A later change that is not news (a typo) mails nothing.
        edited = Event.objects.get(pk=scheduled_event.pk)
        edited.description = "Fourth-quarter results."
        change = event_actions.save_event(edited, editor, change_note="Description.")
        event_actions.approve_change(change, approver)
    run_worker_at(ANNOUNCE + timedelta(days=3, seconds=1))
    run_worker_at(ANNOUNCE + timedelta(days=3, minutes=1))
    [cancelled] = mail.outbox
    assert cancelled.subject == "Cancelled: Q4 2026 earnings call"
    assert "Call cancelled." in cancelled.body


def test_an_event_announced_before_the_alerts_window_is_never_mailed(make_event, announce):
    choose("events@example.com", "events")
    old = announce(make_event(announce_at=NOW - timedelta(days=30)), NOW - timedelta(days=30))
    assert old.is_public()
    run_worker_at(NOW)
    assert mail.outbox == []


# --- filings --------------------------------------------------------------------------------


def poll(rows) -> None:
    records, _ = edgar.records(columns(rows), "test")
    filing_actions.store_answer(CIK, records, name="IMMUNOGEN INC")


def test_each_new_filing_is_mailed_once_to_those_who_chose_filings(settings):
    filing_actions.set_cik(CIK)
    choose("filings@example.com", "filings")
    choose("events@example.com", "events")
    subscribe("releases@example.com")
    history = [filing(1, "10-K", "2026-02-26"), filing(2, "8-K", "2026-11-20")]
    poll(history)  # the first read: history, never mailed
    run_worker_at(NOW)
    assert mail.outbox == []
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        poll([filing(3, "8-K", "2026-11-26", primaryDocDescription="8-K"), *history])
    run_worker_at(NOW + timedelta(minutes=10, seconds=1))
    run_worker_at(NOW + timedelta(minutes=20))
    [message] = mail.outbox
    assert message.to == ["filings@example.com"]
    assert message.subject == "SEC filing: Form 8-K, Form 8-K"
    assert "0000855654-26-000003-index.htm" in message.body
    assert "https://ir.example.com/filings/" in message.body


def test_a_filing_hidden_before_its_alert_is_sent_is_not_sent():
    filing_actions.set_cik(CIK)
    choose("filings@example.com", "filings")
    poll([filing(1, "10-K", "2026-02-26")])
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        poll([filing(2, "8-K", "2026-11-26"), filing(1, "10-K", "2026-02-26")])
        from filings.models import Filing

        filing_actions.hide_filing(Filing.objects.get(accession_number__endswith="000002"), "x")
    run_worker_at(NOW + timedelta(minutes=11))
    assert mail.outbox == []


# --- results kits and reports (registered by their apps as events and filings are) -----------


def test_a_results_kit_is_mailed_once_at_its_releases_second_to_those_who_chose_results(
    make_release, publish
):
    from .results_kits import approved_kit

    results = publish(make_release(headline="Q2 fiscal 2027 results", published_at=ANNOUNCE))
    kit = approved_kit(results)
    choose("results@example.com", "results")
    choose("events@example.com", "events")
    for moment in (NOW, ANNOUNCE - timedelta(seconds=1)):
        run_worker_at(moment)
        assert mail.outbox == [], moment  # the kit has no second of its own: its release's
    run_worker_at(ANNOUNCE)
    run_worker_at(ANNOUNCE + timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == ["results@example.com"]
    assert message.subject == f"Results: {kit.title}"
    assert "Q2 fiscal 2027 results" in message.body and "Q1 presentation" in message.body
    assert "https://ir.example.com" + kit.get_absolute_url() in message.body


def test_a_report_is_mailed_once_at_its_second_to_those_who_chose_reports(
    make_report, publish_report
):
    report = publish_report(make_report(title="Annual report 2026", published_at=ANNOUNCE))
    choose("reports@example.com", "reports")
    choose("results@example.com", "results")
    run_worker_at(ANNOUNCE - timedelta(seconds=1))
    assert mail.outbox == []
    run_worker_at(ANNOUNCE)
    run_worker_at(ANNOUNCE + timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == ["reports@example.com"]
    assert message.subject == "Annual report: Annual report 2026"
    assert "https://ir.example.com" + report.get_file_url() in message.body


def test_the_form_offers_results_and_reports_beside_events(client):
    html = client.get(reverse("alerts:subscribe")).content.decode()
    assert 'value="results"' in html and 'value="reports"' in html


def test_the_introduction_promises_only_the_topics_the_form_offers(client):
    """The sign-up page's first paragraph once listed events and SEC filings by name: it named
    filings with no CIK set (nothing to send) and not results or reports."""
    html = client.get(reverse("alerts:subscribe")).content.decode()
    intro = re.search(r"<h1>Email alerts</h1>\s*<p[^>]*>(.*?)</p>", html, re.S)
    assert intro, html[:2000]
    assert 'value="filings"' not in html and "SEC filings" not in intro[1]
    assert "Also send me" in intro[1] and 'value="results"' in html and 'value="reports"' in html
