"""Every write to the filings list, each one atomic action with its effects.

- `store_answer`: what the poller read from EDGAR, upserted by accession number in one
  transaction; the list only grows or is corrected, never emptied (a filing EDGAR no longer
  lists stays, for the IR team to hide). A new or changed filing moves the site's
  Last-Modified, drops the page cache and purges the lists and feeds from the front cache.
- `store_not_modified`, `store_failure`: EDGAR's 304, or an attempt that brought nothing usable
  (the error kept for staff, the list untouched, the next attempt backed off).
- `set_cik`, `hide_filing`, `show_filing`: the IR team's, audited (`FilingAudit`).

The admin's ``save_model`` and the commands only call these.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from irsite import clock
from irsite.http import LIST, enqueue_purge, public_pages_changed
from irsite.plaintext import single_line

from .edgar import FilingRecord, padded_cik
from .groups import group_of
from .links import release_paths
from .models import EdgarSource, Filing, FilingAudit

# Rows read per query when comparing an answer with what is stored (SQLite's variable limit).
CHUNK = 500
# A filing first listed by a later poll counts as new on EDGAR if filed within this long.
NEW_WITHIN = timedelta(days=7)


class ActionRefused(Exception):
    """Not done; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class Stored:
    created: int
    changed: int


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


def _audit(user, action: str, filing: Filing | None = None, detail: str = "") -> None:
    FilingAudit.objects.create(
        at=clock.now(),
        user=_person(user),
        username=getattr(user, "username", "") or "",
        action=action,
        filing=filing,
        accession_number=filing.accession_number if filing else "",
        detail=detail,
    )


def _require(user, perm: str, doing: str) -> None:
    # None: a command acting for the operator.
    if user is not None and not user.has_perm(f"filings.{perm}"):
        raise ActionRefused(f"You do not have permission to {doing}.")


def _public_change(accession_numbers: list[str] | None = None) -> None:
    """The filings pages change: Last-Modified moves, cached pages go, lists and feeds are
    purged from the front cache once this commits, with the pages of the public releases
    that name one of ``accession_numbers`` (their "Filed as Exhibit 99.1 …" line,
    `filings.links`)."""
    public_pages_changed()
    enqueue_purge([LIST, *release_paths(accession_numbers or [])])


def _locked_source(cik: str) -> EdgarSource:
    source = EdgarSource.objects.select_for_update().filter(pk=1).first()
    if source is None:
        EdgarSource.objects.get_or_create(pk=1)
        source = EdgarSource.objects.select_for_update().get(pk=1)
    if source.cik != cik:
        # The IR team changed the CIK while this answer was on its way: it is not theirs.
        raise ActionRefused(f"The CIK is now {source.cik or 'unset'}, not {cik}: answer dropped.")
    return source


def _row(record: FilingRecord, cik: str) -> dict:
    return {
        "cik": cik,
        "form": record.form,
        "group": group_of(record.form).slug,
        "filing_date": record.filing_date,
        "report_date": record.report_date,
        "accepted_at": record.accepted_at,
        "act": record.act,
        "file_number": record.file_number,
        "film_number": record.film_number,
        "items": record.items,
        "size": record.size,
        "is_xbrl": record.is_xbrl,
        "is_inline_xbrl": record.is_inline_xbrl,
        "primary_document": record.primary_document,
        "description": record.description,
    }


def _refresh_stamp(
    source: EdgarSource, now: datetime, changed: bool, accession_numbers: list[str] | None = None
) -> None:
    """The "last updated from EDGAR" the pages print moves with every change of the list, and
    otherwise at most every ``IRSITE_EDGAR_STAMP_SECONDS`` (each move re-renders the cached
    pages; a poll every few minutes must not empty the page cache every few minutes)."""
    every = timedelta(seconds=settings.IRSITE_EDGAR_STAMP_SECONDS)
    if changed or source.shown_at is None or now - source.shown_at >= every:
        source.shown_at = now
        _public_change(accession_numbers)


def _upsert(
    cik: str, records: Iterable[FilingRecord], now: datetime, *, read_before: bool = False
) -> tuple[int, int, list[str]]:
    """Insert the filings not stored yet and update those EDGAR now describes differently
    (newest first: the first of an accession number wins); how many of each, and their
    accession numbers. ``read_before``:
    the list was read from EDGAR before, so a recent filing inserted now is new on EDGAR."""
    wanted: dict[str, dict] = {}
    for record in records:
        wanted.setdefault(record.accession_number, _row(record, cik))
    numbers = list(wanted)
    stored: dict[str, Filing] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        stored.update(
            (f.accession_number, f) for f in Filing.objects.filter(accession_number__in=chunk)
        )
    recent = (now - NEW_WITHIN).date()
    new = [
        Filing(
            accession_number=number,
            first_seen_at=now,
            new_on_edgar=read_before and row["filing_date"] >= recent,
            **row,
        )
        for number, row in wanted.items()
        if number not in stored
    ]
    changed = []
    for number, filing in stored.items():
        row = wanted[number]
        if any(getattr(filing, field) != value for field, value in row.items()):
            for field, value in row.items():
                setattr(filing, field, value)
            changed.append(filing)
    Filing.objects.bulk_create(new, batch_size=CHUNK)
    if changed:
        Filing.objects.bulk_update(changed, Filing.EDGAR_FIELDS, batch_size=CHUNK)
    touched = [f.accession_number for f in [*new, *changed]]
    return len(new), len(changed), touched


@transaction.atomic
def store_answer(
    cik: str,
    records: Iterable[FilingRecord],
    *,
    name: str = "",
    edgar_last_modified: str = "",
    pages_read: Iterable[str] = (),
    notes: str = "",
    error: str = "",
) -> Stored:
    """Upsert ``records`` (newest first; the first of an accession number wins) as the filings
    of ``cik``, and record a good answer (``error``: a part of it that failed, e.g. an older
    page, kept for staff while the rest is stored)."""
    now = clock.now()
    source = _locked_source(cik)
    created, changed, touched = _upsert(
        cik, records, now, read_before=source.updated_at is not None
    )
    source.name = single_line(name)[:200] or source.name
    # Sent back as If-Modified-Since; "" when part of the answer failed, so that the next poll
    # reads the file again rather than hearing "not modified".
    source.edgar_last_modified = edgar_last_modified[:64]
    source.pages_read = sorted({*source.pages_read, *pages_read})
    source.checked_at = source.updated_at = now
    source.notes = notes
    source.failures = 0 if not error else source.failures + 1
    source.error, source.error_at = (error, now) if error else ("", source.error_at)
    _refresh_stamp(source, now, bool(created or changed), touched)
    source.save()
    return Stored(created=created, changed=changed)


@transaction.atomic
def store_demo(cik: str, records: Iterable[FilingRecord]) -> Stored:
    """Demo filings (`load_demo`): upserted like EDGAR's, but nothing says they came from EDGAR
    (the pages print "not yet read from SEC EDGAR" until the poller has read it)."""
    created, changed, touched = _upsert(padded_cik(cik), records, clock.now())
    if created or changed:
        _public_change(touched)
    return Stored(created=created, changed=changed)


@transaction.atomic
def store_not_modified(cik: str) -> None:
    """EDGAR's 304: the list is as current as it was, and that was just confirmed."""
    now = clock.now()
    source = _locked_source(cik)
    source.checked_at = source.updated_at = now
    source.error, source.failures = "", 0
    _refresh_stamp(source, now, changed=False)
    source.save()


def backoff(failures: int, retry_after: float | None) -> float:
    """Seconds before the next attempt after ``failures`` in a row: EDGAR's Retry-After when
    longer, else the poll interval doubled per failure, at most
    ``IRSITE_EDGAR_MAX_BACKOFF_SECONDS``."""
    grown = settings.IRSITE_EDGAR_POLL_SECONDS * 2 ** min(failures - 1, 20)
    return max(retry_after or 0.0, min(settings.IRSITE_EDGAR_MAX_BACKOFF_SECONDS, grown))


@transaction.atomic
def store_failure(cik: str, message: str, retry_after: float | None = None) -> float:
    """An attempt that brought nothing: the error recorded for staff, the list untouched; the
    next attempt not before the back-off. Returns that back-off in seconds."""
    now = clock.now()
    source = EdgarSource.objects.select_for_update().filter(pk=1).first() or EdgarSource.load()
    if source.cik != cik:
        return 0.0
    source.checked_at = source.error_at = now
    source.error = single_line(message)[:1000]
    source.failures += 1
    delay = backoff(source.failures, retry_after)
    source.next_check_at = now + timedelta(seconds=delay)
    source.save()
    return delay


@transaction.atomic
def set_cik(cik: str, user=None) -> EdgarSource:
    """The issuer's CIK, set once: a different CIK is refused while filings of the current one
    are stored (they would be listed as the new issuer's)."""
    _require(user, "change_edgarsource", "set the CIK")
    try:
        padded = padded_cik(cik)
    except ValueError as error:
        raise ActionRefused(f"Not a CIK: {error}.") from error
    source = EdgarSource.objects.select_for_update().filter(pk=1).first() or EdgarSource.load()
    if source.cik == padded:
        return source
    if source.cik and Filing.objects.exclude(cik=padded).exists():
        raise ActionRefused(
            f"The CIK is {source.cik} and its filings are stored; it is set once. "
            "Ask an operator to remove those filings first."
        )
    previous = source.cik
    source.cik, source.name = padded, ""
    source.edgar_last_modified, source.pages_read = "", []
    source.error, source.failures, source.next_check_at = "", 0, None
    source.updated_at = source.checked_at = None
    source.save()
    _audit(user, FilingAudit.Action.CIK_SET, detail=f"{previous or 'unset'} -> {padded}")
    return source


@transaction.atomic
def hide_filing(filing: Filing, reason: str, user=None) -> None:
    """Take a filing off the public list, its feeds and the sitemap, saying why (audited)."""
    _require(user, "change_filing", "hide a filing")
    reason = single_line(reason)
    if not reason:
        raise ActionRefused("Say why the filing is hidden.")
    if len(reason) > 500:
        raise ActionRefused(f"The reason is {len(reason)} characters long; at most 500.")
    filing.refresh_from_db(from_queryset=Filing.objects.select_for_update())
    if filing.hidden_at is not None:
        raise ActionRefused("This filing is already hidden.")
    filing.hidden_at, filing.hidden_by, filing.hidden_reason = clock.now(), _person(user), reason
    filing.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _audit(user, FilingAudit.Action.HIDDEN, filing, reason)
    _public_change([filing.accession_number])


@transaction.atomic
def show_filing(filing: Filing, user=None, reason: str = "") -> None:
    """Put a hidden filing back on the public list (audited)."""
    _require(user, "change_filing", "show a filing again")
    filing.refresh_from_db(from_queryset=Filing.objects.select_for_update())
    if filing.hidden_at is None:
        raise ActionRefused("This filing is not hidden.")
    was = filing.hidden_reason
    filing.hidden_at, filing.hidden_by, filing.hidden_reason = None, None, ""
    filing.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _audit(user, FilingAudit.Action.SHOWN, filing, single_line(reason) or f"was hidden: {was}")
    _public_change([filing.accession_number])
