"""The EDGAR poll as a background task (django-tasks, database backend), on a queue of its own
("edgar"), which each worker runs beside the renditions, on a thread apart from the purges and
alerts: a slow or hung EDGAR never delays a go-live's purge or an alert. Stored by dotted path
(``filings.tasks.poll_edgar``)."""

from django_tasks import task

from .poller import claim_poll, poll

EDGAR_QUEUE = "edgar"


@task(queue_name=EDGAR_QUEUE)
def poll_edgar() -> str:
    return poll()


def enqueue_if_due() -> bool:
    """The worker's periodic check: enqueue a poll when one is due and this worker claimed it
    (one conditional UPDATE: at most one worker does)."""
    if not claim_poll():
        return False
    poll_edgar.enqueue()
    return True
