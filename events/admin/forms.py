"""The event's change form: times typed in the event's own zone, checked as one."""

from copy import copy
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from irsite.uploads import ACCEPTED, CheckedFile, check_upload
from releases.admin.timefields import ZonedDateTimeField, zoned

from ..models import Event, EventDocument, zone_names
from ..models.checks import event_problems

# Times entered in the event's zone (the zone field says which), as date, time and occurrence.
LOCAL_TIMES = ("starts_at", "ends_at", "replay_until")


class LocalDateTimeField(ZonedDateTimeField):
    """The releases' date/time/occurrence field, resolved later in the event's zone: the form's
    `clean` knows the zone, the field alone does not. Yields (day, time, fold) or None."""

    def compress(self, data_list: list) -> Any:
        if not data_list or data_list[0] in self.empty_values:
            if data_list and data_list[1] not in self.empty_values:
                raise ValidationError("Enter a date.", code="invalid_date")
            return None
        day, clock, fold = data_list
        if clock in self.empty_values:
            clock = time()  # an all-day event's days need no time
        return (day, clock, fold or "")


def _parts(value: datetime, zone: ZoneInfo) -> list:
    local = value.astimezone(zone)
    other = local.replace(fold=1 - local.fold)
    fold = str(local.fold) if other.utcoffset() != local.utcoffset() else ""
    return [local.date(), local.time(), fold]


def _formfield(field, **kwargs):
    # Addresses typed without a scheme are taken as https (Django 6's default, chosen now).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class EventForm(forms.ModelForm):
    starts_at = LocalDateTimeField(label="Starts", help_text="In the event's time zone.")
    ends_at = LocalDateTimeField(
        label="Ends",
        help_text="In the event's time zone. For an all-day event, its last day (time ignored).",
    )
    replay_until = LocalDateTimeField(
        label="Replay available until", required=False, help_text="In the event's time zone."
    )
    announce_at = ZonedDateTimeField(
        label="Announce time",
        required=False,
        help_text=Event._meta.get_field("announce_at").help_text,
    )
    materials_at = ZonedDateTimeField(
        label="Materials time",
        required=False,
        help_text=Event._meta.get_field("materials_at").help_text,
    )
    zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="An IANA name, e.g. America/New_York, Europe/London, Asia/Tokyo.",
        widget=forms.TextInput(attrs={"list": "iana-zones", "autocomplete": "off"}),
    )
    change_note = forms.CharField(
        label="What changes (shown to readers)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A public event changes only when someone else approves this change.",
    )
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        formfield_callback = _formfield
        fields = [
            "title", "slug", "kind", "description", "zone", "all_day", "starts_at", "ends_at",
            "attendance", "location", "registration_url", "webcast_url", "dial_in",
            "replay_url", "replay_until", "releases", "announce_at", "materials_at", "schedule",
        ]  # fmt: skip

    zone_names = sorted(zone_names())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        event = self.instance
        if event.pk:
            tz = event.tz
            for name in LOCAL_TIMES:
                if value := getattr(event, name):
                    self.initial[name] = _parts(value, tz)
            if event.all_day:
                last = event.local_end.date()
                self.initial["ends_at"] = [date.fromordinal(last.toordinal() - 1), time(), ""]
            self.initial["based_on_version"] = event.version

    def _resolve(self, name: str, tz: ZoneInfo, cleaned: dict) -> datetime | None:
        raw = cleaned.get(name)
        if raw is None:
            return None
        day, clock, fold = raw
        try:
            with timezone.override(tz):
                return zoned(day, clock, fold, self.fields[name].error_messages)
        except ValidationError as error:
            self.add_error(name, error)
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        name = cleaned.get("zone") or ""
        if name not in zone_names():
            if "zone" not in self.errors:
                self.add_error(
                    "zone", f"“{name[:60]}” is not an IANA time zone name (e.g. America/New_York)."
                )
            for field in LOCAL_TIMES:
                cleaned.pop(field, None)
            return cleaned
        tz = ZoneInfo(name)
        all_day = cleaned.get("all_day")
        if all_day:
            for field in ("starts_at", "ends_at"):
                if raw := cleaned.get(field):
                    cleaned[field] = (raw[0], time(), "")
        for field in LOCAL_TIMES:
            if field in cleaned:
                cleaned[field] = self._resolve(field, tz, cleaned)
        if all_day and cleaned.get("ends_at"):
            # The last day typed, stored as the midnight after it (iCalendar's exclusive end).
            last = cleaned["ends_at"].astimezone(tz).date()
            # Wall-clock arithmetic in the zone: midnight of the next day, whatever DST does.
            cleaned["ends_at"] = datetime(last.year, last.month, last.day, tzinfo=tz) + timedelta(
                days=1
            )
        probe = copy(self.instance)
        for field, value in cleaned.items():
            if field in {f.name for f in Event._meta.concrete_fields}:
                setattr(probe, field, value)
        for field, problem in event_problems(probe).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, problem)
        live = self.instance.pk and self.instance.state == Event.State.LIVE
        if live and not (cleaned.get("change_note") or "").strip():
            self.add_error(
                "change_note", "Say what changes and why: readers see it on the event's page."
            )
        return cleaned


class EventDocumentForm(forms.ModelForm):
    """One document: a title, a kind, an order and a file checked by its content."""

    upload = forms.FileField(
        label="file", required=False, help_text=f"{ACCEPTED}. Choosing a file replaces it."
    )
    checked: CheckedFile | None = None

    class Meta:
        model = EventDocument
        fields = ["position", "kind", "title"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        upload = cleaned.get("upload")
        if upload:
            try:
                self.checked = check_upload(upload)
            except ValidationError as error:
                self.add_error("upload", error)
        elif self.instance.pk is None:
            self.add_error("upload", "Choose a file.")
        return cleaned

    def save(self, commit: bool = True) -> EventDocument:
        if self.checked:
            self.instance.take(self.checked)
        return super().save(commit)
