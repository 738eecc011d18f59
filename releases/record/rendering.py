"""The frozen part of a release page, rendered once at publication and at each correction.

A published release is a record (docs/frozen-record.md): its text, contacts, letterhead and
standard texts change only by an approved correction. So the part of its page that prints them
(letterhead, contacts, headline, body, About, safe harbor, notes, attachments) and what the
page's head quotes of it (excerpt, image, publisher) are rendered by `render_record` when
`releases.actions` publishes or corrects it, and stored beside it (`ReleaseRendering`); the
public page reads that row instead of six tables and a template. The letterhead's logo is part
of the record (docs/brand.md). What is not is still rendered per request: categories (names can
change), neighbours, absolute URLs and the site's own header and footer.

The stored HTML is derived data. Each row carries the `fingerprint` of what produced it (the
fragment templates' source, the source of the Python they run: `record_inputs`, the versions of
Django and nh3, `RENDER_FORMAT`, time zone and language); a row whose fingerprint
or release version is not the current one is not used (the page renders the record live, as a
preview does) until the worker, in the background on a thread of its own, stores it again
(`actions.render_stale_batch`, batches by id; `manage.py render_releases` does it at once).
Nothing waits for it: a deploy serves at once. Every fragment passes `clean_fragment` (nh3, an
allow-list of the markup these templates write) before it is stored, and again when it is read
back, so a row written by any other path cannot put markup on a page that the templates would
not.
"""

import functools
import hashlib
import inspect
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import cast

import nh3
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from irsite.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES

from .. import body_images, text
from ..models import Release, ReleaseRendering
from .seo import publisher_of

# The templates of the stored fragments, in the order they are printed.
LETTERHEAD_TEMPLATE = "releases/record/letterhead.html"
CONTENT_TEMPLATE = "releases/record/content.html"
# The source of the Python a stored record runs is part of its fingerprint (`record_inputs`),
# so a change there makes every stored row stale without a bump. Bump this only for a change
# that no listed source shows: code a listed function starts calling in a module not listed
# (list it too), or a stored row's shape read back differently.
RENDER_FORMAT = 1

# What the fragment templates write around editor HTML (which `sanitize_html` has reduced).
_TAGS = ALLOWED_TAGS | {"h1", "section", "div", "address", "time", "figure", "img", "span"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    "a": ALLOWED_ATTRIBUTES["a"] | {"rel", "type"},
    "time": {"datetime"},
    "img": {"src", "alt", "width", "height"},
    "*": {"class", "id", "role", "aria-labelledby"},
    # The tables' scrolling regions (`text.scrollable_tables`).
    "div": {"tabindex", "aria-label", "aria-describedby"},
}
_cleaner = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel=None,  # the body's links carry rel="noopener noreferrer" from sanitize_html
    strip_comments=True,
)


def clean_fragment(html: str) -> SafeString:
    """``html`` reduced to the markup the fragment templates write: no script, style, event
    handler or unknown scheme, whatever the stored row held."""
    return mark_safe(_cleaner.clean(html))  # noqa: S308 - nh3 has just reduced it


@dataclass(frozen=True)
class RenderedRecord:
    """What the page prints of the record: two HTML fragments and the head's quotes of it."""

    letterhead: SafeString
    content: SafeString
    excerpt: str
    image: dict | None = None
    publisher: dict = field(default_factory=dict)


def record_inputs() -> list:
    """The Python a stored record is made by, beside its templates: the template tags they load,
    the model methods and properties they and `render_record` call, and the text helpers those
    call (whole modules where a module is such a helper). Add here what a fragment template or
    one of these starts to call."""
    from irsite import richtext
    from irsite.contacts.models import ContactDetails, LetterheadFields
    from irsite.disclaimers.models import DisclaimerVersion

    from .. import body_images, text, times
    from ..exhibits import render_common
    from ..models import Attachment, ReleaseContact
    from . import rendering as this_module
    from . import seo

    return [
        times,  # {% load times %}: reader_datetime (the filters are registered from here)
        Release.printed_letterhead,
        Release.contacts_by_audience,
        Release.ordered_contacts,
        ReleaseContact.printed,
        ContactDetails,
        LetterheadFields.address,
        LetterheadFields.get_logo_url,
        Release.subheadlines,
        Release.correction_notes,
        Release.release_image,
        Release.attachment_list,
        Release.body_html,
        Release.dateline,
        Release.disclaimer_versions,
        Release.abouts,
        Release.safe_harbors,
        Release.body_parts,
        # Where the standard texts stand in the body (K22), and the scanner it runs.
        render_common.split_blocks,
        render_common._TopLevelStarts,
        DisclaimerVersion.html,
        Release.note_list,
        Release.excerpt,
        Attachment.kind_label,
        Attachment.get_absolute_url,
        seo.publisher_of,
        seo.organization,
        text,  # first_paragraph_with_dateline, mark_figure_cells, summary
        richtext,  # sanitize_html
        body_images,
        this_module,  # render_record and the allow-list of clean_fragment
    ]


def _source(item) -> str:
    """The source of a module, class, function or property (its getter)."""
    if isinstance(item, property):
        item = item.fget
    item = getattr(item, "func", item)  # cached_property
    return f"{getattr(item, '__qualname__', item.__name__)}\n{inspect.getsource(item)}"


@functools.cache
def python_fingerprint() -> str:
    """SHA-256 of the source of `record_inputs` and of the libraries' versions that shape the
    markup; read once per process (a deploy of new code starts new processes)."""
    parts = [_source(item) for item in record_inputs()]
    parts += [f"Django {version('Django')}", f"nh3 {version('nh3')}"]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


_fingerprints: "weakref.WeakKeyDictionary[object, str]" = weakref.WeakKeyDictionary()


def fingerprint() -> str:
    """SHA-256 of what produces a stored record; once per template engine (a new engine, as
    after a change of TEMPLATES, reads the sources again), its Python once per process."""
    engine = cast(DjangoTemplates, engines["django"]).engine
    if engine not in _fingerprints:
        sources = [
            engine.get_template(name).source for name in (LETTERHEAD_TEMPLATE, CONTENT_TEMPLATE)
        ]
        parts = [
            str(RENDER_FORMAT),
            python_fingerprint(),
            settings.TIME_ZONE,
            settings.LANGUAGE_CODE,
            *sources,
        ]
        _fingerprints[engine] = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return _fingerprints[engine]


def render_record(release: Release, *, preview: bool = False) -> RenderedRecord:
    """Render the record of ``release`` now, from its rows (load it with `for_page()`)."""
    context: dict = {"release": release, "preview": preview}
    # A stored record passes the allow-list; a preview is shown once, to staff, from sanitised
    # rows, and carries its images as data: URLs (their public URLs answer 404 until go-live).
    finish: Callable[[str], SafeString] = clean_fragment
    image_src = None
    if preview:
        image_src = body_images.data_url
        finish = mark_safe  # rendered by our templates from sanitised rows
    # The standard texts stand where the filing set them: before the rest of the body (K22).
    # On the page each table scrolls sideways in a named, focusable region (narrow screens),
    # numbered through both parts, so two tables are never both "Table 1".
    head, rest = release.body_parts(image_src)
    head = text.scrollable_tables(head)
    context["body_html"] = head
    context["body_rest"] = text.scrollable_tables(rest, head.count('class="table-scroll"') + 1)
    image = release.release_image
    return RenderedRecord(
        letterhead=finish(render_to_string(LETTERHEAD_TEMPLATE, context)),
        content=finish(render_to_string(CONTENT_TEMPLATE, context)),
        excerpt=release.excerpt(),
        image=None
        if image is None
        else {
            "url": image.get_absolute_url(),
            "content_type": image.content_type,
            "width": image.width,
            "height": image.height,
            "title": image.title,
        },
        publisher=publisher_of(release),
    )


def store_record(release: Release) -> ReleaseRendering:
    """Render ``release``'s record from its rows as committed in this transaction and store it
    (replacing the previous one). Called only by `releases.actions`."""
    fresh = Release.objects.for_page().get(pk=release.pk)
    record = render_record(fresh)
    row, _ = ReleaseRendering.objects.update_or_create(
        release=fresh, defaults=_stored_columns(fresh, record)
    )
    return row


def store_records(records: Iterable[tuple[Release, RenderedRecord]]) -> int:
    """Store each release's record (``render_record`` of it, loaded with `for_page()` and locked)
    in one statement, replacing the previous ones; how many. Called only by `releases.actions`
    (the background re-render after a deploy: `actions.render_stale_batch`)."""
    rows = [
        ReleaseRendering(release=release, **_stored_columns(release, record))
        for release, record in records
    ]
    ReleaseRendering.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["release"],
        update_fields=_STORED_FIELDS,
    )
    return len(rows)


_STORED_FIELDS = [
    "release_version",
    "fingerprint",
    "rendered_at",
    "letterhead_html",
    "content_html",
    "excerpt",
    "image",
    "publisher",
]


def _stored_columns(release: Release, record: RenderedRecord) -> dict:
    return {
        "release_version": release.version,
        "fingerprint": fingerprint(),
        "rendered_at": timezone.now(),
        "letterhead_html": str(record.letterhead),
        "content_html": str(record.content),
        "excerpt": record.excerpt,
        "image": record.image,
        "publisher": record.publisher,
    }


def stored_record(release: Release) -> RenderedRecord | None:
    """The stored record of ``release`` (loaded with `select_related("rendering")`), if it is
    current: rendered from this version of the release by the templates now in use."""
    row = getattr(release, "rendering", None)  # None too when there is no row
    if row is None or row.release_version != release.version or row.fingerprint != fingerprint():
        return None
    return RenderedRecord(
        letterhead=clean_fragment(row.letterhead_html),
        content=clean_fragment(row.content_html),
        excerpt=row.excerpt,
        image=row.image,
        publisher=row.publisher,
    )


def stale_records() -> QuerySet[Release]:
    """Releases ever published (scheduled, live or withdrawn) without a current stored record.

    As NOT EXISTS, which walks the primary key and probes each release's record: a batch of the
    background re-render (`ORDER BY id LIMIT n`) reads its n, where NOT IN hashed every record
    first."""
    current = ReleaseRendering.objects.filter(
        release=OuterRef("pk"), fingerprint=fingerprint(), release_version=OuterRef("version")
    )
    published = Release.objects.filter(
        status__in=[Release.Status.PUBLISHED, Release.Status.WITHDRAWN]
    )
    return published.filter(~Exists(current))
