"""The one row of state the HTTP layer keeps in the database."""

from django.db import models


class PublicChange(models.Model):
    """One row: when the public site last changed by a committed action, the Last-Modified
    second given to that state (`irsite.http.lastmodified`), and a count of changes."""

    changed_at = models.DateTimeField()
    last_modified = models.BigIntegerField(help_text="Epoch seconds, strictly increasing.")
    # Counts every change of the public pages or of the schedule: part of the cache's generation,
    # so an invalidation lost on its way to Redis is caught up from here (`irsite.http.pagecache`).
    version = models.BigIntegerField(default=0)

    class Meta:
        # Created by the releases app (releases/migrations/0016) before this layer had a room of
        # its own; the table keeps its name, so moving the model moved no data.
        db_table = "releases_publicchange"

    def __str__(self) -> str:
        return f"public change at {self.changed_at:%Y-%m-%d %H:%M:%S.%f}"
