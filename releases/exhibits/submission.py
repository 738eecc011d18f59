"""EDGAR submissions: the EX-99 documents of a filing, its date, and decoding bytes to text."""

from __future__ import annotations

import datetime

from .model import ExhibitError
from .patterns import DOC_RE, FILED_RES, TEXT_RE, TYPE_RE, make_date


def split_documents(
    data: bytes,
) -> tuple[list[tuple[str, bytes, int]], datetime.date | None]:
    filed = None
    header = data[:50000]
    for rx in FILED_RES:
        m = rx.search(header)
        if m:
            digits = m.group(1).replace(b"-", b"").decode()
            filed = make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
            if filed:
                break
    found: list[tuple[str, bytes, int]] = []
    others: list[tuple[str, bytes, int]] = []
    for m in DOC_RE.finditer(data):
        chunk = m.group(1)
        tm = TYPE_RE.search(chunk)
        doc_type = tm.group(1).decode("ascii", "replace").upper() if tm else ""
        xm = TEXT_RE.search(chunk)
        body = xm.group(1) if xm else chunk
        start = m.start(1) + (xm.start(1) if xm else 0)
        offset = data.count(b"\n", 0, start)
        entry = (doc_type, body, offset)
        if doc_type.startswith("EX-99"):
            found.append(entry)
        elif doc_type.startswith("EX-"):
            others.append(entry)
    # Old filings sometimes file the release as another exhibit number (EX-20, EX-28).
    return (found or others), filed


def decode(data: bytes) -> str:
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ExhibitError("binary file (contains NUL bytes)", line=line)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    controls = sum(1 for ch in text[:20000] if ch < " " and ch not in "\t\n\r\f\v")
    if controls > max(8, len(text[:20000]) // 100):
        raise ExhibitError("binary file (not text or HTML)", line=1)
    return text.replace("\r\n", "\n").replace("\r", "\n")
