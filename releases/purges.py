"""What a change of one release shows on at the front cache (`irsite.http.frontcache`).

Its page under every slug it had, its neighbours' pages (their "previous"/"next" links), and
every list. Computed when the purge runs, not when it is enqueued, so a go-live's purge sees the
neighbours as they are at that second.
"""

from django.urls import reverse
from django.utils import timezone

from irsite.http import LIST, path_key

from .models import Release


def release_keys(release_id: int) -> list[str]:
    """The surrogate keys of everything a change of release ``release_id`` shows on."""
    release = Release.objects.filter(pk=release_id).first()
    if release is None or release.published_at is None:
        return [LIST]
    local = timezone.localtime(release.published_at)
    slugs = [release.slug, *release.old_slugs.values_list("old_slug", flat=True)]
    paths = [
        reverse("releases:detail", args=[local.year, local.month, local.day, slug])
        for slug in slugs
    ]
    public = Release.objects.public()
    paths += [n.get_absolute_url() for n in public.neighbours(release) if n is not None]
    return [LIST, *sorted({path_key(p) for p in paths})]
