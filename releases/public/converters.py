"""The numbers a public URL may carry, bounded where they are parsed.

A reader can type any digits into `/news/<year>/`, `?year=` or `?page=`; a number outside what
the archive (or the database) can hold is simply not a page: 404, or ignored in a filter, never
an overflow deep in a query (a 500).
"""

# The years an archive or a filter may name: before any EDGAR filing (1993) and well inside
# every database's date range (a year lookup on 9999 asks for 10000-01-01 and overflows).
ARCHIVE_YEARS = range(1900, 3000)


def archive_year(text: str) -> int | None:
    """``text`` (a query-string value) as an archive year, or None: four ASCII digits in
    `ARCHIVE_YEARS`. Other digits ("²⁰⁰³", "٢٠٠٣") and padded forms ("02003") are not years."""
    if len(text) == 4 and text.isascii() and text.isdigit() and int(text) in ARCHIVE_YEARS:
        return int(text)
    return None


class YearConverter:
    """`/news/2003/`: four digits in `ARCHIVE_YEARS`; anything else matches no URL (404), so
    `/news/02003/` is not a second copy of the 2003 archive."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = archive_year(value)
        if year is None:
            raise ValueError(value)  # Django reads this as "no match"
        return year

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


class TwoDigitConverter:
    """Months and days as the permanent URL prints them: 01, not 1."""

    regex = "[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:02d}"
