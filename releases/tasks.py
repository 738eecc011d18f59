"""Background tasks of releases (django-tasks, database backend): front-cache purges of a
release and PDF renditions, and how actions enqueue them.

Queued tasks are stored by dotted path (``releases.tasks.purge_edge``,
``releases.tasks.render_release_pdf``): these names stay, whatever moves behind them.
"""

from datetime import datetime

from django_tasks import task

from irsite.http.frontcache import PURGE_QUEUE, purge_moments, run_purge, wait_for_second


@task(queue_name=PURGE_QUEUE)
def purge_edge(
    keys: list[str] | None = None,
    release_id: int | None = None,
    attempt: int = 1,
    not_before: float | None = None,
) -> str:
    """Purge the front cache: ``keys``, or what a change of release ``release_id`` shows on;
    not before ``not_before`` (its go-live, by the database's clock). On the purge queue, which
    a worker serves on a lane of its own (never behind an alert batch or a rendition)."""
    from .purges import release_keys

    if early := wait_for_second(
        purge_edge, not_before, keys=keys, release_id=release_id, attempt=attempt
    ):
        return early
    if keys is None:
        assert release_id is not None  # enqueued with one or the other
        keys = release_keys(release_id)
    return run_purge(keys, attempt)


def enqueue_release_purge(release_id: int, at: datetime | None = None) -> None:
    """In the transaction of a change to a release: purge its pages once it commits, or at
    ``at`` (its go-live) if that is later; twice, as `irsite.http.enqueue_purge` does."""
    for when in purge_moments(at):
        purge_edge.using(run_after=when).enqueue(release_id=release_id, not_before=when.timestamp())


@task(queue_name="pdf")
def render_release_pdf(release_id: int) -> str:
    """Store the PDF rendition of a release just scheduled, published or corrected; on the
    "pdf" queue, which a worker runs on a thread of its own (a rendition never delays a
    purge)."""
    from .media.pdf import render_published  # WeasyPrint loads in the worker only

    return render_published(release_id)
