"""An attachment's title as an editor pasted it ("CR\\r\\nX-Injected: 1", a right-to-left
override in front of "FDP.exe") reads as one line of the text it shows: on the release's page
and in the alert e-mail as a real SMTP server receives it, never as a header or a second line,
never reversed. The rule is the one every text column follows (`irsite.plaintext`, walked over
every model in tests/test_any_text.py); this checks it end to end for the field that had none.
"""

import email
from datetime import timedelta
from email.policy import default as default_policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command

from releases.models import Attachment, Release

from .admin_forms import ADD_URL, form_data
from .conftest import at
from .files import PDF, upload
from .servers import free_port
from .shared import subscribe

PASTED = "CR\r\nX-Injected: 1 \u202eFDP.exe"
SHOWN = "CR X-Injected: 1 FDP.exe"
DRAFTED = at(2026, 11, 26, 12, 0, 0)
GO_LIVE = DRAFTED + timedelta(hours=4, minutes=5)


class Inbox:
    """An SMTP server's (aiosmtpd) record of each message it accepted, as bytes."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def inbox(settings):
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield box
    controller.stop()


def test_a_pasted_attachment_title_is_one_line_on_the_page_and_in_the_alert_as_received(
    client, editor, contacts, disclaimer_versions, company, publish, worker, inbox, settings,
    _own_media,
):  # fmt: skip
    settings.IRSITE_PAGE_CACHE = False
    settings.SITE_URL = "https://ir.example.com"
    client.force_login(editor)
    with time_machine.travel(DRAFTED, tick=False):
        data = form_data(contacts, disclaimer_versions) | {
            "published_at_0": "2026-11-26",
            "published_at_1": "16:05:00",
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": PASTED,
            "attachments-0-position": "0",
            "attachments-0-upload": upload("statements.pdf", PDF),
        }
        response = client.post(ADD_URL, data)
        assert response.status_code == 302, response.context and response.context["errors"]
        subscribe("reader@example.com")
    client.logout()
    release = publish(Release.objects.get(), GO_LIVE)
    assert Attachment.objects.get().title == SHOWN

    with time_machine.travel(GO_LIVE + timedelta(seconds=1), tick=False):
        page = client.get(release.get_absolute_url()).content.decode()
        call_command("run_worker", "--once")
    assert SHOWN in page and "\u202e" not in page

    (raw,) = inbox.received
    message = email.message_from_bytes(raw, policy=default_policy)
    assert message["X-Injected"] is None
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "\u202e" not in text and "\u202e" not in html
    (line,) = [line for line in text.splitlines() if "FDP.exe" in line]
    assert line.startswith(SHOWN), line
    assert not any(line.startswith("X-Injected") for line in text.splitlines())
    assert SHOWN in html
