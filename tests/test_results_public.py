"""What readers reach of results kits (issue 26): the list, a kit's page, its documents, the
feeds and the sitemap, public exactly from the release's go-live second (identical 404s before,
200 from it), 410 after a withdrawal, a replaced document's notice and kept history."""

from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.urls import reverse

from irsite.uploads import check_upload
from releases import actions as release_actions
from results import actions
from results.models import KitDocument, ResultsKit

from .conftest import SYSTEM
from .files import PDF, upload
from .fronts import purged, run_worker
from .results_kits import GO_LIVE, HEADLINE, SECOND, approved_kit, make_kit
from .shared import body, max_age, visible

KIT_URL = "/results/2027/q1/"
NEVER_URL = "/results/2027/q2/"


def walk_urls(kit: ResultsKit) -> list[str]:
    """Every URL of the app that shows a kit (the file: its first document)."""
    return [
        KIT_URL,
        "/results/",
        "/results/feed/rss/",
        "/results/feed/atom/",
        "/sitemap-results.xml",
        kit.documents.current().first().get_absolute_url(),
    ]


def never_existed(url: str) -> str:
    if url == KIT_URL:
        return NEVER_URL
    if "/files/" in url:
        return url.rsplit("/", 1)[0] + "/0123456789abcdef0123456789abcdef.pdf"
    return url


@pytest.mark.parametrize("index", range(6), ids=["page", "list", "rss", "atom", "sitemap", "file"])
def test_a_kit_is_on_no_url_before_its_release_and_on_every_one_from_its_second(
    client, kit, page_cache, index
):
    _release, kit = kit
    url = walk_urls(kit)[index]
    secrets = (kit.title, HEADLINE, kit.documents.current().first().key)
    for moment in (GO_LIVE - timedelta(hours=3), GO_LIVE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            response = client.get(url)
            text = body(response).decode(errors="replace")
            assert not any(s in text for s in secrets), f"{url} shows the kit at {moment}"
            assert not any(s in str(response.headers) for s in secrets[1:])
            if url in {KIT_URL, walk_urls(kit)[5]}:
                missing = client.get(never_existed(url))
                assert response.status_code == 404, url
                assert visible(response)[:3] == visible(missing)[:3], url
            if (age := max_age(response)) is not None:
                assert age <= (GO_LIVE - moment).total_seconds()
    for moment in (GO_LIVE, GO_LIVE + timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            response = client.get(url)
        assert response.status_code == 200, url
        content = body(response)
        text = content.decode(errors="replace")
        if index == 5:
            assert content == kit.documents.current().first().file.open("rb").read()
        elif index == 4:
            assert kit.get_absolute_url() in text
        else:
            assert kit.title in text, f"{url} lacks the kit at {moment}"


def test_the_kit_page_has_the_release_the_documents_with_sizes_and_the_fiscal_period(client, kit):
    release, kit = kit
    with time_machine.travel(GO_LIVE, tick=False):
        page = client.get(KIT_URL).content.decode()
    assert "Q1 fiscal 2027 results" in page
    # A June year-end: fiscal 2027's first quarter ended in calendar 2026.
    assert "Three months ended September 30, 2026" in page
    assert release.get_absolute_url() in page and HEADLINE in page
    for document in kit.documents.current():
        assert document.get_absolute_url() in page
    assert "Supplemental tables" in page and "bytes" in page


def test_a_kit_not_approved_by_a_second_person_stays_private_after_its_release(
    client, make_release, publish
):
    release = make_release(published_at=GO_LIVE)
    make_kit(release)
    publish(release)
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        assert client.get(KIT_URL).status_code == 404
        assert release.headline not in client.get("/results/").content.decode()


def test_editing_an_approved_kit_before_go_live_needs_approval_again(kit):
    _release, kit = kit
    with time_machine.travel(GO_LIVE - timedelta(hours=1), tick=False):
        kit.fiscal_year, kit.period = 2026, "q4"
        actions.save_kit(kit, SYSTEM)
        kit.refresh_from_db()
        assert kit.status == ResultsKit.Status.DRAFT and kit.approved_by is None
    with time_machine.travel(GO_LIVE, tick=False):
        assert not ResultsKit.objects.public().filter(pk=kit.pk).exists()


def test_a_public_kit_is_not_edited_in_place(kit):
    _release, kit = kit
    with time_machine.travel(GO_LIVE, tick=False):
        kit.period = "q2"
        with pytest.raises(actions.TransitionRefused, match="correction"):
            actions.save_kit(kit, SYSTEM)
    kit.refresh_from_db()
    assert kit.period == "q1" and kit.status == ResultsKit.Status.APPROVED


def test_after_the_release_is_withdrawn_the_page_and_documents_are_gone(client, kit):
    release, kit = kit
    urls = [KIT_URL, *(d.get_absolute_url() for d in kit.documents.current())]
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        assert all(client.get(u).status_code == 200 for u in urls)
        release_actions.withdraw(release, SYSTEM, "Restated.")
        for url in urls:
            assert client.get(url).status_code == 410, url
        assert kit.title not in client.get("/results/").content.decode()


def replace_slides(kit: ResultsKit, by, note="Slide 7 corrected.") -> KitDocument:
    old = kit.documents.current().get(category="slides")
    return actions.prepare_document(
        kit, by, checked=check_upload(upload("slides-v2.pdf", PDF + b"% v2\n")),
        title="Q1 presentation", category="slides", note=note, replaces=old,
    )  # fmt: skip


def test_a_document_replaced_after_go_live_shows_the_notice_and_keeps_the_old_version(
    client, kit, editor, approver, second_approver
):
    _release, kit = kit
    old = kit.documents.current().get(category="slides")
    old_url = old.get_absolute_url()
    with time_machine.travel(GO_LIVE + timedelta(days=1), tick=False):
        new = replace_slides(kit, approver)
        # Prepared, not public: the page and the old file as they were; the new file unknown.
        page = client.get(KIT_URL).content.decode()
        assert "Updated on" not in page and old_url in page
        assert client.get(new.get_absolute_url()).status_code == 404
        with pytest.raises(actions.TransitionRefused, match="permission"):
            actions.approve_document(new, editor)
        with pytest.raises(actions.TransitionRefused, match="Four-eyes"):
            actions.approve_document(new, approver)
        actions.approve_document(new, second_approver)
        page = client.get(KIT_URL).content.decode()
        assert "Updated on" in page and "Slide 7 corrected." in page
        assert new.get_absolute_url() in page and old_url not in page
        assert client.get(new.get_absolute_url()).status_code == 200
        gone = client.get(old_url)
        assert gone.status_code == 410 and "replaced" in gone.content.decode()
    old.refresh_from_db()
    assert old.status == KitDocument.Status.REPLACED and old.file.open("rb").read() == PDF
    kit.refresh_from_db()
    assert kit.corrected_at is not None


def test_the_call_shows_only_as_the_events_own_rules_allow(
    client, make_release, publish, make_event, announce
):
    actions.set_fiscal_calendar(6, SYSTEM)  # a June year: the release reports fiscal 2027's Q1
    release = make_release(published_at=GO_LIVE)
    with time_machine.travel(GO_LIVE - timedelta(days=2), tick=False):
        event = announce(make_event(
            title="Q1 call", webcast_url="https://webcast.example.com/q1-room",
            announce_at=GO_LIVE - timedelta(days=1), materials_at=GO_LIVE + timedelta(hours=1),
            starts_at=GO_LIVE + timedelta(hours=2),
        ))  # fmt: skip
        hidden = make_event(title="Not yet announced call", announce_at=GO_LIVE + timedelta(days=9))
        approved_kit(release, event=event)
        other = make_release(published_at=GO_LIVE)
        approved_kit(other, fiscal_year=2026, period="q4", event=hidden)
    publish(release)
    with time_machine.travel(GO_LIVE, tick=False):
        page = client.get(KIT_URL).content.decode()
        assert event.get_absolute_url() in page and "q1-room" not in page
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        assert "webcast.example.com/q1-room" in client.get(KIT_URL).content.decode()
    assert "Not yet announced" not in page


def test_the_feeds_parse_and_list_the_latest_kit_first(client, kit):
    _release, kit = kit
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        for name in ("results:rss", "results:atom"):
            feed = feedparser.parse(client.get(reverse(name)).content)
            assert not feed.bozo, feed.bozo_exception
            titles = [e.title for e in feed.entries]
            assert titles == ["Q1 fiscal 2027 results", "Full year fiscal 2026 results"]
            assert feed.entries[0].link.endswith(KIT_URL)


def test_kit_urls_carry_the_key_every_release_purge_names(client, kit):
    """A release's go-live, correction and withdrawal purge ``list`` (releases.purges): kit
    pages, feeds and files carry it, so those purges reach them with no import of results."""
    _release, kit = kit
    with time_machine.travel(GO_LIVE, tick=False):
        for url in walk_urls(kit):
            assert "list" in client.get(url)["Surrogate-Key"].split(), url


@pytest.mark.django_db(transaction=True)
def test_the_release_s_go_live_purge_reaches_the_kit_and_a_correction_purges_at_once(
    edge,
    make_release,
    publish,
    client,
):
    """The front cache: nothing at all before the release's second; at it, the release's own
    purge of ``list`` (which every kit URL carries); an approved correction purges at once."""
    now = GO_LIVE - timedelta(hours=1)
    with time_machine.travel(now - timedelta(days=1), tick=False):
        kit = approved_kit(publish(make_release(published_at=GO_LIVE)))
    with time_machine.travel(now, tick=False):
        run_worker()
    assert purged(edge) == []
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        run_worker()
    assert purged(edge) == []
    with time_machine.travel(GO_LIVE, tick=False):
        run_worker()
        assert "list" in client.get(KIT_URL)["Surrogate-Key"].split()
    assert purged(edge) and all("list" in keys for keys in purged(edge))
    with time_machine.travel(GO_LIVE + timedelta(days=1), tick=False):
        run_worker()
        edge.purges.clear()
        document = replace_slides(kit, SYSTEM)
        run_worker()
        assert purged(edge) == [], "a prepared correction is not public"
        actions.approve_document(document, SECOND)
        run_worker()
    assert purged(edge) == [["list"]]


def test_documents_answer_ranges_and_conditional_requests_only_from_the_second(client, kit):
    _release, kit = kit
    document = kit.documents.current().get(category="slides")
    url = document.get_absolute_url()
    etag = f'"{document.sha256[:40]}"'
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        for headers in ({"Range": "bytes=0-3"}, {"If-None-Match": etag}):
            response = client.get(url, headers=headers)
            assert response.status_code == 404 and etag not in str(response.headers)
    with time_machine.travel(GO_LIVE, tick=False):
        ranged = client.get(url, headers={"Range": "bytes=0-3"})
        assert ranged.status_code == 206 and body(ranged) == PDF[:4]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_kit_added_after_its_release_is_dated_by_its_results_not_by_its_approval(client, kit):
    """The full-year kit was approved long after its release of July 28, 2026 (the fixture
    approves it today): readers see it dated by its release on the list, the feeds and the
    API, as an old quarter's results, never as news of the day it was added."""
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        listing = client.get("/results/").content.decode()
        assert 'datetime="2026-07-28T16:05:00-04:00">July 28, 2026' in listing
        for name in ("results:rss", "results:atom"):
            entry = feedparser.parse(client.get(reverse(name)).content).entries[1]
            assert entry.published_parsed[:5] == (2026, 7, 28, 20, 5), name
        items = client.get("/api/v1/results").json()["items"]
        assert items[1]["published_at"] == "2026-07-28T20:05:00Z"
