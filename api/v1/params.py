"""The values a query string or path may carry, each parsed by one function that says what it
accepts: a value it refuses is a 400 naming the parameter (`errors`), never a database error.

They follow the pages' rules where the pages have one: a year is what `/news/<year>/` accepts
(`releases.public.converters.archive_year`), a category slug what a slug can be (a NUL, which
PostgreSQL refuses in any string, or anything else a slug cannot hold never reaches a query).
Where the pages ignore a bad value (their filter form), the API refuses it: a program that
asks for year 20003 should be told, not handed every year.
"""

import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from django.core.validators import slug_re
from pydantic import PlainValidator, WithJsonSchema

from releases.public.converters import ARCHIVE_YEARS, archive_year

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

# Every query parameter an operation reads. The page cache hands a view only the parameters it
# declares and keys its entry on them alone (`irsite.http.pagecache.keep_only`: a tracking or
# unknown parameter never makes a render of its own), so a noun's new filter is named here too
# (tests/test_api.py holds every operation's filters to this list).
QUERY_PARAMETERS = ("category", "year", "cursor", "limit", "kind", "when", "group")


def one_value(parse: Callable[[str], Any]) -> Callable[[object], Any]:
    """A pydantic validator from ``parse`` (text -> value, ValueError saying what it accepts):
    a noun's own parameter types (`v1.events`' kind) are built with it."""

    def validate(value: object) -> Any:
        if not isinstance(value, str):
            raise ValueError("one value expected")  # never the case from a URL
        return parse(value)

    return validate


def parse_year(text: str) -> int:
    year = archive_year(text)
    if year is None:
        raise ValueError(f"year: four digits, {ARCHIVE_YEARS.start} to {ARCHIVE_YEARS.stop - 1}")
    return year


def parse_slug(text: str) -> str:
    if not slug_re.fullmatch(text) or len(text) > 100:
        raise ValueError("category: a category's slug (letters, digits, - and _)")
    return text


def parse_limit(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 3) or not (
        1 <= int(text) <= MAX_LIMIT
    ):
        raise ValueError(f"limit: a whole number from 1 to {MAX_LIMIT}")
    return int(text)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def parse_id(text: str) -> uuid.UUID:
    if not _UUID.fullmatch(text):
        raise ValueError("id: a UUID as this API prints it (8-4-4-4-12 hexadecimal digits)")
    return uuid.UUID(text)


Year = Annotated[
    int,
    PlainValidator(one_value(parse_year)),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": ARCHIVE_YEARS.start,
            "maximum": ARCHIVE_YEARS.stop - 1,
            "description": "Only items published in this year (in the company's time zone).",
        }
    ),
]
CategorySlug = Annotated[
    str,
    PlainValidator(one_value(parse_slug)),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[-a-zA-Z0-9_]+$",
            "maxLength": 100,
            "description": "Only items of the public category with this slug (an unknown one "
            "is a 400).",
        }
    ),
]
Limit = Annotated[
    int,
    PlainValidator(one_value(parse_limit)),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "default": DEFAULT_LIMIT,
            "description": "Items per page.",
        }
    ),
]
Id = Annotated[
    uuid.UUID,
    PlainValidator(one_value(parse_id)),
    WithJsonSchema(
        {
            "type": "string",
            "format": "uuid",
            "description": "The item's id: the UUID of its feed GUID (`urn:uuid:…`).",
        }
    ),
]


# Read by the list's own `cursors.Cursors` (its salt): `CURSOR_MESSAGE` when it refuses one.
Cursor = Annotated[
    str,
    PlainValidator(one_value(str)),
    WithJsonSchema(
        {
            "type": "string",
            "description": "Where the page starts: `next_cursor` of the page before, unchanged "
            "(absent: the newest items).",
        }
    ),
]
CURSOR_MESSAGE = "cursor: give back the `next_cursor` of the page before, unchanged"
