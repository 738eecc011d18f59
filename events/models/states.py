"""What an event is, how readers attend it, and where it stands as a date on the calendar.

The workflow's states are the releases' own (`releases.models.Status`, `State`): an event is
drafted, reviewed, approved and published like a release, and "scheduled" then "live" around its
announce second. `Schedule` is something else: whether the event itself still takes place when
announced (schema.org's eventStatus, iCalendar's STATUS).
"""

from django.db import models


class Kind(models.TextChoices):
    EARNINGS_CALL = "earnings_call", "Earnings call"
    INVESTOR_DAY = "investor_day", "Investor day"
    CONFERENCE = "conference", "Conference presentation"
    ANNUAL_MEETING = "annual_meeting", "Annual meeting"
    OTHER = "other", "Other event"


class Attendance(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    MIXED = "mixed", "Online and in person"


class Schedule(models.TextChoices):
    """Whether the event takes place as announced. Changed on a public event only by a
    correction a second person approves (`events.actions.corrections`)."""

    SCHEDULED = "scheduled", "Scheduled"
    RESCHEDULED = "rescheduled", "Rescheduled"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"
