"""Cursor pagination for lists ordered newest first: stable while items go live, never counted.

A cursor is the position of the last item of a page: its publication second and its UUID (the
tie-break), both public on that item already. The next page is the items strictly older than
that position (keyset pagination), so an item that goes live between two requests (newer
than anything a reader has paged through) is never shifted into a later page: nothing is
repeated or skipped among the items visible when the first page was read, whatever goes live,
is corrected (its publication second never changes) or is withdrawn meanwhile. No page asks
for a count, so none grows with the archive.

The position is signed (`django.core.signing`, a salt per noun), so a cursor not made here,
edited or cut short is refused with a 400 before anything is queried, and a release cursor
means nothing to another noun's list. A new ``SECRET_KEY`` retires the cursors in use: a client
starts again from the first page.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core import signing
from django.db.models import Q, QuerySet

# Longer than any cursor made here (about 90 characters): anything longer is not one, and is
# refused without computing a signature over it.
MAX_LENGTH = 200


@dataclass(frozen=True)
class Position:
    """Where a page ended: its last item's publication time (whole seconds) and UUID."""

    at: datetime
    id: uuid.UUID


class Cursors:
    """Cursors of one noun's list (``noun``: "releases"), ordered by ``time_field`` and the
    ``id_field`` UUID, newest first (``ascending``: oldest first, as upcoming events are
    listed, soonest first; give such a list a ``noun`` of its own, so that a cursor of one
    order is refused by the other)."""

    def __init__(
        self, noun: str, time_field: str, id_field: str = "uuid", *, ascending: bool = False
    ) -> None:
        self.signer = signing.Signer(salt=f"irsite.api.v1.{noun}.cursor")
        self.time_field = time_field
        self.id_field = id_field
        self.ascending = ascending

    def after(self, at: datetime, id: uuid.UUID) -> str:
        """The cursor of the page after an item published at ``at`` with UUID ``id``."""
        return self.signer.sign(f"{int(at.timestamp())}.{id.hex}")

    def read(self, text: str) -> Position:
        """The position a cursor made by `after` names; ValueError for anything else."""
        if len(text) > MAX_LENGTH:
            raise ValueError("too long")
        try:
            value = self.signer.unsign(text)
        except signing.BadSignature as error:
            raise ValueError("not signed here") from error
        seconds, _, hex_id = value.partition(".")
        # Signed here, so well formed; checked all the same (a key shared with another site).
        return Position(datetime.fromtimestamp(int(seconds), UTC), uuid.UUID(hex=hex_id))

    def ordered(self, items: QuerySet) -> QuerySet:
        """``items`` newest first, ties broken by UUID: the order cursors are positions in."""
        sign = "" if self.ascending else "-"
        return items.order_by(f"{sign}{self.time_field}", f"{sign}{self.id_field}")

    def older_than(self, items: QuerySet, position: Position) -> QuerySet:
        """``items`` strictly after ``position`` in `ordered` order (older; later when
        ``ascending``)."""
        at, id = position.at, position.id
        beyond, up_to = ("gt", "gte") if self.ascending else ("lt", "lte")
        # The first condition is implied by the second; alone it is a range the index scan
        # starts from, so a page deep in the archive costs what the first does (an OR alone is
        # checked row by row from the newest).
        return items.filter(**{f"{self.time_field}__{up_to}": at}).filter(
            Q(**{f"{self.time_field}__{beyond}": at})
            | Q(**{self.time_field: at, f"{self.id_field}__{beyond}": id})
        )

    def page(
        self, items: QuerySet, start: Position | None, size: int
    ) -> tuple[list, Position | None]:
        """One page of ``items`` from ``start`` (None: the first page) and the position of its
        last item if an older page exists (one row more is read to know), else None."""
        ordered = self.ordered(items)
        if start is not None:
            ordered = self.older_than(ordered, start)
        rows = list(ordered[: size + 1])
        if len(rows) <= size:
            return rows, None
        last = rows[size - 1]
        return rows[:size], Position(getattr(last, self.time_field), getattr(last, self.id_field))


@dataclass(frozen=True)
class DayPosition:
    """Where a page of a list by day ended: its last item's day and its unique text key."""

    day: date
    key: str


class DayCursors:
    """Cursors of a list ordered by a date and a unique text key, both descending (SEC filings:
    filing date, accession number). The same guarantees as `Cursors`: signed, salted per noun,
    keyset pages (a filing listed between two pages is newer, or sorts into its day by a key
    that never changes), never a count."""

    def __init__(self, noun: str, day_field: str, key_field: str) -> None:
        self.signer = signing.Signer(salt=f"irsite.api.v1.{noun}.cursor")
        self.day_field = day_field
        self.key_field = key_field

    def after(self, day: date, key: str) -> str:
        return self.signer.sign(f"{day.isoformat()}.{key}")

    def read(self, text: str) -> DayPosition:
        if len(text) > MAX_LENGTH:
            raise ValueError("too long")
        try:
            value = self.signer.unsign(text)
        except signing.BadSignature as error:
            raise ValueError("not signed here") from error
        day, _, key = value.partition(".")
        return DayPosition(date.fromisoformat(day), key)

    def page(
        self, items: QuerySet, start: DayPosition | None, size: int
    ) -> tuple[list, DayPosition | None]:
        """As `Cursors.page`."""
        ordered = items.order_by(f"-{self.day_field}", f"-{self.key_field}")
        if start is not None:
            ordered = ordered.filter(**{f"{self.day_field}__lte": start.day}).filter(
                Q(**{f"{self.day_field}__lt": start.day})
                | Q(**{self.day_field: start.day, f"{self.key_field}__lt": start.key})
            )
        rows = list(ordered[: size + 1])
        if len(rows) <= size:
            return rows, None
        last = rows[size - 1]
        return rows[:size], DayPosition(
            getattr(last, self.day_field), getattr(last, self.key_field)
        )
