"""What happens at a go-live, and at every other change of what the public sees of a release.

Nothing runs at the go-live second itself to make a release public: `ReleaseQuerySet.public()`
shows it from that second on, on every page, feed, file, search result and e-mail. What the
publishing action sets up, in its own transaction (`goes_public`), is everything else a go-live
needs, each of which waits for the second and never runs before it:

1. the stored record (`releases.record.rendering`): the page the public will read, rendered
   now, read only once the release is public;
2. the PDF rendition (`releases.tasks.render_release_pdf`): stored privately by the worker
   before the second, served from it on (`releases.media.pdf`);
3. the page cache (`irsite.http.pagecache`): a scheduled go-live replaces the generation, so
   every cached page is kept no later than the go-live second; at it, pages render afresh;
4. the site's Last-Modified (`irsite.http.lastmodified`): moves past the go-live second when it
   passes (a publication "now" moves it at once);
5. the front cache (`releases.tasks.enqueue_release_purge`): the release's URL, its neighbours
   and every list are purged by the worker at the go-live second, and again a few seconds
   later;
6. e-mail alerts (`irsite.alerts`): the worker notices the go-live on its next tick and sends
   each subscriber the release once;
7. the release's categories appear on the menus, filters and feeds with it (`Category.public`).

A correction approved, a publication recorded as history or a withdrawal changes what is public
at once (`public_release_changed`): pages invalidated, Last-Modified moved, the release's pages,
neighbours and lists purged now.
"""

from datetime import datetime

from irsite import clock
from irsite.http import public_pages_changed, schedule_changed

from ..models import Release
from ..record.rendering import store_record
from ..tasks import enqueue_release_purge, render_release_pdf


def goes_public(release: Release, at: datetime) -> None:
    """In the transaction that publishes ``release`` at ``at`` (now or later): 1-5 above."""
    # Stored now, read only by the public page, which shows it from the go-live on.
    store_record(release)
    # Its PDF is stored (privately) before the go-live second, not rendered under the crowd.
    render_release_pdf.enqueue(release.pk)
    if at > clock.now():
        # Only the next go-live moves, which caps every cached page: a new generation; the
        # go-live moves Last-Modified when it passes.
        schedule_changed()
    else:
        public_pages_changed()
    # The front cache is purged at the go-live second (at once if that has passed).
    enqueue_release_purge(release.pk, at=at)


def public_release_changed(release: Release, *, record: bool = True, pdf: bool = False) -> None:
    """In the transaction of a change to what the public sees of ``release`` now: its stored
    record made again (``record``), its PDF rendered again (``pdf``), every cached page
    invalidated and its pages purged from the front cache once the change commits."""
    if record:
        store_record(release)
    if pdf:
        render_release_pdf.enqueue(release.pk)
    public_pages_changed()
    enqueue_release_purge(release.pk)
