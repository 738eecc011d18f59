"""A results kit: one fiscal period's earnings release, earnings call and documents."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from .querysets import KitQuerySet


class Period(models.TextChoices):
    # The values are the URL's last part: /results/2027/q1/.
    Q1 = "q1", "Q1"
    Q2 = "q2", "Q2"
    Q3 = "q3", "Q3"
    Q4 = "q4", "Q4"
    FY = "fy", "Full year"

    @property
    def quarter(self) -> int | None:
        return None if self == Period.FY else int(self.value[1])


class KitStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    # Public from its release's go-live second on (`KitQuerySet.public`).
    APPROVED = "approved", "Approved"


class ResultsKit(models.Model):
    Period = Period
    Status = KitStatus

    fiscal_year = models.PositiveSmallIntegerField(
        help_text="Named by the calendar year the fiscal year ends in."
    )
    period = models.CharField(max_length=2, choices=Period.choices)
    # The last day of the period, from the fiscal calendar when the kit was saved: a later
    # change of the calendar does not rewrite what a published kit said.
    period_end = models.DateField(editable=False)
    release = models.OneToOneField(
        "releases.Release",
        on_delete=models.PROTECT,
        related_name="results_kit",
        help_text="The earnings release: the kit is public exactly when this release is.",
    )
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="results_kits",
        help_text="The earnings call; its time and webcast show as the event's own rules allow.",
    )

    status = models.CharField(
        max_length=20, choices=KitStatus.choices, default=KitStatus.DRAFT, editable=False
    )
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
    # The last approved correction of the public kit ("Updated on …").
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = KitQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "-period", "-pk"]
        verbose_name = "results kit"
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "period"], name="one_kit_per_period")
        ]
        permissions = [
            ("approve_resultskit", "Can approve results kits and corrections of public ones"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("results:detail", args=[self.fiscal_year, self.period])

    @property
    def period_name(self) -> str:
        """ "Q1 fiscal 2027", "Full year fiscal 2027"."""
        return f"{self.get_period_display()} fiscal {self.fiscal_year}"

    @property
    def title(self) -> str:
        return f"{self.period_name} results"

    @property
    def period_words(self) -> str:
        """ "Three months ended September 30, 2026" (twelve for the full year)."""
        months = "Twelve" if self.period == Period.FY else "Three"
        end: date = self.period_end
        return f"{months} months ended {end:%B} {end.day}, {end.year}"

    # --- states ----------------------------------------------------------------------------

    def is_public(self) -> bool:
        """`KitQuerySet.public` for this row."""
        return self.status == KitStatus.APPROVED and self.release.is_public

    @property
    def is_live(self) -> bool:
        return self.is_public()

    @property
    def state_label(self) -> str:
        if self.status == KitStatus.DRAFT:
            return "Draft: waiting for approval"
        if self.release.withdrawn_at:
            return "Withdrawn with its release"
        return "Public" if self.is_live else "Approved: public with its release"

    @property
    def public_since(self) -> datetime | None:
        """The second the kit became public: its release's go-live, or its own approval if that
        came later."""
        return max(filter(None, [self.release.published_at, self.approved_at]), default=None)

    @property
    def last_modified(self) -> datetime | None:
        """When what readers see of the kit last changed: its release's go-live (or its own
        approval if later), the release's corrections, the kit's corrections."""
        moments = [self.release.last_modified, self.approved_at, self.corrected_at]
        return max(filter(None, moments), default=None)

    def snapshot(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year,
            "period": self.period,
            "release": self.release_id,
            "event": self.event_id,
            "documents": [d.snapshot() for d in self.documents.current()] if self.pk else [],
        }
