"""Queries compiled once (`irsite.prepared`) and the release page that reads one of them.

The page's single statement must return exactly what the querysets it is built from return,
for any slug and any instant, on SQLite and on PostgreSQL.
"""

import re
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import time_machine
from django.db import close_old_connections, connection
from django.db.models import Q
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from irsite.contacts.models import CompanyProfile
from irsite.prepared import PreparedQuery
from releases.models import HEADLINE_MAX_LENGTH, Category, Release

from .conftest import at

NOW = at(2026, 11, 30, 12, 0, 0)
# The values PreparedQuery compiles with: constants equal to them must stay constants.
SAMPLE = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)

BY_SLUG = PreparedQuery(
    lambda now, slug: Release.objects.public(now).filter(slug=slug).values("pk", "headline"),
    now=datetime,
    slug=str,
)
# The same argument twice in one statement, and beside constants equal to the samples.
BOTH_SIDES = PreparedQuery(
    lambda now, slug: (
        Release.objects.filter(
            Q(published_at__lte=now) | Q(published_at=SAMPLE),
            Q(slug=slug) | Q(slug__in=["sample", "other sample"]),
        )
        .order_by("pk")
        .values("pk")
    ),
    now=datetime,
    slug=str,
)


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.IRSITE_PAGE_CACHE = False


@pytest.fixture
def releases(make_release, publish) -> list[Release]:
    with time_machine.travel(NOW, tick=False):
        return [
            publish(make_release(slug="old", headline="Old"), NOW - timedelta(days=2)),
            publish(make_release(slug="new", headline="New"), NOW - timedelta(hours=1)),
            publish(make_release(slug="later", headline="Later"), NOW + timedelta(hours=1)),
            # Rows that the samples PreparedQuery compiles with would find.
            publish(make_release(slug="sample", headline="At the sample"), SAMPLE),
            publish(make_release(slug="other sample", headline="Other"), NOW - timedelta(days=1)),
        ]


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    slug=st.one_of(
        st.sampled_from(["old", "new", "later", "sample", "other sample", ""]), st.text(max_size=30)
    ),
    offset=st.integers(min_value=-3 * 86400, max_value=3 * 86400),
)
def test_a_prepared_query_returns_what_its_queryset_returns_for_any_slug_and_instant(
    releases, slug, offset
):
    now = NOW + timedelta(seconds=offset)
    slug = slug.replace("\x00", "")  # PostgreSQL text holds no NUL, whatever the query
    expected = list(Release.objects.public(now).filter(slug=slug).values("pk", "headline"))
    assert BY_SLUG(now=now, slug=slug) == expected
    both = Release.objects.filter(
        Q(published_at__lte=now) | Q(published_at=SAMPLE),
        Q(slug=slug) | Q(slug__in=["sample", "other sample"]),
    )
    assert BOTH_SIDES(now=now, slug=slug) == list(both.order_by("pk").values("pk"))


def test_an_argument_the_query_ignores_or_branches_on_is_refused(db):
    ignored = PreparedQuery(lambda slug: Release.objects.values("pk"), slug=str)
    with pytest.raises(ValueError, match="'slug' is not a parameter"):
        ignored(slug="x")
    branching = PreparedQuery(
        lambda slug: (
            Release.objects.filter(slug=slug) if slug == "sample" else Release.objects.all()
        ).values("pk"),
        slug=str,
    )
    with pytest.raises(ValueError, match="'slug' changes the SQL"):
        branching(slug="a")
    models = PreparedQuery(lambda slug: Release.objects.filter(slug=slug), slug=str)
    with pytest.raises(ValueError, match=r"a prepared query is a \.values"):
        models(slug="a")


def _categories_printed(html: str) -> list[str]:
    meta = re.search(r'<footer class="release-meta">(.*?)</footer>', html, re.S).group(1)
    return re.findall(r'<a href="/news/category/[^"]+/">([^<]*)</a>', meta)


def test_release_page_lists_its_categories_as_every_other_page_orders_them(
    client, make_release, publish
):
    names = ["zeta", "Alpha", 'Quote "marks" & <tags>', "beta", "Ünïcode 🚀", "back\\slash"]
    categories = [Category.objects.create(name=n, slug=f"c{i}") for i, n in enumerate(names)]
    with time_machine.travel(NOW, tick=False):
        release = publish(make_release(categories=categories), NOW - timedelta(hours=1))
        html = client.get(release.get_absolute_url()).content.decode()
    expected = [c.name for c in Release.objects.get(pk=release.pk).categories.all()]
    escaped = [
        n.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        for n in expected
    ]
    assert _categories_printed(html) == escaped


def test_release_page_header_prints_the_company_profile_as_it_is_now(
    client, make_release, publish, company
):
    with time_machine.travel(NOW, tick=False):
        release = publish(make_release(), NOW - timedelta(hours=1))
        CompanyProfile.objects.filter(pk=company.pk).update(short_name="Renamed Co")
        html = client.get(release.get_absolute_url()).content.decode()
    header = re.search(r'<header class="site-header">(.*?)</header>', html, re.S).group(1)
    assert "Renamed Co" in header
    CompanyProfile.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        html = client.get(release.get_absolute_url()).content.decode()
    # A fresh install's blank profile: the header falls back, the record keeps its letterhead.
    header = re.search(r'<header class="site-header">(.*?)</header>', html, re.S).group(1)
    assert "Investor relations" in header


def read_three_pages_twice(client, make_release, publish) -> None:
    with time_machine.travel(NOW, tick=False):
        releases = [publish(make_release(), NOW - timedelta(hours=h)) for h in (1, 2, 3)]
        for release in releases * 2:
            assert client.get(release.get_absolute_url()).status_code == 200


def test_release_pages_are_read_again_by_the_same_statement(client, make_release, publish):
    """On either database (on SQLite, with nothing to prepare, the statement runs unprepared)."""
    read_three_pages_twice(client, make_release, publish)


@pytest.mark.postgres
def test_release_page_statement_is_prepared_once_per_connection_on_postgresql(
    client, make_release, publish
):
    """On PostgreSQL the page's statement is planned once per connection, not per request."""
    read_three_pages_twice(client, make_release, publish)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s AND NOT from_sql",
            ["%releases_releaserendering%"],
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_release_page_after_postgresql_dropped_the_connection_is_served_from_a_new_one(
    client, make_release, publish
):
    """A connection PostgreSQL ended between requests (a restart, a failover, an operator's
    pg_terminate_backend) is found dead by Django's health check before the page's statement
    runs on it, as before any ORM query: the next reader gets the page, not a 503."""
    with time_machine.travel(NOW, tick=False):
        release = publish(make_release(), NOW - timedelta(hours=1))
    assert client.get(release.get_absolute_url()).status_code == 200
    pid = connection.connection.info.backend_pid
    with psycopg.connect(connection.connection.info.dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    # What Django does as the next request starts (the test client skips it).
    close_old_connections()
    assert client.get(release.get_absolute_url()).status_code == 200
    assert connection.connection.info.backend_pid != pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_release_page_survives_a_migration_that_changes_a_column_type_it_reads(
    client, make_release, publish
):
    """A migration run while the site serves (a longer headline, say) makes
    PostgreSQL refuse the statements prepared before it on every connection ("cached plan must
    not change result type"), for as long as the connection lives; the page prepares it again."""
    with time_machine.travel(NOW, tick=False):
        release = publish(make_release(), NOW - timedelta(hours=1))
    assert client.get(release.get_absolute_url()).status_code == 200
    column = f"varchar({HEADLINE_MAX_LENGTH})"
    alter = "ALTER TABLE releases_release ALTER COLUMN headline TYPE {}"
    with psycopg.connect(connection.connection.info.dsn, autocommit=True) as other:
        other.execute(alter.format(f"varchar({HEADLINE_MAX_LENGTH + 1})"))
        try:
            for _ in range(2):
                close_old_connections()  # what Django does between requests
                assert client.get(release.get_absolute_url()).status_code == 200
        finally:
            close_old_connections()
            other.execute(alter.format(column))
