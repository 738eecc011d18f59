"""The worker's EDGAR poll: when it is due, and one poll.

Every ``IRSITE_EDGAR_POLL_SECONDS`` (300) the worker's check (`filings.tasks.enqueue_if_due`)
claims the next poll with one conditional UPDATE of the source row, which one worker wins
however many run, and enqueues `filings.tasks.poll_edgar`. A poll reads the submissions file
with If-Modified-Since, then each older page (``filings.files``) not read before, and stores the
lot in one transaction (`filings.actions.store_answer`). Anything short of a whole, valid answer
is recorded as the source's error, the list left as it was, and the next attempt backed off
(Retry-After first).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from irsite import clock

from . import actions, edgar
from .models import EdgarSource, Filing

logger = logging.getLogger("irsite.filings")


def claim_poll() -> bool:
    """Whether this worker takes the poll that is due now (at most one worker does)."""
    now = clock.now()
    interval = timedelta(seconds=settings.IRSITE_EDGAR_POLL_SECONDS)
    due = Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)
    source = EdgarSource.objects.filter(due, pk=1).exclude(cik="")
    return bool(source.update(next_check_at=now + interval))


def submissions_path(cik: str) -> str:
    return f"/submissions/CIK{cik}.json"


def poll() -> str:
    """One poll of EDGAR for the configured CIK; what happened, in one line."""
    source = EdgarSource.objects.filter(pk=1).first()
    if source is None or not source.cik:
        return "no CIK set: nothing to poll"
    cik = source.cik
    try:
        edgar.user_agent()
    except edgar.NotConfigured as error:
        logger.error("%s", error)
        actions.store_failure(cik, str(error))
        return str(error)
    since = source.edgar_last_modified if source.updated_at and Filing.objects.exists() else ""
    try:
        answer = edgar.get(submissions_path(cik), if_modified_since=since)
        if answer.status == 304:
            actions.store_not_modified(cik)
            return "not modified since " + since
        submissions = edgar.parse_submissions(answer.body, cik)
    except edgar.EdgarError as error:
        return _failed(cik, error)
    records = list(submissions.filings)
    unknown = set(submissions.unknown_keys)
    pages_read: list[str] = []
    page_error = ""
    for page in submissions.pages:
        if page in source.pages_read:
            continue
        try:
            found, more = edgar.parse_page(edgar.get(f"/submissions/{page}").body, page)
        except edgar.EdgarError as error:
            page_error = f"older page {page}: {error}"
            break  # the rest next time (after a 429, at once would be impolite)
        records.extend(found)
        unknown |= more
        pages_read.append(page)
    notes = f"EDGAR sent keys irsite does not read: {', '.join(sorted(unknown))}" if unknown else ""
    try:
        stored = actions.store_answer(
            cik,
            records,
            name=submissions.name,
            edgar_last_modified="" if page_error else answer.last_modified,
            pages_read=pages_read,
            notes=notes,
            error=page_error,
        )
    except actions.ActionRefused as error:
        return str(error)
    if page_error:
        logger.warning("EDGAR poll of CIK %s: %s", cik, page_error)
    return f"{len(records)} filings read, {stored.created} new, {stored.changed} changed" + (
        f"; {page_error}" if page_error else ""
    )


def _failed(cik: str, error: edgar.EdgarError) -> str:
    delay = actions.store_failure(cik, str(error), error.retry_after)
    logger.warning("EDGAR poll of CIK %s failed: %s; next attempt in %.0f s", cik, error, delay)
    return f"failed: {error}; next attempt in {delay:.0f} s"


def not_ready() -> str:
    """Why polls would send nothing ("" when a CIK is set and the poller can run, or no CIK is
    set and nothing is to be polled)."""
    source = EdgarSource.objects.filter(pk=1).first()
    if source is None or not source.cik:
        return ""
    try:
        edgar.user_agent()
    except edgar.NotConfigured as error:
        return str(error)
    return ""
