"""The front cache the site purges itself: a real varnishd (deploy/varnish/irsite.vcl) in front
of a real gunicorn, and the real worker purging it.

Everything runs in real time against the suite's database (committed data) and a Redis DB of
the tests: a release scheduled a few seconds ahead is polled through Varnish every 100 ms, and
so are a correction and a withdrawal. Deselected (one line) where varnishd is not installed;
.ci/run installs Varnish, so CI always runs it.
"""

import http.client
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from releases import actions
from releases.models import Release

from .conftest import SYSTEM
from .varnish import LATE_BOUND, Poller, VarnishFront, cached_before, fetch, poll_until_shown

pytestmark = [pytest.mark.varnish, pytest.mark.server, pytest.mark.django_db(transaction=True)]


def test_go_live_correction_and_withdrawal_reach_readers_through_varnish_at_once(
    front, make_release, publish, category
):
    publish(make_release(headline="Older results", published_at=timezone.now() - timedelta(days=1)))
    go_live = (timezone.now() + timedelta(seconds=5)).replace(microsecond=0)
    release = publish(
        make_release(headline="Results at the bell", categories=[category], published_at=go_live)
    )
    page, lists = release.get_absolute_url(), ["/news/", "/news/feed/rss/", "/"]
    go_live_at = go_live.timestamp()

    # --- go-live: nothing before its second, everything after it -----------------------------
    def shows_release(status: int, body: str) -> bool:
        return status == 200 and "Results at the bell" in body

    with Poller(front, [page, *lists]) as poller:
        poll_until_shown(poller, [page, *lists], shows_release, go_live_at)
    for row in poller.seen:
        # An answer that had arrived before the go-live second was rendered before it.
        if row.received < go_live_at:
            assert "Results at the bell" not in row.body, (
                f"{row.path} showed it {go_live_at - row.received:.2f} s early"
            )
    for path in [page, *lists]:
        assert cached_before(poller, path, go_live_at), f"Varnish never kept {path} before"
    shown = {path: poller.first(path, shows_release) for path in [page, *lists]}
    # The figures (pytest -s or -rP): how long after its go-live each surface showed the release.
    figures = {p: round(t - go_live_at, 2) for p, t in shown.items() if t}
    print("go-live through Varnish, s late:", figures)
    print("slowest request around the go-live:", round(poller.slowest(), 2), "s")
    for path, at in shown.items():
        assert at is not None, f"{path} never showed the release through Varnish"
        assert at - go_live_at <= LATE_BOUND, f"{path} showed it {at - go_live_at:.2f} s late"

    # --- correction: the old headline gone from every surface at once -----------------------
    with Poller(front, [page, *lists]) as poller:
        time.sleep(1)  # every URL cached again
        release = Release.objects.get(pk=release.pk)
        release.headline = "Results at the bell, corrected"
        actions.approve_correction(
            actions.save_release(release, SYSTEM, correction_note="Fixed the headline."), SYSTEM
        )
        done = time.time()
        poll_until_shown(poller, [page, *lists], lambda s, b: "bell, corrected" in b, done)
    late = {p: poller.first(p, lambda s, b: "bell, corrected" in b) for p in [page, *lists]}
    print("correction through Varnish, s:", {p: round(t - done, 2) for p, t in late.items() if t})
    for path in [page, *lists]:
        assert cached_before(poller, path, done), f"Varnish never kept {path} before"
        at = poller.first(path, lambda s, b: "Results at the bell, corrected" in b)
        assert at is not None and at - done <= LATE_BOUND, f"{path}: correction late or never"

    # --- withdrawal: the page answers 410 and the lists drop it at once ---------------------
    with Poller(front, [page, *lists]) as poller:
        time.sleep(1)
        actions.withdraw(Release.objects.get(pk=release.pk), SYSTEM, "Issued in error.")
        done = time.time()
        poll_until_shown(poller, [page], lambda s, b: s == 410, done)
        poll_until_shown(poller, lists, lambda s, b: "Results at the bell" not in b, done)
    at = poller.first(page, lambda s, b: s == 410)
    print("withdrawal through Varnish: page 410 after", at and round(at - done, 2), "s")
    assert at is not None and at - done <= LATE_BOUND, "the withdrawn page kept answering 200"
    for path in lists:
        at = poller.first(path, lambda s, b: "Results at the bell" not in b)
        assert at is not None and at - done <= LATE_BOUND, f"{path} kept listing the release"


def test_a_category_rename_in_the_admin_purges_every_page(
    front, make_release, publish, category, superuser
):
    """A category prints on every page (menus, the release's links, feeds): a rename made in
    the admin leaves Varnish everywhere, through the action the admin calls."""
    from django.test import Client

    release = publish(
        make_release(
            headline="Quarterly results",
            categories=[category],
            published_at=timezone.now() - timedelta(hours=1),
        )
    )
    paths = [release.get_absolute_url(), "/news/", "/"]
    admin = Client()
    admin.force_login(superuser)
    url = f"/admin/releases/category/{category.pk}/change/"
    with Poller(front, paths) as poller:
        time.sleep(1)  # every URL cached
        response = admin.post(url, {"name": "Earnings news", "slug": category.slug})
        assert response.status_code == 302, response.content.decode()[:2000]
        done = time.time()
        poll_until_shown(poller, paths, lambda s, b: "Earnings news" in b, done)
    shown = {p: poller.first(p, lambda s, b: "Earnings news" in b) for p in paths}
    print(
        "category rename through Varnish:", {p: t and round(t - done, 2) for p, t in shown.items()}
    )
    for path in paths:
        assert cached_before(poller, path, done), f"Varnish never kept {path} before"
        assert shown[path] is not None, f"{path} kept the old category name"
        assert shown[path] - done <= LATE_BOUND, f"{path}: rename {shown[path] - done:.2f} s late"


@pytest.mark.postgres
def test_behind_varnish_an_app_server_whose_clock_runs_ahead_shows_nothing_early(
    settings, make_release, publish
):
    """Varnish fetches from an app server whose host clock is 3 s ahead (no NTP): the page
    cache and the publication rule follow the database's clock, so nothing of the release
    reaches Varnish before its second, and the go-live purge at that second brings it."""
    publish(make_release(headline="Older results", published_at=timezone.now() - timedelta(days=1)))
    # Started before the go-live is scheduled: its 8 s are for Varnish to keep every page
    # before the second, not for the servers to start (4-7 s of them on a loaded machine).
    front = VarnishFront(settings, app_clock_ahead=3)
    front.start()
    try:
        go_live = (timezone.now() + timedelta(seconds=8)).replace(microsecond=0)
        release = publish(make_release(headline="Results at the bell", published_at=go_live))
        paths = [release.get_absolute_url(), "/news/", "/news/feed/rss/", "/"]
        shows = lambda s, b: s == 200 and "Results at the bell" in b  # noqa: E731
        with Poller(front, paths) as poller:
            poll_until_shown(poller, paths, shows, go_live.timestamp())
    finally:
        front.stop()
    second = go_live.timestamp()
    early = [(r.path, round(second - r.received, 2)) for r in poller.seen
             if r.received < second and "Results at the bell" in r.body]  # fmt: skip
    assert not early, f"through Varnish before its second: {early[:5]}"
    shown = {p: poller.first(p, shows) for p in paths}
    print(
        "app server 3 s ahead, through Varnish:",
        {p: t and round(t - second, 2) for p, t in shown.items()},
    )
    for path in paths:
        assert cached_before(poller, path, second), f"Varnish never kept {path} before"
        assert shown[path] is not None, f"{path} never showed the release through Varnish"
        assert shown[path] - second <= LATE_BOUND, f"{path}: {shown[path] - second:.2f} s late"


def spellings(path: str) -> list[str]:
    """Spellings of one release URL that the app reads as the same path (its WSGI server
    decodes every percent-encoding): a letter of the slug encoded, in upper and lower case
    hex, a hyphen as ``%2d``, the trailing slash as ``%2F``, and a fragment (which the app
    servers drop)."""
    head, slug = path.rstrip("/").rsplit("/", 1)
    letter = f"%{ord(slug[0]):02X}"
    assert "-" in slug
    return [
        f"{head}/{letter}{slug[1:]}/",
        f"{head}/{letter.lower()}{slug[1:]}/",
        f"{head}/{slug.replace('-', '%2d', 1)}/",
        f"{head}/{slug}%2F",
        f"{head}/{slug}%2f?utm_source=mail",
        f"{head}/{slug}/#top",
    ]


def test_no_spelling_of_a_release_url_outlives_its_go_live_correction_or_withdrawal(
    front, make_release, publish
):
    """Each spelling was a separate object in Varnish that the purge (by the release's path)
    did not reach: a withdrawn release stayed 200 with its full text there, a corrected one
    kept its old headline, and a spelling cached as 404 before the go-live stayed 404 after
    it. The VCL now makes them one path, under the key the purge uses."""
    # Time for every spelling to be cached before it, twice, on a loaded machine.
    go_live = (timezone.now() + timedelta(seconds=8)).replace(microsecond=0)
    release = publish(make_release(headline="Results at the bell", published_at=go_live))
    page = release.get_absolute_url()
    paths = [page, *spellings(page)]

    # Before the go-live: every spelling cached as 404 (asked twice: the second is a HIT).
    for path in paths:
        for _ in range(2):
            status, _, headers = front.get(path)
        assert status == 404 and headers.get("X-Cache") == "HIT", path
    with Poller(front, paths) as poller:
        poll_until_shown(poller, paths, lambda s, b: s == 200 and "bell" in b, go_live.timestamp())
    for path in paths:
        at = poller.first(path, lambda s, b: s == 200 and "Results at the bell" in b)
        assert at is not None and at >= go_live.timestamp(), f"{path}: not shown, or early"

    with Poller(front, paths) as poller:
        time.sleep(1)  # every spelling cached
        changed = Release.objects.get(pk=release.pk)
        changed.headline = "Results at the bell, corrected"
        actions.approve_correction(
            actions.save_release(changed, SYSTEM, correction_note="Fixed the headline."), SYSTEM
        )
        done = time.time()
        poll_until_shown(poller, paths, lambda s, b: "bell, corrected" in b, done)
    for path in paths:
        assert cached_before(poller, path, done), f"Varnish never kept {path} before"
        at = poller.first(path, lambda s, b: "bell, corrected" in b)
        assert at is not None and at - done <= LATE_BOUND, f"{path} kept the old headline"

    with Poller(front, paths) as poller:
        time.sleep(1)
        actions.withdraw(Release.objects.get(pk=release.pk), SYSTEM, "Issued in error.")
        done = time.time()
        poll_until_shown(poller, paths, lambda s, b: s == 410, done)
    for path in paths:
        at = poller.first(path, lambda s, b: s == 410)
        assert at is not None and at - done <= LATE_BOUND, f"{path} kept answering the release"


@st.composite
def spelled(draw: st.DrawFn, path: str) -> str:
    """Any spelling of ``path`` a client may send: each character after the first "/" as it
    is or percent-encoded (hex digits in either case, "/" as %2F), sometimes with a query or a
    fragment; and, now and then, one character's encoding with its own hex digits encoded
    ("%%37%37" for "w"), which the app servers read as a literal "%77" (a path that is not
    the release's), not as "w"."""

    def encoded(char: str) -> str:
        return "%" + "".join(draw(st.sampled_from([d, d.lower()])) for d in f"{ord(char):02X}")

    parts = [encoded(c) if draw(st.booleans()) else c for c in path[1:]]
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(parts) - 1))
        parts[at] = "%" + "".join(encoded(d) for d in f"{ord(path[1 + at]):02X}")
    tail = draw(st.sampled_from(["", "", "?utm_source=mail", "#top", "?page=1#notes"]))
    return "/" + "".join(parts) + tail


def test_any_spelling_answers_through_varnish_as_the_app_does_after_each_change(
    front, make_release, publish
):
    """Whatever spelling of a release's URL a reader sends, Varnish answers as the app does,
    before the go-live (404), after it, after a correction and after a withdrawal (410): a
    spelling Varnish kept as an object of its own under another path (a fragment, which the
    app servers drop; "%%37%37", which the VCL's decoding passes turned into "%77", the
    release's "w") outlived the purges."""
    go_live = (timezone.now() + timedelta(seconds=30)).replace(microsecond=0)
    release = publish(make_release(headline="Results at the bell", published_at=go_live))
    page = release.get_absolute_url()
    asked: list[str] = []

    def as_the_app(target: str, headline: str) -> None:
        app_status, app_body, _ = fetch(front.app_port, target)
        for _ in range(2):  # a MISS, then what Varnish kept
            status, body, _ = front.get(target)
            assert status == app_status, (target, status, app_status)
            assert (headline in body) == (headline in app_body), (target, status)

    @hypothesis_settings(max_examples=25, deadline=None, database=None)
    @given(target=spelled(page))
    def before_the_go_live(target: str) -> None:
        as_the_app(target, "bell")
        asked.append(target)

    before_the_go_live()
    assert time.time() < go_live.timestamp(), "the spellings took longer than the go-live"
    assert {fetch(front.port, t)[0] for t in asked} == {404}

    def after(change: str, headline: str) -> None:
        front.settle()
        answers = {t: fetch(front.app_port, t)[0] for t in asked}
        for target in asked:
            as_the_app(target, headline)
        print(change, "through Varnish:", sorted(answers.values()))

    time.sleep(max(0.0, go_live.timestamp() - time.time()) + 0.5)
    after("go-live", "Results at the bell")
    changed = Release.objects.get(pk=release.pk)
    changed.headline = "Results at the bell, corrected"
    actions.approve_correction(
        actions.save_release(changed, SYSTEM, correction_note="Fixed the headline."), SYSTEM
    )
    after("correction", "bell, corrected")
    actions.withdraw(Release.objects.get(pk=release.pk), SYSTEM, "Issued in error.")
    after("withdrawal", "Results at the bell")
    assert 410 in {front.get(t)[0] for t in asked}


def ranged(port: int, path: str, header: str) -> tuple[int, bytes, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Range": header})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Content-Range", "")
    finally:
        conn.close()


# The plain ones, then the odd ones: spaces, a trailing comma, overlapping or suffix ranges
# among several, a zero suffix, upper case, another unit, a start past the end (the app's 416).
RANGES = [
    *["bytes=0-1,4-5", "bytes=0-999999", "bytes=10-", "bytes=-5", "bytes=0-0", "bytes=5-1"],
    *["bytes=0-1, 4-5", "bytes=0-5,", "bytes=0-1,-1", "bytes=0-3,2-6", "bytes=-0", "BYTES=0-5"],
    *["bytes=0-5 ", "items=0-5", "bytes=999999-", "bytes=999999-1000000"],
]


def test_byte_ranges_through_varnish_answer_as_the_app_does(front, make_release, publish):
    """The app answers one range with 206, several (or an invalid one) with the whole file and
    an end past the file with the rest of it, as docs/deployment.md says; Varnish's own range
    support answered 416 to several ranges and to an end past the file. Compared byte for byte
    with the app's own answer, with the file cached whole in Varnish and asked again."""
    from .files import PDF, attach

    release = make_release(published_at=timezone.now() + timedelta(days=1))
    attach(release, SYSTEM, ("Q3 financial statements", "q3.pdf", PDF))
    release = publish(Release.objects.get(pk=release.pk), timezone.now() - timedelta(minutes=1))
    url = Release.objects.get(pk=release.pk).attachment_list[0].get_absolute_url()
    assert front.get(url)[0] == 200  # cached whole in Varnish
    for header in RANGES:
        app = ranged(front.app_port, url, header)
        assert app[0] in (200, 206, 416), (header, app[0])
        for _ in range(2):
            through = ranged(front.port, url, header)
            assert through == app, (header, through[0], through[2], app[0], app[2])


@st.composite
def range_headers(draw: st.DrawFn) -> str:
    """A Range header as clients and probes write them: a unit in any case, one to three
    elements (int ranges with or without an end and with leading zeros, suffixes, empty
    elements, garbage), spaces and tabs around them, around the file's size (360 bytes)."""
    space = st.sampled_from(["", "", " ", "\t", "  "])
    number = st.one_of(st.integers(0, 400), st.integers(0, 10**12)).map(str)
    zeros = st.sampled_from(["", "", "0", "000"])
    element = st.one_of(
        st.builds(lambda z, a, b: f"{z}{a}-{b}", zeros, number, st.one_of(st.just(""), number)),
        st.builds(lambda z, a: f"-{z}{a}", zeros, number),
        st.sampled_from(["", "a-b", "1-2-3", "-", "5 - 9"]),
    )
    parts = draw(st.lists(st.tuples(space, element, space), min_size=1, max_size=3))
    unit = draw(st.sampled_from(["bytes", "bytes", "BYTES", "Bytes", "items", "bytes "]))
    return unit + "=" + ",".join(a + e + b for a, e, b in parts)


def test_any_range_header_through_varnish_is_answered_as_the_app_answers_it(
    front, make_release, publish
):
    """Varnish reads a Range as the app does (one range passed to it; anything else dropped
    for the whole file, from the cache), so the answer is the app's whatever the header: the
    status, the bytes and Content-Range, compared with the app asked directly."""
    from .files import PDF, attach

    release = make_release(published_at=timezone.now() + timedelta(days=1))
    attach(release, SYSTEM, ("Q3 financial statements", "q3.pdf", PDF))
    release = publish(Release.objects.get(pk=release.pk), timezone.now() - timedelta(minutes=1))
    url = Release.objects.get(pk=release.pk).attachment_list[0].get_absolute_url()
    front.settle()
    assert front.get(url)[0] == 200  # cached whole in Varnish

    @hypothesis_settings(max_examples=60, deadline=None, database=None)
    @given(header=range_headers())
    def as_the_app(header: str) -> None:
        app = ranged(front.app_port, url, header)
        assert ranged(front.port, url, header) == app, (header, app[0], app[2])

    as_the_app()


def test_a_tracking_parameter_is_served_from_the_bare_urls_object_in_varnish(
    front, make_release, publish
):
    """utm_*, fbclid, gclid, mc_cid, mc_eid and ref made a Varnish object (and a fetch) of their
    own for every link shared with them; the VCL drops them and sorts the rest."""
    release = publish(make_release(published_at=timezone.now() - timedelta(days=1)))
    # The publication's own two purges would empty an object between its MISS and its HIT.
    front.settle()
    year = timezone.localtime(release.published_at).year
    for path in ["/news/", release.get_absolute_url(), "/news/feed/rss/"]:
        status, body, headers = front.get(path)
        assert (status, headers.get("X-Cache")) == (200, "MISS"), path
        for query in [
            "utm_source=newsletter&utm_medium=email",
            "fbclid=IwAR0x",
            "gclid=Cj0K&mc_cid=1&mc_eid=2",
            "ref=twitter",
        ]:
            again = front.get(f"{path}?{query}")
            assert again[0] == status and again[1] == body, (path, query)
            assert again[2].get("X-Cache") == "HIT", (path, query)
    # The parameters a view reads stay, in one order: a second spelling is the same object.
    assert front.get(f"/news/?year={year}&page=1")[2].get("X-Cache") == "MISS"
    assert front.get(f"/news/?page=1&utm_id=7&year={year}")[2].get("X-Cache") == "HIT"
