"""Template tags of the release change page."""

from django import template

from releases.models import PreviewLink

register = template.Library()


@register.simple_tag(takes_context=True)
def preview_link_url(context: template.Context, link: PreviewLink) -> str:
    """The share link's full address as the reviewer opens it: `{% preview_link_url link %}`.

    The token is signed from the link's row, so the same address can be shown again on every
    visit of the change page (not only in the message after it was made)."""
    return context["request"].build_absolute_uri(link.get_absolute_url())
