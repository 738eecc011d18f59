"""The release list and the audit trail at scale: the same queries at 10,000 releases as at
1,000, none counting a whole table, the release search through the full-text index, the
audit trail's release filter a search box. Driven as an Approver (not a superuser)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from releases.models import AuditEntry, Release

from .conftest import at

RELEASES = reverse("admin:releases_release_changelist")
AUDIT = reverse("admin:releases_auditentry_changelist")


def add_releases(first: int, n: int) -> None:
    """``n`` releases, half live and half drafts, each with an audit entry: bulk inserts, so
    10,000 take about a second (no search documents, revisions or rendering)."""
    newest = at(2026, 11, 1, 8)
    rows = [
        Release(
            headline=f"Bulk release {i}",
            slug=f"bulk-{i}",
            dateline_city="CAMBRIDGE, MA",
            body="<p>Bulk body.</p>",
            published_at=newest - timedelta(hours=i),
            status=Release.Status.PUBLISHED if i % 2 else Release.Status.DRAFT,
        )
        for i in range(first, first + n)
    ]
    made = Release.objects.bulk_create(rows, batch_size=1000)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action=AuditEntry.Action.CREATED, release_id=r.pk, release_headline=r.headline
            )
            for r in made
        ],
        batch_size=1000,
    )


def queries_of(client, url: str, params: dict) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return [q["sql"] for q in captured.captured_queries]


def unbounded_counts(queries: list[str]) -> list[str]:
    """Counts that are not cut at a LIMIT: a COUNT(*) over everything its filter matches.
    PostgreSQL has none; SQLite, which has no planner's estimate to show instead, counts past
    `EXACT_UP_TO` (a development database)."""
    if connection.vendor != "postgresql":
        return []
    return [q for q in queries if "COUNT(" in q.upper() and "LIMIT" not in q.upper()]


PAGES = [
    (RELEASES, {}),
    (RELEASES, {"state": "live"}),
    (RELEASES, {"state": "draft"}),
    (RELEASES, {"q": "quarterly"}),
    (RELEASES, {"year": "2026"}),
    (AUDIT, {}),
    (AUDIT, {"action": "created"}),
    (AUDIT, {"release_words": "bulk"}),
]


@pytest.mark.slow
def test_release_list_and_audit_trail_cost_the_same_queries_at_ten_times_the_releases(
    client, approver, make_release
):
    make_release()  # a categories filter, contacts, disclaimers: the usual company
    add_releases(0, 1_000)
    client.force_login(approver)
    small = {(url, str(params)): queries_of(client, url, params) for url, params in PAGES}
    add_releases(1_000, 9_000)
    large = {(url, str(params)): queries_of(client, url, params) for url, params in PAGES}
    for page, queries in large.items():
        print(page, len(small[page]), "queries at 1,001 releases,", len(queries), "at 10,001")
        assert len(queries) == len(small[page]), page
        assert unbounded_counts(queries) == [], page


def test_a_list_past_the_exact_limit_says_about_how_many(client, approver, monkeypatch):
    monkeypatch.setattr("releases.admin.scale.EXACT_UP_TO", 20)
    add_releases(0, 50)
    client.force_login(approver)
    response = client.get(RELEASES)
    text = response.content.decode()
    assert unbounded_counts(queries_of(client, RELEASES, {})) == []
    if connection.vendor == "postgresql":
        assert re.search(r"about [\d,]+ releases", text)
    else:  # SQLite has no estimate: an exact count, bounded by the size SQLite serves
        assert "50 releases" in text


def test_release_search_finds_a_word_of_the_body_through_the_index(client, approver, make_release):
    wanted = make_release(headline="Company reports", body="<p>Zeolite output doubled.</p>")
    make_release(headline="Company appoints", body="<p>A new chief officer.</p>")
    add_releases(0, 200)
    client.force_login(approver)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(RELEASES, {"q": "zeolite"})
    assert [r.pk for r in response.context["cl"].result_list] == [wanted.pk]
    if connection.vendor == "postgresql":
        queries = [q["sql"] for q in captured.captured_queries]
        assert any("@@" in q and "websearch_to_tsquery" in q for q in queries)
        assert not [q for q in queries if "LIKE" in q]  # no `icontains` over the bodies


def test_release_list_filters_by_state_and_year(client, approver, make_release, publish):
    live = publish(make_release(headline="Live", published_at=at(2025, 3, 1, 8)))
    draft = make_release(headline="Draft", published_at=at(2024, 3, 1, 8))
    client.force_login(approver)

    def shown(params: dict) -> set[int]:
        return {r.pk for r in client.get(RELEASES, params).context["cl"].result_list}

    assert shown({"state": "live"}) == {live.pk}
    assert shown({"state": "draft"}) == {draft.pk}
    assert shown({"year": "2024"}) == {draft.pk}
    page = client.get(RELEASES).content.decode()
    assert "?year=2025" in page and "?year=2024" in page


def test_audit_trail_finds_a_release_by_headline_words_instead_of_listing_every_release(
    client, approver, make_release
):
    wanted = make_release(headline="Company reports zeolite output")
    other = make_release(headline="Company appoints a chief officer")
    add_releases(0, 30)
    client.force_login(approver)
    page = client.get(AUDIT).content.decode()
    assert 'name="release_words"' in page
    assert "Bulk release 7" not in page.split('id="changelist-filter"')[-1]

    found = client.get(AUDIT, {"release_words": "zeolite", "action": "created"})
    sidebar = found.content.decode().split('id="changelist-filter"')[-1]
    assert wanted.headline in sidebar and other.headline not in sidebar
    # The search box keeps the other filters.
    assert '<input type="hidden" name="action" value="created">' in sidebar

    chosen = client.get(AUDIT, {"release": wanted.pk})
    entries = list(chosen.context["cl"].result_list)
    assert entries and {e.release_id for e in entries} == {wanted.pk}


def test_audit_trail_ignores_a_release_filter_that_is_not_a_number(client, approver, make_release):
    make_release()
    client.force_login(approver)
    response = client.get(AUDIT, {"release": "x'; drop", "year": "abc"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 1
