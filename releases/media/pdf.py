"""The PDF rendition of a release ("Download PDF"), laid out like the filing, with WeasyPrint.

One PDF per published version of a release (`Rendition`), rendered by the worker when an
approver schedules or publishes the release and when a correction is approved
(`releases.tasks.render_release_pdf`, enqueued in the same transaction), so that it is stored
before its go-live second and a results-day crowd never waits for WeasyPrint. Rendering before
go-live leaks nothing: the PDF is stored under a random name in the same private storage as
attachments and served only by `releases.public.views.release_pdf`, which answers like the page
before go-live and after a withdrawal. Unscheduling deletes the PDFs of a release that was
never public (its next schedule may print another time or letterhead). A request that comes
before the worker has stored it renders it then (`rendition_for`), one request per version at
a time; the others are answered 503 with Retry-After. Old versions' PDFs stay,
like revisions. WeasyPrint fetches nothing while rendering: the layout is inline CSS, and any
URL in the body (never a local file or an internal address) is refused, so a release cannot
make the server read or request anything.
"""

import base64
import hashlib
import logging
import threading

import weasyprint
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from irsite.contacts.models import CompanyProfile, LetterheadFields

from .. import body_images
from ..models import Release, Rendition

logger = logging.getLogger("irsite.pdf")

# data: URLs only (the logo and body images, embedded by render_pdf): no file, no network,
# whatever the body says.
_FETCHER_OPTIONS = {"allowed_protocols": {"data"}, "allow_redirects": False}


def _logo_data(letterhead: LetterheadFields) -> str:
    if not letterhead.logo:
        return ""
    with letterhead.logo.open("rb") as file:
        return f"data:{letterhead.logo_type};base64,{base64.b64encode(file.read()).decode()}"


def render_pdf(release: Release) -> bytes:
    """The PDF bytes of ``release`` (one loaded with `ReleaseQuerySet.for_page()`), the same
    whether the worker or a request renders it: nothing of a request is printed."""
    letterhead = release.printed_letterhead
    html = render_to_string(
        "releases/release_pdf.html",
        {
            "release": release,
            "url": settings.SITE_URL + release.get_absolute_url(),
            "logo_data": _logo_data(letterhead),
            "colour": CompanyProfile.load().colour,
            # Body images embedded: the PDF is rendered from storage, whatever is public.
            "body_html": release.body_html(image_src=body_images.data_url),
        },
    )
    return pdf_from_html(html)


def pdf_from_html(html: str) -> bytes:
    """PDF bytes of an HTML document, loading nothing but data: URLs."""
    fetcher = weasyprint.URLFetcher(**_FETCHER_OPTIONS)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def _printed_state(release: Release) -> tuple:
    """What decides the PDF's content besides the version: the go-live time and the approval
    (which froze the contacts and letterhead)."""
    return (release.status, release.version, release.published_at, release.approved_at)


def _store(release: Release, content: bytes) -> Rendition:
    rendition = Rendition(
        release=release,
        version=release.version,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    rendition.file.save("release.pdf", ContentFile(content), save=False)
    return rendition


class RenditionPending(Exception):
    """Another request is rendering this PDF now; the caller answers 503 with Retry-After."""


# Versions this process is rendering on demand: one at a time each, whatever the shared cache.
_rendering: set[tuple[int, int]] = set()
_rendering_lock = threading.Lock()
# A render on demand holds the shared lock at most this long (a 2 MB body takes ~30 s).
RENDER_LOCK_SECONDS = 300


def rendition_for(release: Release) -> Rendition:
    """The stored PDF of the public ``release``'s current version, rendered and stored now if
    the worker has not yet. Single flight: while one request renders a version, the others
    raise `RenditionPending` instead of rendering it too (WeasyPrint takes seconds, and a crowd
    asking at go-live would hold every app-server thread), across processes through the shared
    cache and within one process even when the cache is down."""
    found = Rendition.objects.filter(release=release, version=release.version).first()
    if found is not None:
        return found
    mine = (release.pk, release.version)
    with _rendering_lock:
        if mine in _rendering:
            raise RenditionPending
        _rendering.add(mine)
    shared = f"pdf-rendering:{release.pk}:{release.version}"
    try:
        taken = cache.add(shared, 1, RENDER_LOCK_SECONDS)
        # A cache that is down or full stored nothing: not a sign another request renders it.
        if not taken and not (getattr(cache, "is_down", False) or getattr(cache, "is_full", False)):
            raise RenditionPending
        try:
            rendition = _store(release, render_pdf(release))
            try:
                with transaction.atomic():
                    rendition.save()
            except IntegrityError:
                rendition.file.delete(save=False)
                return Rendition.objects.get(release=release, version=release.version)
            return rendition
        finally:
            cache.delete(shared)
    finally:
        with _rendering_lock:
            _rendering.discard(mine)


def render_published(release_id: int) -> str:
    """Render and store the PDF of a scheduled or live release's current version, unless it is
    stored already; kept only if the release still prints what was rendered once it is stored
    (an approver may unschedule or correct it meanwhile). What happened, for the task's result."""
    release = Release.objects.for_page().filter(pk=release_id).first()
    if release is None or release.status != Release.Status.PUBLISHED:
        return "not published"
    if Rendition.objects.filter(release=release, version=release.version).exists():
        return "already stored"
    rendered = _printed_state(release)
    rendition = _store(release, render_pdf(release))
    with transaction.atomic():
        now = Release.objects.select_for_update().filter(pk=release_id).first()
        if now is None or _printed_state(now) != rendered:
            transaction.on_commit(lambda: rendition.file.delete(save=False))
            return "changed while rendering"
        try:
            with transaction.atomic():
                rendition.save()
        except IntegrityError:
            transaction.on_commit(lambda: rendition.file.delete(save=False))
            return "already stored"
    logger.info("PDF of release %s, version %s, stored", release_id, rendition.version)
    return "stored"
