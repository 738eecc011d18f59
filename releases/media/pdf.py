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

Bounds (docs/deployment.md, "The PDF rendition"): WeasyPrint runs in a process of its own
(`releases.media.weasy`), killed after ``IRSITE_PDF_RENDER_SECONDS`` and refused an HTML
document over ``IRSITE_PDF_MAX_HTML_BYTES`` or a PDF over ``IRSITE_PDF_MAX_BYTES``
(`RenditionFailed`). The worker renders on a thread of its own, so a rendition never delays
a purge; a release whose PDF cannot be made is published on time all the same, and its PDF
answers 503 with Retry-After until one is stored. A correction's PDF is rendered by its
approval, in the same transaction: it is public in the same instant as the corrected page
(the page prints the time of the approval, so it cannot be made any earlier). A logo missing
from storage prints no logo, and a body image missing from storage is left out (both logged),
never a failed PDF; a storage that fails otherwise fails the render, which is made again later
(the PDF answers 503 with Retry-After meanwhile), never stored for good without its images.
"""

import base64
import hashlib
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from lxml import html as lxml_html

from irsite.contacts.models import CompanyProfile, LetterheadFields
from irsite.storage import stored_bytes

from .. import body_images
from ..models import Release, Rendition

logger = logging.getLogger("irsite.pdf")

# The project's root, from which the renderer's process imports `releases.media.weasy`.
_ROOT = Path(__file__).resolve().parents[2]


class RenditionFailed(Exception):
    """The PDF could not be made within its bounds (time, size) or WeasyPrint failed."""


def _logo_data(letterhead: LetterheadFields) -> str:
    """The letterhead's logo as a data: URL; "" (a PDF without it, logged) when the file is
    missing from storage (`irsite.storage.stored_bytes`, as for the body's images)."""
    if not letterhead.logo:
        return ""
    data = stored_bytes(letterhead.logo, logger, "Logo")
    if data is None:
        return ""
    return f"data:{letterhead.logo_type};base64,{base64.b64encode(data).decode()}"


def render_pdf(release: Release, seconds: float | None = None) -> bytes:
    """The PDF bytes of ``release`` (one loaded with `ReleaseQuerySet.for_page()`), the same
    whether the worker or a request renders it: nothing of a request is printed."""
    letterhead = release.printed_letterhead
    # Body images embedded: the PDF is rendered from storage, whatever is public. The standard
    # texts stand where the filing set them, as on the page (K22).
    body, rest = (
        with_heading_rows(part) for part in release.body_parts(image_src=body_images.data_url)
    )
    html = render_to_string(
        "releases/release_pdf.html",
        {
            "release": release,
            "url": settings.SITE_URL + release.get_absolute_url(),
            "logo_data": _logo_data(letterhead),
            "colour": CompanyProfile.load().colour,
            "body_html": body,
            "body_rest": rest,
        },
    )
    return pdf_from_html(html, seconds)


def with_heading_rows(body: SafeString) -> SafeString:
    """``body`` (sanitized, figures marked ``td.num``) with each table's column headings in a
    ``<thead>``, which WeasyPrint repeats on every page the table runs to. An imported table
    has none: its heading rows are plain cells, told apart as the rows above the first one
    that holds a figure. A table that already has a ``<thead>`` or no figures is kept."""
    if "<table" not in body:
        return body
    root = lxml_html.fragment_fromstring(str(body), create_parent="div")
    for table in root.iter("table"):
        if table.find("thead") is not None:
            continue
        rows = table.xpath("./tr|./tbody/tr")
        first_figure = next((i for i, row in enumerate(rows) if row.xpath("./td[@class='num']")), 0)
        if not first_figure:
            continue
        thead = lxml_html.Element("thead")
        for row in rows[:first_figure]:
            thead.append(row)  # moved, with its cells and their text
        table.insert(0, thead)
    inner = (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
    return mark_safe(inner)  # noqa: S308 - the sanitized body, rows moved


def pdf_from_html(html: str, seconds: float | None = None) -> bytes:
    """PDF bytes of an HTML document, loading nothing but data: URLs; made by WeasyPrint in a
    process of its own, stopped after ``seconds`` (``IRSITE_PDF_RENDER_SECONDS``). Raises
    `RenditionFailed` past a bound or if WeasyPrint fails."""
    document = html.encode()
    if len(document) > settings.IRSITE_PDF_MAX_HTML_BYTES:
        raise RenditionFailed(f"the document is {len(document):,} bytes, over the limit")
    limit = seconds if seconds is not None else settings.IRSITE_PDF_RENDER_SECONDS
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "releases.media.weasy"],
            input=document,
            capture_output=True,
            timeout=limit,
            cwd=_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenditionFailed(f"not made within {limit:g} s") from None
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["killed"]
        raise RenditionFailed(f"WeasyPrint failed ({done.returncode}): {error[0][:300]}")
    if len(done.stdout) > settings.IRSITE_PDF_MAX_BYTES:
        raise RenditionFailed(f"the PDF is {len(done.stdout):,} bytes, over the limit")
    logger.debug("PDF made in %.2f s", time.monotonic() - started)
    return done.stdout


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
# A render on demand holds the shared lock at most this long (longer than a render may take).
RENDER_LOCK_SECONDS = 300
# After a render on demand failed, requests answer 503 without trying for this long (the
# worker, or the next request after it, tries again): a PDF that cannot be made must not make
# every request wait for the renderer's time limit.
FAILED_RETRY_SECONDS = 60


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
    failed = f"pdf-failed:{release.pk}:{release.version}"
    if cache.get(failed):
        raise RenditionPending
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
            try:
                rendition = _store(release, render_pdf(release))
            except RenditionFailed as error:
                logger.error("PDF of release %s, version %s: %s", *mine, error)
                cache.set(failed, 1, FAILED_RETRY_SECONDS)
                raise RenditionPending from error
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
    try:
        content = render_pdf(release)
    except RenditionFailed as error:
        # Published on time all the same; the PDF answers 503 until a request's render (after
        # FAILED_RETRY_SECONDS) or a later task stores one.
        logger.error("PDF of release %s, version %s: %s", release_id, release.version, error)
        return f"not made: {error}"
    rendition = _store(release, content)
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


def render_approved(release_id: int) -> str:
    """In the transaction that approves a correction (the release locked, its new version
    written): render and store the new version's PDF, so that it is public in the same instant
    as the corrected page, never a 503 nor the old text after it. Bounded by
    ``IRSITE_PDF_APPROVAL_SECONDS`` (the approver waits); past it, or if it cannot be made, the
    worker's task renders it (with the full limit) and the PDF answers 503 meanwhile."""
    release = Release.objects.for_page().get(pk=release_id)
    if Rendition.objects.filter(release=release, version=release.version).exists():
        return "already stored"
    try:
        content = render_pdf(release, settings.IRSITE_PDF_APPROVAL_SECONDS)
    except RenditionFailed as error:
        logger.warning(
            "PDF of release %s, version %s, left to the worker: %s",
            release_id,
            release.version,
            error,
        )
        return f"left to the worker: {error}"
    rendition = _store(release, content)
    try:
        with transaction.atomic():
            rendition.save()
    except IntegrityError:
        rendition.file.delete(save=False)
        return "already stored"
    # The file is in storage already: if the approval rolls back, its row goes and the file is
    # an orphan (`clean_orphan_files` removes those).
    return "stored"
