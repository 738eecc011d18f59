"""The PDF rendition of a release ("Download PDF"), laid out like the filing, with WeasyPrint.

One PDF per published version of a release (`Rendition`): rendered from the release as readers
see it at the first public request of that version (a correction makes a new version, so a new
PDF; the old ones stay, like revisions), stored under a random name in the same private
storage as attachments, and served only by `releases.views.release_pdf`, which answers like the
page before go-live and after a withdrawal. WeasyPrint fetches nothing while rendering: the
layout is inline CSS, and any URL in the body (never a local file or an internal address) is
refused, so a release cannot make the server read or request anything.
"""

import base64
import hashlib

import weasyprint
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string

from irsite.contacts.models import CompanyProfile

from . import body_images
from .models import Release, Rendition

# data: URLs only (the logo and body images, embedded by render_pdf): no file, no network,
# whatever the body says.
_FETCHER_OPTIONS = {"allowed_protocols": {"data"}, "allow_redirects": False}


def _logo_data() -> str:
    company = CompanyProfile.load()
    if not company.logo:
        return ""
    with company.logo.open("rb") as file:
        return f"data:{company.logo_type};base64,{base64.b64encode(file.read()).decode()}"


def render_pdf(release: Release, request: HttpRequest) -> bytes:
    """The PDF bytes of ``release`` (one loaded with `ReleaseQuerySet.for_page()`)."""
    html = render_to_string(
        "releases/release_pdf.html",
        {
            "release": release,
            "url": request.build_absolute_uri(release.get_absolute_url()),
            "logo_data": _logo_data(),
            # Body images embedded: the PDF is rendered from storage, whatever is public.
            "body_html": release.body_html(image_src=body_images.data_url),
        },
        request=request,
    )
    return pdf_from_html(html)


def pdf_from_html(html: str) -> bytes:
    """PDF bytes of an HTML document, loading nothing but data: URLs."""
    fetcher = weasyprint.URLFetcher(**_FETCHER_OPTIONS)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def rendition_for(release: Release, request: HttpRequest) -> Rendition:
    """The stored PDF of the release's current version, rendered and stored now if there is
    none yet (two processes rendering the same version at once keep the first one stored)."""
    found = Rendition.objects.filter(release=release, version=release.version).first()
    if found is not None:
        return found
    content = render_pdf(release, request)
    rendition = Rendition(
        release=release,
        version=release.version,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    rendition.file.save("release.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            rendition.save()
    except IntegrityError:
        rendition.file.delete(save=False)
        return Rendition.objects.get(release=release, version=release.version)
    return rendition
