"""THE publication rule of results kits: a kit is public exactly when its release is, once a
second person has approved the kit. No date of its own: the release's rule
(`ReleaseQuerySet.public`) is asked in a subquery, on the database's clock (`irsite.clock`)."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models

from irsite import clock
from releases.models import Release

if TYPE_CHECKING:
    from .kit import ResultsKit  # noqa: F401  (the queryset's type parameter)


class KitQuerySet(models.QuerySet["ResultsKit"]):
    def public(self, now: datetime | None = None) -> "KitQuerySet":
        """Kits readers may see: approved, and their release is public."""
        return self.filter(
            status="approved", release__in=Release.objects.public(now or clock.now())
        )

    def withdrawn(self, now: datetime | None = None) -> "KitQuerySet":
        """Kits whose release was public and is withdrawn: their URLs answer 410 Gone."""
        return self.filter(
            status="approved", release__in=Release.objects.withdrawn(now or clock.now())
        )

    def latest_first(self) -> "KitQuerySet":
        return self.order_by("-release__published_at", "-pk")
