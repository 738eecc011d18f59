"""The contacts of an alert e-mail under one heading (issue 29): a contact whose audience the
filing does not name printed without a second "Contacts:" in front of it. Sent by the worker
(`manage.py run_worker --once`) into Django's locmem outbox and read as a mail client does."""

import email
from datetime import timedelta
from email.policy import default as default_policy

import pytest
import time_machine
from django.core import mail

from irsite.contacts.models import Contact

from .conftest import at
from .shared import subscribe

NOW = at(2026, 11, 26, 12, 0, 0)


@pytest.fixture(autouse=True)
def _alerts_env(settings, worker):
    settings.SITE_URL = "https://ir.example.com"
    settings.DEFAULT_FROM_EMAIL = "investors@example.com"


def sent_alert(make_release, publish, worker) -> tuple[str, str]:
    """The text and HTML parts of the one alert a subscriber receives."""
    subscribe("reader@example.com")
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        release = make_release(published_at=NOW)
    Contact.objects.filter(name="Pete Holmberg").update(audience=Contact.Audience.UNSPECIFIED)
    publish(release)
    with time_machine.travel(NOW, tick=False):
        worker()
    (message,) = [m for m in mail.outbox if m.subject == release.headline]
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=default_policy)
    return (
        parsed.get_body(("plain",)).get_content(),
        parsed.get_body(("html",)).get_content(),
    )


def test_alert_prints_one_contacts_heading_and_no_label_repeating_it(
    make_release, publish, worker, company
):
    text, html = sent_alert(make_release, publish, worker)
    assert text.count("Contacts") == 1, text
    assert "Investors: Carol Hausner" in text
    assert "\nPete Holmberg, Rx Communications Group, LLC" in text
    assert "Contacts:" not in html and html.count(">Contacts<") == 1
    assert ">Pete Holmberg" in html and "Investors: Carol Hausner" in html
