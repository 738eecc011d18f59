"""The bridge between filed exhibits and releases: `releases.exhibits` parses and renders
exhibits without Django; this package turns a parsed exhibit into a draft (through the actions)
and a release back into an exhibit (`bridge`).

Direction: it uses the parser, the models and the actions; the admin's tools and the
``import_exhibit``, ``export_exhibit`` and ``score_importer`` commands use it.
"""

from .bridge import (
    EXHIBIT_HTML_NAME,
    IMPORT_TIME,
    ImportResult,
    company_warnings,
    exhibit_image_names,
    exhibit_zip,
    import_document,
    import_file,
    parse_file,
    to_exhibit,
)

__all__ = [
    "EXHIBIT_HTML_NAME",
    "IMPORT_TIME",
    "ImportResult",
    "company_warnings",
    "exhibit_image_names",
    "exhibit_zip",
    "import_document",
    "import_file",
    "parse_file",
    "to_exhibit",
]
