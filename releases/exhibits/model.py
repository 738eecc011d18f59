"""Dataclasses shared by the exhibit parser and renderers.

Kept free of Django so the site can wrap these in models and management commands without
this package knowing about them.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ExhibitContact:
    name: str
    title: str = ""
    organization: str = ""
    telephone: str = ""
    email: str = ""
    audience: str = ""  # "investors" | "media" | ""


@dataclass
class ExhibitSection:
    """An About section or the safe-harbor section: a heading plus <p>/<ul> HTML."""

    heading: str
    html: str


@dataclass
class ExhibitDocument:
    exhibit_label: str = ""
    company_name: str = ""
    address_lines: list[str] = field(default_factory=list)
    telephone: str = ""
    fax: str = ""
    website: str = ""
    exchange: str = ""
    ticker: str = ""
    contacts: list[ExhibitContact] = field(default_factory=list)
    for_immediate_release: bool = False
    # The release instruction as printed ("For Immediate Release", "FOR RELEASE AT 4:05 P.M.
    # ET"); renderers print it, or FOR IMMEDIATE RELEASE when only the flag is set.
    release_instruction: str = ""
    headline: str = ""
    subheadlines: list[str] = field(default_factory=list)
    dateline_city: str = ""
    date: datetime.date | None = None
    # "dateline" (complete date in the dateline), "document" (a release date printed elsewhere
    # in the exhibit, e.g. "For Immediate Release: November 22, 2024" or a wire trailer),
    # "option" (default_date passed by the caller), "filing" (EDGAR submission header).
    date_source: str = ""
    wire_tag: str = ""
    body_html: str = ""
    abouts: list[ExhibitSection] = field(default_factory=list)
    safe_harbor: ExhibitSection | None = None
    # Where the exhibit sets its safe harbor when more of the body follows it (the financial
    # tables, the company paragraph: K22): the number of the body's top-level blocks
    # (paragraphs, headings, lists, tables) printed before it. The About sections are printed
    # there too, before the safe harbor, as everywhere. None: after the body.
    standard_texts_at: int | None = None
    end_mark: str = ""
    notes: list[str] = field(default_factory=list)  # trailing trademark / editor notices
    source_format: str = ""  # "text" | "html"
    # What the importer should tell the person importing: a field the exhibit does not print
    # and that was left empty (a wire continuation without a headline, K14).
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict (date as ISO string)."""
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


class ExhibitError(Exception):
    """A file that cannot be read as a press-release exhibit.

    ``str(e)`` is a single line so management commands can print it as-is.
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = " ".join(reason.split())
        self.line = line
        super().__init__(f"line {line}: {self.reason}" if line else self.reason)
