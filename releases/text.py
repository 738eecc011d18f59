"""Small text helpers for how a release reads."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def first_paragraph_with_dateline(body: SafeString, dateline: str) -> SafeString:
    """Put the dateline in front of the first paragraph, as a printed release does.

    ``body`` must already be sanitized; the dateline is escaped here.
    """
    lead = format_html('<span class="dateline">{}</span> ', dateline)
    if body.startswith("<p>"):
        return mark_safe(f"<p>{lead}{body[3:]}")  # noqa: S308 - both parts are safe
    return mark_safe(f'<p class="dateline-only">{lead}</p>{body}')  # noqa: S308
