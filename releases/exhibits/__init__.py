"""SEC 8-K Exhibit 99 press releases: parse text/HTML/EDGAR exhibits, render text and HTML."""

from .model import ExhibitContact, ExhibitDocument, ExhibitError, ExhibitSection
from .parse import parse_exhibit, parse_submission, split_submission

__all__ = [
    "ExhibitContact",
    "ExhibitDocument",
    "ExhibitError",
    "ExhibitSection",
    "parse_exhibit",
    "parse_submission",
    "split_submission",
]
