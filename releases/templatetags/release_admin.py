"""Template tags of the release change page."""

from django import template

from releases.actions.exchange import page_context
from releases.models import PreviewLink, Release

register = template.Library()


@register.simple_tag(takes_context=True)
def preview_link_url(context: template.Context, link: PreviewLink) -> str:
    """The share link's full address as the reviewer opens it: `{% preview_link_url link %}`.

    The token is signed from the link's row, so the same address can be shown again on every
    visit of the change page (not only in the message after it was made)."""
    return context["request"].build_absolute_uri(link.get_absolute_url())


@register.inclusion_tag("admin/releases/release/_exchange.html")
def exchange_notice(release: Release) -> dict:
    """The listing exchange's rule for the release's go-live and its notices:
    `{% exchange_notice release %}` (on the publish page)."""
    return {"release": release, **page_context(release)}
