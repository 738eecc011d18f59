"""SEC 8-K Exhibit 99 press releases: parse text/HTML/EDGAR exhibits, render text and HTML."""

from .model import ExhibitContact, ExhibitDocument, ExhibitError, ExhibitSection
from .parse import parse_exhibit, parse_submission, split_submission
from .render import render_html, render_text

__all__ = [
    "ExhibitContact",
    "ExhibitDocument",
    "ExhibitError",
    "ExhibitSection",
    "parse_exhibit",
    "parse_submission",
    "render_html",
    "render_text",
    "split_submission",
]
