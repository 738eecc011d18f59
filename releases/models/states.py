"""The states of a release: what is stored (`Status`) and what an editor sees (`State`)."""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    # Public from `published_at` on; "scheduled" until then (see `state`).
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class State(models.TextChoices):
    """What an editor sees (`state`): a published release is scheduled, then live.

    The transitions in `releases.actions` accept and the admin's filter offers these.
    """

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live"
    WITHDRAWN = "withdrawn", "Withdrawn"
