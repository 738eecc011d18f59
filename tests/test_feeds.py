"""Both feeds read back with feedparser, as a subscriber's feed reader reads them."""

import html

import feedparser
import pytest
import time_machine

from releases import actions

from .conftest import SYSTEM, at

FEEDS = ["/news/feed/rss/", "/news/feed/atom/"]


def read(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize("url", FEEDS)
def test_feed_lists_the_twenty_latest_public_releases_newest_first(
    client, make_release, publish, url
):
    for day in range(1, 23):
        publish(
            make_release(headline=f"Release of day {day:02d}", published_at=at(2024, 3, day, 8))
        )
    feed = read(client, url)
    assert [e.title for e in feed.entries] == [f"Release of day {d:02d}" for d in range(22, 2, -1)]
    newest = feed.entries[0]
    assert newest.link.endswith("/news/2024/03/22/result-" + newest.link.split("result-")[1])
    assert newest.published_parsed[:6] == (2024, 3, 22, 12, 0, 0)  # 08:00 EDT in UTC
    assert "First paragraph of release" in newest.summary


@pytest.mark.parametrize("url", FEEDS)
def test_feed_entries_carry_categories(client, make_release, publish, category, url):
    publish(make_release(categories=[category]))
    assert [t.term for t in read(client, url).entries[0].tags] == ["Corporate"]


@pytest.mark.parametrize("url", FEEDS)
def test_entry_summary_is_the_body_as_text_when_there_is_no_summary(
    client, make_release, publish, url
):
    body = "<p>AT&amp;T and <b>Johnson</b> &amp; Johnson sign.</p><p>Second one.</p>"
    publish(make_release(summary="", body=body))
    entry = read(client, url).entries[0]
    # Both feeds carry the description as HTML, which readers render.
    assert entry.summary_detail.type == "text/html"
    assert html.unescape(entry.summary) == "AT&T and Johnson & Johnson sign. Second one."


@pytest.mark.parametrize("url", FEEDS)
def test_a_summary_with_markup_characters_reaches_readers_as_text(
    client, make_release, publish, url
):
    publish(make_release(summary="Revenue & profit up; <b>record</b> quarter."))
    entry = read(client, url).entries[0]
    # The reader shows the brackets; it does not make "record" bold.
    assert entry.summary == "Revenue &amp; profit up; &lt;b&gt;record&lt;/b&gt; quarter."


@pytest.mark.parametrize("url", FEEDS)
def test_scheduled_release_is_absent_from_feed_until_go_live(client, make_release, publish, url):
    publish(make_release(headline="Already out", published_at=at(2026, 11, 1, 8)))
    with time_machine.travel(at(2026, 11, 26, 12), tick=False):
        publish(make_release(headline="Results", published_at=at(2026, 11, 26, 16, 5, 0)))
    with time_machine.travel(at(2026, 11, 26, 16, 4, 59), tick=False):
        assert [e.title for e in read(client, url).entries] == ["Already out"]
    with time_machine.travel(at(2026, 11, 26, 16, 5, 0), tick=False):
        assert [e.title for e in read(client, url).entries] == ["Results", "Already out"]


@pytest.mark.parametrize("url", FEEDS)
def test_correction_keeps_the_guid_and_updates_the_time(client, make_release, publish, url):
    release = publish(make_release(published_at=at(2024, 5, 1, 8)))
    before = read(client, url).entries[0]
    with time_machine.travel(at(2024, 5, 2, 9), tick=False):
        release.headline = "Corrected headline"
        actions.approve_correction(
            actions.save_release(release, SYSTEM, correction_note="Headline typo."), SYSTEM
        )
    after = read(client, url).entries[0]
    assert after.id == before.id == f"urn:uuid:{release.uuid}"
    assert after.title == "Corrected headline"
    assert after.link == before.link
    if url.endswith("atom/"):
        assert after.updated_parsed[:4] == (2024, 5, 2, 13)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_category_feed_has_only_that_category(client, make_release, publish, category, kind):
    publish(make_release(headline="In it", categories=[category]))
    publish(make_release(headline="Not in it"))
    feed = read(client, f"/news/category/{category.slug}/feed/{kind}/")
    assert [e.title for e in feed.entries] == ["In it"]
    assert "Corporate" in feed.feed.title


def test_withdrawn_release_leaves_the_feeds(client, make_release, publish):
    release = publish(make_release())
    actions.withdraw(release, SYSTEM, "Issued in error.")
    for url in FEEDS:
        assert read(client, url).entries == []
