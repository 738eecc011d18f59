"""Sizes and limits of a release, shared by the model, the admin and the importer."""

from django.core.exceptions import ValidationError

# The text-search configuration (language) of the search vector and of every query.
SEARCH_CONFIG = "english"
# Characters of a headline; the importer refuses a longer one rather than cut it.
HEADLINE_MAX_LENGTH = 500
# Characters of the multi-line texts around the body, each printed on the page, the PDF, the
# feeds and the frozen record: a 1 MB one made every page megabytes long and stalled the PDF.
# Subheadlines (bullets under the headline): four times the longest filed in the corpus (521).
SUBHEADLINE_MAX_LENGTH = 2000
# The summary feeds and search engines show: "one or two sentences", with room to spare.
SUMMARY_MAX_LENGTH = 1000
# Notices after the end mark (notes to editors, trademarks): ten times the longest filed (523).
NOTES_MAX_LENGTH = 5000
# The largest body a release may have, in bytes of stored HTML (UTF-8): four times the largest
# earnings release seen (1 MB, many tables). The admin and the importer refuse a larger one.
BODY_MAX_BYTES = 4 * 1024 * 1024
# How much of the body's text (bytes of UTF-8) the PostgreSQL search vector indexes: a tsvector
# holds at most 1 MB, and text of unique short words makes one 2.3 times its size.
SEARCH_INDEX_MAX_BYTES = 384 * 1024


def validate_body_size(html: str) -> None:
    """Refuse a body over `BODY_MAX_BYTES`, saying how large it is and what the limit is."""
    size = len((html or "").encode("utf-8", "replace"))
    if size > BODY_MAX_BYTES:
        raise ValidationError(
            f"The body is {size / 1024 / 1024:.1f} MB of HTML; the limit is "
            f"{BODY_MAX_BYTES / 1024 / 1024:.0f} MB. Split it, or move tables to an exhibit.",
            code="body_too_large",
        )


def search_prefix(text: str, limit: int = SEARCH_INDEX_MAX_BYTES) -> str:
    """The first ``limit`` bytes of ``text`` (UTF-8), cut at a word: what search indexes."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:limit].decode("utf-8", "ignore")
    return cut.rsplit(" ", 1)[0] if " " in cut else cut
