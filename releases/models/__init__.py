"""The releases app's models: what a release is, and THE publication rule.

Direction (held by ``make lint``, import-linter): these modules import Django, the site-wide
helpers (``irsite.plaintext``, ``irsite.richtext``, ``irsite.uploads``) and the models of the
apps a release prints from (``irsite.contacts``, ``irsite.disclaimers``); nothing here imports
the actions, the public site, the admin or the worker, which are all built on these.

- `querysets`: `ReleaseQuerySet.public()`, the publication rule every public surface reuses;
- `release`: `Release`, with its states (`states`) and limits (`limits`);
- `category`, `files` (attachments, PDF renditions), `parts` (contacts and standard texts as
  approved), `record` (stored rendered record, search document), `history` (revisions,
  corrections, the audit trail), `links` (old slugs, share links).

Import from ``releases.models``, not from the modules: where a model lives is not an interface.
"""

from .category import Category, CategoryQuerySet, CategorySlugRedirect
from .files import Attachment, Rendition
from .history import AuditEntry, Correction, ExchangeNotice, PendingCorrection, Revision
from .limits import (
    BODY_MAX_BYTES,
    HEADLINE_MAX_LENGTH,
    SEARCH_CONFIG,
    SEARCH_INDEX_MAX_BYTES,
    search_prefix,
    validate_body_size,
)
from .links import PreviewLink, SlugRedirect
from .parts import ReleaseContact, ReleaseDisclaimer
from .querysets import (
    CATEGORY_LINK_FIELDS,
    LISTING_FIELDS,
    NEIGHBOUR_FIELDS,
    PAGE_DEFERRED,
    ReleaseQuerySet,
)
from .record import ReleaseRendering, SearchDocument
from .release import Release
from .states import State, Status

__all__ = [
    "BODY_MAX_BYTES",
    "CATEGORY_LINK_FIELDS",
    "HEADLINE_MAX_LENGTH",
    "LISTING_FIELDS",
    "NEIGHBOUR_FIELDS",
    "PAGE_DEFERRED",
    "SEARCH_CONFIG",
    "SEARCH_INDEX_MAX_BYTES",
    "Attachment",
    "AuditEntry",
    "Category",
    "CategoryQuerySet",
    "CategorySlugRedirect",
    "Correction",
    "ExchangeNotice",
    "PendingCorrection",
    "PreviewLink",
    "Release",
    "ReleaseContact",
    "ReleaseDisclaimer",
    "ReleaseQuerySet",
    "ReleaseRendering",
    "Rendition",
    "Revision",
    "SearchDocument",
    "SlugRedirect",
    "State",
    "Status",
    "search_prefix",
    "validate_body_size",
]
