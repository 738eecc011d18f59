"""The admin index's desk: what waits for this person, and what goes live next."""

from django import template

from ..models import Release

register = template.Library()


@register.simple_tag
def release_desk(user, limit: int = 10) -> dict:
    """``waiting``: releases in review this user may approve (not their own last change, under
    the four-eyes rule); ``next``: scheduled releases, soonest first. Empty for users who may
    not see releases."""
    if not user.has_perm("releases.view_release"):
        return {"waiting": [], "next": []}
    waiting = []
    if user.has_perm("releases.approve_release"):
        waiting = list(
            Release.objects.in_state(Release.State.IN_REVIEW)
            .exclude(content_changed_by=user)
            .select_related("content_changed_by")
            .order_by("published_at")[:limit]
        )
    soonest = Release.objects.scheduled().order_by("published_at")[:limit]
    return {"waiting": waiting, "next": list(soonest)}
