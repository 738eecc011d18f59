"""Demo events (idempotent, by slug): a past earnings call with its slides and replay, the next
one on a date across the next DST change from today, and an annual meeting in person."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from events import actions
from events.models import Event, EventDocument
from irsite import clock
from irsite.uploads import check_upload

SYSTEM = actions.SystemActor("load_demo_events")

# A one-page PDF standing in for the slides.
SLIDES = (
    b"%PDF-1.3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Count 1 /Kids [ 3 0 R ] >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /MediaBox [ 0 0 200 200 ] /Parent 2 0 R /Resources << >> >>\n"
    b"endobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n205\n%%EOF\n"
)


def next_dst_change(zone: ZoneInfo, after: datetime) -> datetime:
    """The first instant after ``after`` at which ``zone``'s offset changes (hour steps)."""
    at = after.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    offset = at.astimezone(zone).utcoffset()
    for _ in range(24 * 400):
        at += timedelta(hours=1)
        if at.astimezone(zone).utcoffset() != offset:
            return at
    return after + timedelta(days=60)


class Command(BaseCommand):
    help = __doc__

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        zone = ZoneInfo(settings.TIME_ZONE)
        now = clock.now()
        change = next_dst_change(zone, now)
        upcoming = (
            (change + timedelta(days=3)).astimezone(zone).replace(hour=17, minute=0, second=0)
        )
        past = (now - timedelta(days=40)).astimezone(zone).replace(hour=17, minute=0, second=0)
        meeting = (now + timedelta(days=120)).astimezone(zone).replace(hour=10, minute=0, second=0)
        specs: list[dict[str, Any]] = [
            dict(title="Third quarter earnings call", slug="q3-earnings-call", starts_at=past,
                 webcast_url="https://webcast.example.com/q3",
                 replay_url="https://replay.example.com/q3", replay_until=now + timedelta(days=60),
                 dial_in="+1 800 555 0100, passcode 1234"),
            dict(title="Fourth quarter earnings call", slug="q4-earnings-call", starts_at=upcoming,
                 webcast_url="https://webcast.example.com/q4",
                 dial_in="+1 800 555 0100, passcode 5678",
                 materials_at=upcoming - timedelta(hours=1)),
            dict(title="Annual meeting of shareholders", slug="annual-meeting", starts_at=meeting,
                 kind=Event.Kind.ANNUAL_MEETING, attendance=Event.Attendance.IN_PERSON,
                 location="The Royal Sonesta\n40 Edwin H. Land Blvd, Cambridge, MA",
                 ends_at=meeting + timedelta(hours=2)),
        ]  # fmt: skip
        for spec in specs:
            if Event.objects.filter(slug=spec["slug"]).exists():
                continue
            spec.setdefault("ends_at", spec["starts_at"] + timedelta(hours=1))
            event = Event(zone=settings.TIME_ZONE, announce_at=now, **spec)
            actions.save_event(event, SYSTEM)
            if event.slug == "q3-earnings-call":
                document = EventDocument(event=event, kind="slides", title="Q3 presentation")
                document.take(check_upload(SimpleUploadedFile("slides.pdf", SLIDES)))
                document.save()
            actions.submit(event, SYSTEM)
            actions.approve(event, SYSTEM, now=True)
            self.stdout.write(f"{event.title}: {event.get_absolute_url()}")
