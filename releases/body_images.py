"""Images in a release's body: which may be there, and where each surface points them.

A body image is one of the release's own image attachments (PNG, JPEG, WebP), inserted by the
admin's editor as ``<img src="/news/files/<key>" alt="…">``. It is therefore private exactly as
attachments are (`releases.public.views.attachment_file` serves it only while the release is
public).
`irsite.richtext.sanitize_html` keeps only issued file URLs with alt text; this module narrows
that to the release's own images, refuses anything else in the admin with a sentence for the
editor, and gives each surface its address for the image: the page a relative URL, the PDF the
bytes (WeasyPrint loads nothing), the EDGAR export a relative file name.
"""

import base64
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import lxml.html
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe

from irsite.richtext import drop_tag_keeping_tail, issued_image_key
from irsite.storage import stored_bytes

if TYPE_CHECKING:
    from .models import Attachment

logger = logging.getLogger("irsite.files")


def image_attachments(attachments: Iterable["Attachment"]) -> dict[str, "Attachment"]:
    """The image attachments by key (``<hex>.<ext>``), as a body's ``src`` names them."""
    return {a.key: a for a in attachments if a.file and a.is_image}


def body_errors(
    html: str, own: dict[str, "Attachment"], leaving: dict[str, "Attachment"] | None = None
) -> list[str]:
    """What is wrong with the images of ``html`` (as the editor sent it, before sanitizing),
    one sentence each; empty when every image is one of ``own`` and has alt text. ``leaving``
    are the image attachments the same save removes or replaces."""
    if "<img" not in (html or "").lower():
        return []
    errors: list[str] = []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for number, img in enumerate(root.iter("img"), start=1):
        src = (img.get("src") or "").strip()
        what = f"Image {number} in the body"
        key = issued_image_key(src)
        if leaving and key in leaving:
            errors.append(
                f"{what} is the attachment “{leaving[key].title}”, which this save removes or "
                "replaces. Take the image out of the body first; a new file can be inserted "
                "once saved."
            )
        elif key is None or key not in own:
            shown = src if len(src) <= 60 else src[:57] + "…"
            errors.append(
                f"{what} ({shown or 'no address'}) is not one of this release's image "
                "attachments. Upload the image as an attachment, save, then insert it with "
                "“Insert in body”."
            )
        if not (img.get("alt") or "").strip():
            errors.append(
                f"{what} has no alt text. Describe what it shows for readers who cannot see it "
                "(WCAG 1.1.1); a purely decorative image does not belong in a release."
            )
    return errors


def validate_body_images(
    html: str, own: dict[str, "Attachment"], leaving: dict[str, "Attachment"] | None = None
) -> None:
    """Raise `ValidationError` listing `body_errors`, if there are any."""
    errors = body_errors(html, own, leaving)
    if errors:
        raise ValidationError(errors, code="body_image")


def with_images(
    html: str, own: dict[str, "Attachment"], src: Callable[["Attachment"], str] | None = None
) -> SafeString:
    """Sanitized body HTML keeping only images of ``own`` (others are dropped, their alt text
    too), each pointed at ``src(attachment)`` when given (dropped too where that is "")."""
    if "<img" not in html:
        return mark_safe(html)  # noqa: S308 - already sanitized by the caller
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for img in list(root.iter("img")):
        attachment = own.get(issued_image_key(img.get("src")) or "")
        if attachment is None:
            drop_tag_keeping_tail(img)
        elif src is not None:
            address = src(attachment)
            if address:
                img.set("src", address)
            else:  # its file is lost: the image is left out, as one the body may not show
                drop_tag_keeping_tail(img)
    out = (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return mark_safe(out)  # noqa: S308 - images of the sanitized HTML re-pointed, nothing added


def data_url(attachment: "Attachment") -> str:
    """The image's bytes as a ``data:`` URL, for what is shown before the release is public (a
    preview) or must load nothing (the PDF rendition); "" (the image left out, logged) when its
    file is missing from storage (`irsite.storage.stored_bytes`)."""
    data = stored_bytes(attachment.file, logger, "Body image")
    if data is None:
        return ""
    return f"data:{attachment.content_type};base64,{base64.b64encode(data).decode()}"
