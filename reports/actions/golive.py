"""What a report's publication and every later correction of it set in motion.

Nothing runs at the publication second to make anything public: `ReportQuerySet.public` shows
the report from it on. What the approving action sets up, in its transaction, is what else it
needs: the page cache capped at the next registered second (reports/apps.py) or replaced now;
the front cache purged (every report URL carries the ``list`` surrogate key: none is an item
view) at the publication second and again after it (`irsite.http.frontcache.purge_moments`),
never before the second by the database's clock (``not_before``).
"""

from datetime import datetime

from irsite import clock
from irsite.http import LIST, public_pages_changed, schedule_changed
from irsite.http.frontcache import purge_front_cache, purge_moments

from ..models import Report


def enqueue_report_purge(at: datetime | None = None) -> None:
    """Purge every report URL (the ``list`` key) once the change commits, or at ``at``."""
    for when in purge_moments(at):
        purge_front_cache.using(run_after=when).enqueue(keys=[LIST], not_before=when.timestamp())


def report_goes_public(report: Report, at: datetime) -> None:
    """In the transaction that approves ``report`` to go public at ``at`` (now or later)."""
    if at > clock.now():
        schedule_changed()
    else:
        public_pages_changed()
    enqueue_report_purge(at)


def public_report_changed(report: Report) -> None:
    """In the transaction of an approved correction or a withdrawal: public at once."""
    public_pages_changed()
    enqueue_report_purge()
