"""An event: an earnings call, investor day, conference presentation or annual meeting."""

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.urls import reverse

from irsite import clock
from irsite.plaintext import MultiLineTextField, SingleLineCharField
from releases.models import Release, State, Status

from .fields import validate_outbound_url, validate_zone
from .querysets import EventQuerySet, materials_visible
from .states import Attendance, Kind, Schedule


def _company_zone() -> str:
    return settings.TIME_ZONE


class Event(models.Model):
    Status = Status
    State = State
    Kind = Kind
    Attendance = Attendance
    Schedule = Schedule

    # What an editor writes and a correction may change (plus linked releases and documents).
    CONTENT_FIELDS = (
        "title", "slug", "kind", "description", "starts_at", "ends_at", "zone", "all_day",
        "attendance", "location", "webcast_url", "registration_url", "dial_in", "replay_url",
        "replay_until", "announce_at", "materials_at", "schedule",
    )  # fmt: skip
    TIME_FIELDS = ("starts_at", "ends_at", "replay_until", "announce_at", "materials_at")

    # The iCalendar UID: stable for the event's life, whatever its title, slug or date become.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = SingleLineCharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the event's permanent URL.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EARNINGS_CALL)
    description = MultiLineTextField(blank=True, max_length=5000)
    # Stored as instants; ``zone`` is the IANA zone they were entered in and are shown in.
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    zone = SingleLineCharField(
        "time zone", max_length=64, default=_company_zone, validators=[validate_zone]
    )
    all_day = models.BooleanField("all day", default=False)
    attendance = models.CharField(
        max_length=20, choices=Attendance.choices, default=Attendance.ONLINE
    )
    location = MultiLineTextField(
        blank=True, max_length=1000, help_text="Venue and address, for in-person attendance."
    )
    webcast_url = models.URLField(
        "webcast URL", blank=True, max_length=1000, validators=[validate_outbound_url]
    )
    registration_url = models.URLField(
        "registration URL", blank=True, max_length=1000, validators=[validate_outbound_url]
    )
    dial_in = MultiLineTextField(
        "dial-in", blank=True, max_length=2000, help_text="Numbers and passcodes, as readers "
        "see them."
    )  # fmt: skip
    replay_url = models.URLField(
        "replay URL", blank=True, max_length=1000, validators=[validate_outbound_url]
    )
    replay_until = models.DateTimeField("replay available until", null=True, blank=True)
    releases = models.ManyToManyField(Release, blank=True, related_name="events")

    announce_at = models.DateTimeField(
        "announce time",
        null=True,
        blank=True,
        help_text="The second the event becomes public (company's zone). Until then nothing of "
        "it is public.",
    )
    materials_at = models.DateTimeField(
        "materials time",
        null=True,
        blank=True,
        help_text="The second the webcast URL, dial-in and documents become public (often the "
        "results release's go-live); blank: with the announcement.",
    )
    schedule = models.CharField(
        "event status", max_length=20, choices=Schedule.choices, default=Schedule.SCHEDULED
    )
    # Shown on the page as "Rescheduled from …" after an approved reschedule.
    previous_starts_at = models.DateTimeField(null=True, blank=True, editable=False)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # Optimistic locking and the four-eyes rule, as for releases.
    version = models.PositiveIntegerField(default=1, editable=False)
    content_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # RFC 5545 SEQUENCE: up by one with every public change of the event.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "announce_at"], name="event_public"),
            models.Index(fields=["starts_at"], name="event_start"),
        ]
        permissions = [
            ("submit_event", "Can submit events for approval"),
            ("approve_event", "Can approve and schedule events"),
            ("correct_event", "Can approve corrections of public events"),
        ]

    def __str__(self) -> str:
        return self.title

    # --- addresses -------------------------------------------------------------------------

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=self._date_args())

    def get_ics_url(self) -> str:
        return reverse("events:ics", args=self._date_args())

    def _date_args(self) -> list[Any]:
        local = self.local_start
        return [local.year, local.month, local.day, self.slug]

    # --- time, in the event's own zone ----------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.tz)

    @property
    def local_previous_start(self) -> datetime | None:
        return self.previous_starts_at and self.previous_starts_at.astimezone(self.tz)

    # --- states and rules ------------------------------------------------------------------

    def is_public(self, now: datetime | None = None) -> bool:
        """`EventQuerySet.public` for this row."""
        return (
            self.status == Status.PUBLISHED
            and self.announce_at is not None
            and self.announce_at <= (now or clock.now())
        )

    def materials_visible(self, now: datetime | None = None) -> bool:
        return materials_visible(self, now)

    def replay_visible(self, now: datetime | None = None) -> bool:
        """The replay link: with the materials, until its end."""
        now = now or clock.now()
        if not self.replay_url or not self.materials_visible(now):
            return False
        return self.replay_until is None or now < self.replay_until

    @property
    def state(self) -> str:
        if self.status == Status.PUBLISHED:
            return State.LIVE if self.is_public() else State.SCHEDULED
        return self.status

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def is_editable(self) -> bool:
        """Drafts are edited; anything else changes through the workflow or a correction."""
        return self.status == Status.DRAFT

    def is_over(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or clock.now())

    @property
    def last_modified(self) -> datetime | None:
        """When what readers see of it last changed (the materials' second counts once past)."""
        moments = [self.announce_at, self.corrected_at]
        if self.materials_visible():
            moments.append(self.materials_at)
        return max(filter(None, moments), default=None)

    def snapshot(self) -> dict[str, Any]:
        """The content as a correction proposes it: fields, linked releases, documents."""
        data: dict[str, Any] = {}
        for name in self.CONTENT_FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if isinstance(value, datetime) else value
        data["releases"] = sorted(self.releases.values_list("pk", flat=True)) if self.pk else []
        data["documents"] = [d.snapshot() for d in self.documents.all()] if self.pk else []
        return data
