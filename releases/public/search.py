"""Search over public releases: one interface, PostgreSQL full-text search or a SQLite fallback.

A query is reduced here, in Python, to at most a few plain words (`parse`), so no input can
reach the database as search syntax, and both databases answer the same question: releases
containing every word (in any form: "results" finds "result"), ranked headline over
subheadline over body. PostgreSQL answers it with the stored, weighted tsvector and its GIN
index (`SearchRank`); SQLite with ``LIKE`` on the word stems and the same weights in a ``CASE``.
The excerpt and the highlighting are made here for both, from the plain text of the body,
escaping every piece of text before wrapping matches in ``<mark>``.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Expression, F, FloatField, Q, Value, When
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from ..models import SEARCH_CONFIG, Release, ReleaseQuerySet

# PostgreSQL's English stop words (tsearch_data/english.stop): it ignores them in a query, so
# the fallback must too, or the two would disagree on "the results".
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
    """.split()  # noqa: SIM905 - a list of 127 words reads better as words
)
# Numbers keep their decimal point ("9.87"), as PostgreSQL's parser keeps them; else words.
_TERM = re.compile(r"\d+(?:[.,]\d+)+|\w+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
# Weights of a match in the headline, subheadline and body: PostgreSQL's defaults for A, B, C.
WEIGHTS = {"headline": 1.0, "subheadline": 0.4, "body": 0.2}


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse(raw: str | None) -> Query:
    """The words worth searching for in what a reader typed; never raises."""
    text = _CONTROL.sub(" ", raw or "")[: settings.IRSITE_SEARCH_MAX_LENGTH].strip()
    terms: list[str] = []
    for match in _TERM.finditer(text.lower()):
        term = match.group()
        if term not in STOP_WORDS and term not in terms:
            terms.append(term)
    return Query(text=text, terms=tuple(terms[: settings.IRSITE_SEARCH_MAX_TERMS]))


def stem(term: str) -> str:
    """A crude English stem, enough to let "results" find "result" and "announced" find
    "announcing" where PostgreSQL's own stemmer is not there."""
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    return term


def matching(releases: ReleaseQuerySet, query: Query) -> ReleaseQuerySet:
    """``releases`` that contain every word of ``query``, in no particular order: on PostgreSQL
    through the GIN index of the stored tsvector, on SQLite by ``LIKE`` on the word stems."""
    if not query:
        return releases.none()
    if connection.vendor == "postgresql":
        return releases.filter(search_document__vector=_ts_query(query))
    for term in query.terms:
        stemmed = stem(term)
        anywhere = [Q(**{f"{field}__icontains": stemmed}) for field in _FIELDS.values()]
        releases = releases.filter(Q(*anywhere, _connector=Q.OR))
    return releases


def rank(query: Query) -> Expression:
    """How well a release matches ``query``: headline over subheadline over body (the weights
    A, B, C of the stored tsvector on PostgreSQL, `WEIGHTS` in a ``CASE`` on SQLite)."""
    if connection.vendor == "postgresql":
        return SearchRank(F("search_document__vector"), _ts_query(query))
    score: Expression = Value(0.0, output_field=FloatField())
    for term in query.terms:
        stemmed = stem(term)
        for name, field in _FIELDS.items():
            score = score + Case(
                When(**{f"{field}__icontains": stemmed}, then=Value(WEIGHTS[name])),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return score


_FIELDS = {
    "headline": "headline",
    "subheadline": "subheadline",
    "body": "search_document__body_text",
}


def _ts_query(query: Query) -> SearchQuery:
    return SearchQuery(" ".join(query.terms), search_type="plain", config=SEARCH_CONFIG)


def ranked_count() -> int:
    return settings.IRSITE_SEARCH_RANKED


class Matches:
    """The releases of ``releases`` (public, filtered) that match ``query``, in the order the
    results page lists them, for `UncountedPaginator` (which slices it, never counts it).

    The cost of a page does not grow with the number of matches. Only the newest
    `IRSITE_SEARCH_RANKED` matches (the candidates: the publication-order index walked until
    that many match for a word every release contains, the GIN index then a sort of the few
    for a rare one) are ranked, best first; the older matches follow them, newest first, so
    every match can be reached and a page is the same each time it is asked for. Neither
    counts the matches nor ranks them all (at 100,000 releases that was 5 s of SQL for the
    company's name: bench/results/search-*.md).
    """

    def __init__(self, releases: ReleaseQuerySet, query: Query) -> None:
        self.query = query
        self.matches = matching(releases, query).order_by("-published_at", "-pk")
        self.candidates = self.matches.values("pk")[: ranked_count()]

    def __getitem__(self, window: slice) -> list[Release]:
        start, stop = window.start or 0, window.stop
        assert stop is not None and window.step is None  # a page's slice
        if not self.query:
            return []
        found: list[Release] = []
        ranked = ranked_count()
        if start < ranked:
            # The outer query reads the candidates by primary key: the matching, the public
            # rule and the filters were applied once, in the subquery.
            best = (
                Release.objects.for_search()
                .filter(pk__in=self.candidates)
                .annotate(rank=rank(self.query))
                .order_by("-rank", "-published_at", "-pk")
            )
            found += best[start : min(stop, ranked)]
        if stop > ranked:
            # The candidates are the first of the matches in this order: what follows them.
            found += self.matches[max(start, ranked) : stop]
        return found


def _pattern(terms: Iterable[str]) -> re.Pattern | None:
    stems = sorted({stem(t) for t in terms}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """``text`` escaped, with the words that match ``terms`` in ``<mark>``."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(format_html("<mark>{}</mark>", match.group()))
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece was escaped just above


def excerpt(text: str, terms: Iterable[str], words: int = 32) -> SafeString:
    """About ``words`` words of ``text`` around its first match, highlighted."""
    terms = tuple(terms)
    tokens = text.split()
    start = 0
    pattern = _pattern(terms)
    if pattern is not None:
        for i, token in enumerate(tokens):
            if pattern.search(token):
                start = max(0, i - words // 4)
                break
    window = tokens[start : start + words]
    lead = "… " if start > 0 else ""
    tail = " …" if start + words < len(tokens) else ""
    return format_html("{}{}{}", lead, highlight(" ".join(window), terms), tail)


@dataclass(frozen=True)
class Result:
    release: Release
    headline: SafeString
    excerpt: SafeString


def results(releases: Iterable[Release], query: Query) -> list[Result]:
    """What the results page prints of each release: headline and excerpt, highlighted."""
    found = []
    for release in releases:
        document = getattr(release, "search_document", None)
        body = document.body_text if document else ""
        text = body or release.summary
        found.append(
            Result(
                release=release,
                headline=highlight(release.headline, query.terms),
                excerpt=excerpt(text, query.terms),
            )
        )
    return found
