"""The dateline ("CITY, Month D, YYYY -- ") and the release date it, or the document, gives."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .blocks import Block
from .front import Front
from .model import ExhibitDocument, ExhibitError
from .patterns import (
    DATE_RE,
    DATELINE_CITY_ONLY_RE,
    DATELINE_NO_CITY_RE,
    DATELINE_RES,
    NOT_A_CITY_RE,
    STATE_RE,
    make_date,
    parse_date_match,
)


@dataclass
class Dateline:
    index: int
    city: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    wire: str = ""
    has_date: bool = False
    line: int | None = None


def match_dateline(text: str) -> tuple[re.Match[str] | None, str]:
    """Match a dateline at the start of ``text``; returns (match, lead text after it)."""
    head = text[:300]
    for rx in DATELINE_RES:
        m = rx.match(head)
        if not m:
            continue
        city = m.group("city")
        if len(city) > 60 or NOT_A_CITY_RE.search(city):
            continue
        rest = text[m.end() :].strip()
        if rest and not re.match(r"[\w“\"‘'(\[$]", rest):
            continue
        return m, rest
    m = DATELINE_NO_CITY_RE.match(head)
    if m and (m.group("year") or m.group("year2")):
        return m, text[m.end() :].strip()
    m = DATELINE_CITY_ONLY_RE.match(head)
    city = m.group("city").rstrip(" ,") if m else ""
    if (
        m
        and (re.match(r"[A-Z]{3,}\b", city) or STATE_RE.search(city))
        and not NOT_A_CITY_RE.search(city)
    ):
        rest = text[m.end() :].strip()
        if len(rest) >= 40 and len(city) <= 60:
            return m, rest
    return None, text


def find_dateline(blocks: list[Block]) -> Dateline | None:
    paras = [i for i, b in enumerate(blocks) if b.kind == "p"]
    limit = max(12, len(paras) * 2 // 5)
    for i in paras[:limit]:
        b = blocks[i]
        if b.bullet or len(b.text) < 12:
            continue
        m, rest = match_dateline(b.text)
        if not m:
            continue
        if not rest and not any(x.kind == "p" for x in blocks[i + 1 : i + 3]):
            continue
        if not rest and not m.groupdict().get("city"):
            continue  # a date on a line of its own: the front matter's release date
        groups = m.groupdict()
        dl = Dateline(index=i, line=b.line)
        dl.city = (groups.get("city") or "").strip().rstrip(",").strip()
        dl.wire = (groups.get("wire") or "").strip()
        if groups.get("mon") or groups.get("mon2"):
            dl.year, dl.month, dl.day = parse_date_match(m)
            dl.has_date = True
        elif dl.wire:
            dm = DATE_RE.search(dl.wire)  # "(Marketwire - Jan 25, 2005)"
            if dm:
                dl.year, dl.month, dl.day = parse_date_match(dm)
                dl.has_date = True
        # The block now holds the lead paragraph only (or is dropped if the dateline stood alone).
        if rest:
            lead = Block(**{**b.__dict__, "text": rest, "lines": [rest], "lead_bold": ""})
            blocks[i] = lead
        else:
            blocks[i] = Block(kind="hr", line=b.line)
        return dl
    return None


def guess_body_start(blocks: list[Block]) -> int:
    """Without a dateline: the body starts at the first long paragraph."""
    for i, b in enumerate(blocks):
        if b.kind == "p" and (len(b.text) > 200 or (len(b.text) > 80 and b.text.endswith("."))):
            return i
    return min(len(blocks), 3)


def closest_year(month: int, day: int, ref: datetime.date) -> datetime.date | None:
    """The month/day nearest to ``ref`` (a December dateline filed in January is last year)."""
    options = [make_date(y, month, day) for y in (ref.year - 1, ref.year, ref.year + 1)]
    valid = [d for d in options if d]
    return min(valid, key=lambda d: abs((d - ref).days)) if valid else None


def resolve_date(
    doc: ExhibitDocument,
    dl: Dateline | None,
    front: Front,
    default_date: datetime.date | None,
    filed: datetime.date | None,
    printed: list[datetime.date] | None = None,
) -> None:
    """Set ``doc.date``: the dateline's full date; else a date the exhibit prints elsewhere (a
    date line, a dated release instruction, a wire trailer's "-0- MM/DD/YYYY"), which also gives
    a year-less dateline its year; else the caller's date, else the filing date."""
    line = dl.line if dl else front.headline_line
    printed = [d for d in [front.fir_date, *(printed or [])] if d]
    if dl and dl.has_date and dl.month and dl.day:
        if dl.year:
            d = make_date(dl.year, dl.month, dl.day)
            if d is None:
                raise ExhibitError("dateline date is not a valid date", line=line)
            doc.date, doc.date_source = d, "dateline"
            return
        same_day = [d for d in printed if (d.month, d.day) == (dl.month, dl.day)]
        if same_day:
            doc.date, doc.date_source = same_day[0], "document"
            return
        for ref, source in ((default_date, "option"), (filed, "filing")):
            if ref:
                doc.date, doc.date_source = closest_year(dl.month, dl.day, ref), source
                if doc.date:
                    return
        raise ExhibitError("dateline has no year; pass --date YYYY-MM-DD", line=line)
    # No date in the dateline (or no dateline): a dated FOR IMMEDIATE RELEASE line, or the caller.
    for ref, source in (
        (printed[0] if printed else None, "document"),
        (default_date, "option"),
        (filed, "filing"),
    ):
        if ref:
            doc.date, doc.date_source = ref, source
            return
    if dl:
        raise ExhibitError("dateline has no date; pass --date YYYY-MM-DD", line=line)
    raise ExhibitError("no dateline with a release date found; pass --date YYYY-MM-DD", line=line)
