"""The admin index's desk: what waits for this person, and what goes live next."""

from django import template

from ..models import PendingCorrection, Release

register = template.Library()


@register.simple_tag
def release_desk(user, limit: int = 10) -> dict:
    """``corrections``: prepared corrections of live releases this user may approve (not their
    own, under the four-eyes rule), oldest first: a live text is wrong until one is approved;
    ``waiting``: releases in review this user may approve (not their own last change);
    ``next``: scheduled releases, soonest first. Empty for users who may not see releases."""
    if not user.has_perm("releases.view_release"):
        return {"corrections": [], "waiting": [], "next": []}
    corrections = []
    if user.has_perm("releases.correct_release"):
        corrections = list(
            PendingCorrection.objects.filter(status=PendingCorrection.Status.PENDING)
            .exclude(prepared_by=user)
            .select_related("release")
            .order_by("prepared_at")[:limit]
        )
    waiting = []
    if user.has_perm("releases.approve_release"):
        waiting = list(
            Release.objects.in_state(Release.State.IN_REVIEW)
            .exclude(content_changed_by=user)
            .select_related("content_changed_by")
            .order_by("published_at")[:limit]
        )
    soonest = Release.objects.scheduled().order_by("published_at")[:limit]
    return {"corrections": corrections, "waiting": waiting, "next": list(soonest)}
