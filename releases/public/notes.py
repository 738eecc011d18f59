"""Lines other apps add under a public release's page, without releases importing them.

An app above releases (filings: "Filed as Exhibit 99.1 to Form 8-K, accession …") registers a
function in its ``AppConfig.ready``; the release page asks every registered function at render
time, as `irsite.http.schedule` asks for go-live seconds and `irsite.health` for statuses. The
direction of dependency stays: the app knows releases, releases knows only this registry.

A function answers for one public release with a `Note`: the line to print (or None), whether
the release's own "SEC filing" link gives way (the app decided about that address: it prints the
line instead, or the IR team hid what it names), and when what it prints last changed (the
page's Last-Modified moves with it).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Release


@dataclass(frozen=True)
class Line:
    """``before`` then a link: "Filed as Exhibit 99.1 to Form 8-K, accession" <a>0000…</a>."""

    before: str
    link_text: str
    url: str


@dataclass(frozen=True)
class Note:
    line: Line | None = None
    replaces_filing_url: bool = False
    changed_at: datetime | None = None


_registry: dict[str, Callable[["Release"], Note | None]] = {}


def register(name: str, note_for: Callable[["Release"], Note | None]) -> None:
    """Add (or replace, by ``name``: ``ready`` may run twice) a source of notes."""
    _registry[name] = note_for


def notes_for(release: "Release") -> list[Note]:
    """What every registered app says about ``release`` (public), in registration order."""
    return [note for note_for in _registry.values() if (note := note_for(release)) is not None]
