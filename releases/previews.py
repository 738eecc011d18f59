"""Share links: signed tokens naming one preview link, checked against its row on every use."""

from django.core import signing

from .models import PreviewLink

_SALT = "irsite.releases.preview-link"


def preview_token(link: PreviewLink) -> str:
    # The release id is signed in too, so a token can never be pointed at another release.
    return signing.dumps({"link": link.pk, "release": link.release_id}, salt=_SALT, compress=True)


def resolve_preview_token(token: str) -> PreviewLink | None:
    """The link a token names if it is authentic, unexpired and not revoked; else None."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    link = (
        PreviewLink.objects.select_related("release")
        .filter(pk=payload.get("link"), release_id=payload.get("release"))
        .first()
    )
    return link if link and link.is_valid else None
