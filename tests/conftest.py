"""Fixtures and factories shared by the suite.

Releases are made through `releases.actions`, as the admin makes them, so the tests exercise
the same paths as the users; time is frozen with time-machine wherever a boundary matters.
"""

import importlib
import os
import shutil
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from irsite.contacts.models import CompanyProfile, Contact
from irsite.disclaimers.models import Disclaimer, DisclaimerVersion
from irsite.http.pagecache import forget_committed_version
from releases import actions, demo
from releases.models import Category, Release

from .files import PDF, attach, photo

NY = ZoneInfo("America/New_York")
SYSTEM = actions.SystemActor("tests")

# Fixtures of a harness live beside it, in a helper module registered here; test modules
# never import from one another (issue 23).
pytest_plugins = ["tests.fronts", "tests.results_kits", "tests.varnish", "tests.webhook_receiver"]


# Tests that read real filings (the seed, the corpus, the exhibit cases) take them from outside
# the repository: IRSITE_TEST_CORPUS names the folder (it holds seed/, corpus/ and
# exhibit-cases/), defaulting to ../shared beside the clone when that exists. Without it those
# tests, marked `corpus`, are deselected with one printed line; .ci/run always sets it.
CORPUS_ENV = "IRSITE_TEST_CORPUS"
_DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared"


def corpus_dir() -> Path:
    """The folder of real filings: $IRSITE_TEST_CORPUS, else ../shared (it may not exist;
    tests marked `corpus` run only when it does)."""
    return Path(os.environ.get(CORPUS_ENV) or _DEFAULT_CORPUS)


needs_corpus = pytest.mark.corpus


# `make test-fast` runs the property tests that set no number of examples with this profile.
hypothesis_settings.register_profile("fast", max_examples=10)


def pytest_configure(config: pytest.Config) -> None:
    configured = os.environ.get(CORPUS_ENV)
    if configured and not (Path(configured) / "seed").is_dir():
        raise pytest.UsageError(f"{CORPUS_ENV}={configured}: no seed/ folder there")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not corpus_dir().is_dir():
        _deselect(
            config,
            items,
            "corpus",
            f"they read real filings and neither ${CORPUS_ENV} nor {_DEFAULT_CORPUS} is there "
            "(README: IRSITE_TEST_CORPUS)",
        )
    if connections["default"].vendor != "postgresql":
        _deselect(
            config,
            items,
            "postgres",
            "they test what only PostgreSQL has and DATABASE_URL names "
            f"{connections['default'].vendor} (run them with DATABASE_URL=postgres://...; "
            ".ci/run does)",
        )
    pg_bin = Path(os.environ.get("IRSITE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
    if not (pg_bin / "pg_basebackup").exists():
        _deselect(
            config,
            items,
            "replica",
            f"PostgreSQL's initdb, pg_ctl and pg_basebackup are not in {pg_bin} "
            "(IRSITE_TEST_PG_BIN; apt-get install postgresql-15)",
        )
    if not shutil.which("varnishd"):
        _deselect(
            config,
            items,
            "varnish",
            "varnishd is not installed (apt-get install varnish varnish-modules; .ci/run does)",
        )


def _deselect(config: pytest.Config, items: list[pytest.Item], marker: str, why: str) -> None:
    needing = [item for item in items if item.get_closest_marker(marker)]
    if not needing:
        return
    items[:] = [item for item in items if not item.get_closest_marker(marker)]
    config.hook.pytest_deselected(items=needing)
    line = f"{marker}: {len(needing)} tests deselected: {why}"
    if hasattr(config, "workeroutput"):
        # A pytest-xdist worker (make test-fast): its output is not shown; the controller
        # prints the line once, in its summary.
        config.workeroutput.setdefault("deselected", []).append(line)
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(line, yellow=True)


_from_workers: list[str] = []


def pytest_testnodedown(node, error) -> None:
    """pytest-xdist's controller: the deselection lines of the first worker that reports."""
    if not _from_workers:
        _from_workers.extend(getattr(node, "workeroutput", {}).get("deselected", []))


def pytest_terminal_summary(terminalreporter) -> None:
    for line in _from_workers:
        terminalreporter.write_line(line, yellow=True)


# The rows the data migrations write, by the migration and its function.
DATA_MIGRATIONS = [
    ("releases.migrations.0002_groups", "create_groups"),
    ("irsite.alerts.migrations.0002_groups", "grant"),
    ("events.migrations.0002_groups", "grant"),
    ("filings.migrations.0002_groups", "grant"),
    ("results.migrations.0002_groups", "grant"),
    ("reports.migrations.0002_groups", "grant"),
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """The test database, with the groups its data migrations create even when --reuse-db
    (make test-fast) keeps a database that a transactional test emptied: such a test ends
    with a flush, which removes every row, the migrations' too, and the migrations already
    applied to a kept database do not run again. The functions run as the migrations ran
    them, on the models' migrated state."""
    with django_db_blocker.unblock():
        ensure_groups()


def ensure_groups() -> None:
    """The groups and permissions the data migrations create, made again if a transactional
    test's flush (which ends every such test) removed them, as it removes every row."""
    if Group.objects.filter(name__in=["Editors", "Approvers"]).count() == 2:
        return
    state = MigrationExecutor(connections["default"]).loader.project_state()
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(state.apps, None)


@pytest.fixture(autouse=True)
def _process_clock(settings) -> None:
    """Publication decisions follow the process's clock here, the one time-machine moves (no
    library moves PostgreSQL's). Production's clock is the database's (irsite/clock.py): the
    servers and workers these tests start run it, and tests/test_clock.py checks it."""
    settings.IRSITE_CLOCK = "process"


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache(settings) -> None:
    """A fresh local-memory cache per test, whatever CACHE_URL says, so no test sees
    another's cached pages (tests of Redis set their own, with a prefix of their own)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }
    forget_committed_version()


def redis_cache(location: str, key_prefix: str = "") -> dict:
    """A CACHES entry for Redis as settings.py builds it from CACHE_URL=redis://..."""
    return {
        "BACKEND": "irsite.http.redis.TolerantRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
    }


@pytest.fixture(autouse=True)
def _no_collected_static(settings, tmp_path) -> None:
    """No collected static files, as on a fresh clone: tests never read them, and a
    staticfiles/ left by `make serve` (or tests/test_server.py) would otherwise be scanned by
    WhiteNoise for every test client, ~70 ms a test with Django's admin files in it."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path) -> Path:
    """Uploaded files go to a folder of the test's own, on the local storage."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def at(*args: int) -> datetime:
    """An aware datetime in the issuer's zone: at(2003, 1, 24, 8, 0, 0)."""
    return datetime(*args, tzinfo=NY)


# A publication time still ahead on every test's clock: a release is submitted for approval
# only with a time ahead (`actions.Submit`).
LATER = at(2030, 1, 24, 8, 0, 0)

# The go-live second of the `scheduled` release with files, and moments either side of it.
GO_LIVE = at(2026, 11, 30, 16, 5, 0)
BEFORE = (
    GO_LIVE - timedelta(hours=3),
    GO_LIVE - timedelta(seconds=100),
    GO_LIVE - timedelta(seconds=1),
)
AT_AND_AFTER = (GO_LIVE, GO_LIVE + timedelta(seconds=1), GO_LIVE + timedelta(days=2))


@pytest.fixture
def company(db) -> CompanyProfile:
    profile = CompanyProfile(**demo.COMPANY)
    profile.save()
    return profile


@pytest.fixture
def contacts(db) -> list[Contact]:
    return [Contact.objects.create(**spec) for spec in demo.CONTACTS]


@pytest.fixture
def disclaimer_versions(db) -> list[DisclaimerVersion]:
    versions = []
    for kind, spec in [
        (Disclaimer.Kind.ABOUT, demo.ABOUT),
        (Disclaimer.Kind.SAFE_HARBOR, demo.SAFE_HARBOR),
    ]:
        disclaimer = Disclaimer.objects.create(kind=kind, name=spec["name"], is_default=True)
        versions.append(disclaimer.revise(spec["heading"], spec["text"]))
    return versions


@pytest.fixture
def category(db) -> Category:
    return Category.objects.create(name="Corporate", slug="corporate")


def _user(username: str, group: str | None = None, **extra) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True, **extra)
    if group:
        ensure_groups()
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db) -> User:
    return _user("erin", "Editors")


@pytest.fixture
def approver(db) -> User:
    return _user("alex", "Approvers")


@pytest.fixture
def second_approver(db) -> User:
    return _user("blair", "Approvers")


@pytest.fixture
def superuser(db) -> User:
    return _user("root", is_superuser=True)


_numbers = count(1)


@pytest.fixture
def make_release(db, company, contacts, disclaimer_versions) -> Callable[..., Release]:
    """A draft release written by ``by`` (default: a command), with the seed's parts."""

    def make(by=SYSTEM, categories=(), **fields) -> Release:
        n = next(_numbers)
        values = {
            "headline": f"Company announces result number {n}",
            "slug": f"result-{n}",
            "dateline_city": "CAMBRIDGE, MA",
            "published_at": at(2003, 1, 24, 8, 0, 0),
            "body": f"<p>First paragraph of release {n}.</p><p>Second paragraph.</p>",
        } | fields
        release = Release(**values)

        def write_related() -> None:
            for position, contact in enumerate(contacts):
                release.releasecontact_set.create(contact=contact, position=position)
            for position, version in enumerate(disclaimer_versions):
                release.releasedisclaimer_set.create(version=version, position=position)
            release.categories.set(categories)

        actions.save_release(release, by, write_related=write_related)
        return release

    return make


@pytest.fixture
def worker(monkeypatch) -> Callable[[], None]:
    """Runs the background worker once (`manage.py run_worker --once`) inside the test's
    transaction: the worker's recycling of stale connections would otherwise drop it."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    monkeypatch.setattr(
        "irsite.alerts.management.commands.run_worker.close_old_connections", lambda: None
    )
    monkeypatch.setattr("irsite.worker.close_old_connections", lambda: None)
    return lambda: call_command("run_worker", "--once")


@pytest.fixture
def publish(db) -> Callable[..., Release]:
    """Take a draft through review and approval to published at ``when``.

    A go-live time may not be in the past when it is chosen (no backdating), so for a past
    ``when`` the workflow runs the second before it, as it would have then.
    """

    def go(release: Release, when: datetime | None = None) -> Release:
        when = when or release.published_at
        moment = min(timezone.now(), when - timedelta(seconds=1))
        if release.published_at and release.published_at <= moment:
            # Submitted earlier, while its publication time was still ahead (a submit refuses
            # a past one), then published at ``when``.
            earlier = release.published_at - timedelta(seconds=1)
            with time_machine.travel(earlier, tick=False):
                actions.submit(release, SYSTEM)
        with time_machine.travel(moment, tick=False):
            if release.status == Release.Status.DRAFT:
                actions.submit(release, SYSTEM)
            actions.approve(release, SYSTEM)
            actions.publish(release, SYSTEM, at=when)
        release.refresh_from_db()
        return release

    return go


@pytest.fixture
def scheduled(make_release, publish, category):
    """A release already public, and one with a PDF and a photo scheduled for GO_LIVE (the
    file tests'; tests/test_leaks.py and tests/test_pdf.py define a `scheduled` of their own)."""
    publish(make_release(categories=[category], published_at=at(2026, 11, 2, 8, 0, 0)))
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        release = make_release(
            headline="Quarterly results beat every estimate",
            slug="quarterly-results-beat-estimates",
            categories=[category],
            published_at=GO_LIVE,
        )
        attach(
            release,
            SYSTEM,
            ("Q3 financial statements", "q3-statements.pdf", PDF),
            ("Plant photo", "plant.jpg", photo(), True),
        )
        return publish(release)


# --- events (issue 25) -------------------------------------------------------------------------


@pytest.fixture
def make_event(db, company):
    """A draft event written by ``by`` (default: a command), through `events.actions`."""
    from events import actions as event_actions
    from events.models import Event

    def make(by=SYSTEM, releases=(), **fields) -> Event:
        n = next(_numbers)
        starts = fields.pop("starts_at", at(2027, 1, 28, 17, 0, 0))
        values = {
            "title": f"Q4 2026 earnings call {n}",
            "slug": f"q4-earnings-call-{n}",
            "kind": Event.Kind.EARNINGS_CALL,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "zone": "America/New_York",
            "announce_at": at(2026, 12, 1, 8, 0, 0),
        } | fields
        event = Event(**values)
        event_actions.save_event(
            event, by, write_related=(lambda: event.releases.set(releases)) if releases else None
        )
        return event

    return make


@pytest.fixture
def announce(db):
    """Take a draft event through review and approval to announced at ``when`` (default its
    announce time), the workflow run the second before a past ``when``, as it would have been."""
    from events import actions as event_actions

    def go(event, when: datetime | None = None):
        when = when or event.announce_at
        with time_machine.travel(min(timezone.now(), when - timedelta(seconds=1)), tick=False):
            event_actions.submit(event, SYSTEM)
            event_actions.approve(event, SYSTEM, at=when)
        event.refresh_from_db()
        return event

    return go


# --- reports (issue 26) ------------------------------------------------------------------------


@pytest.fixture
def make_report(db, company):
    """A draft report written by ``by`` (default: a command), its PDF and (``cover=True``) a
    cover photo checked as uploads are, through `reports.actions`."""
    from irsite.uploads import check_upload
    from reports import actions as report_actions
    from reports.models import Report

    from .files import upload

    def make(by=SYSTEM, cover: bool = True, pdf: bytes = PDF, **fields) -> Report:
        n = next(_numbers)
        values = {
            "title": f"Annual report {n}",
            "kind": Report.Kind.ANNUAL_REPORT,
            "fiscal_year": 2026,
            "published_at": at(2026, 12, 1, 8, 0, 0),
        } | fields
        report = Report(**values)
        report.take(check_upload(upload("annual-report.pdf", pdf)))
        if cover:
            report.take_cover(check_upload(upload("cover.jpg", photo())))
        report_actions.save_report(report, by)
        return report

    return make


@pytest.fixture
def publish_report(db):
    """Take a draft report through review and approval to public at ``when`` (default its
    publication time), the workflow run the second before a past ``when``."""
    from reports import actions as report_actions

    def go(report, when: datetime | None = None):
        when = when or report.published_at
        with time_machine.travel(min(timezone.now(), when - timedelta(seconds=1)), tick=False):
            report_actions.submit(report, SYSTEM)
            report_actions.approve(report, SYSTEM, at=when)
        report.refresh_from_db()
        return report

    return go


# --- the browser tests' browser, one per session for every module that drives it -------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def roles() -> None:
    """The browser tests' (tests/test_browser.py, tests/test_desk_browser.py): the Editors and
    Approvers groups as migration 0002 makes them: the flush that ends each
    transactional test removes them (pytest-django's serialized rollback did not bring them
    back here once other tests had run first)."""
    groups = importlib.import_module("releases.migrations.0002_groups")
    for name, codenames in [("Editors", groups.EDITORS), ("Approvers", groups.APPROVERS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(codename__in=codenames))


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django would otherwise take the
    # test's own ORM calls for calls from async code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    from playwright.sync_api import sync_playwright  # only where a browser test runs

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A browser context of the session's browser, for one test (every browser module)."""
    context = browser.new_context(bypass_csp=True)  # for axe, injected into the page
    context.set_default_timeout(10_000)
    yield context
    context.close()


# --- shared by several modules: the page cache off and on, an edited record template --------------


@pytest.fixture(params=[False, True], ids=["cache-off", "cache-on"])
def page_cache(request, settings) -> bool:
    settings.IRSITE_PAGE_CACHE = request.param
    return request.param


CONTENT_TEMPLATE = "releases/record/content.html"


@pytest.fixture
def changed_template(settings, tmp_path) -> Path:
    """The record's content template edited (a deployment with a new template)."""
    source = Path(django_settings.BASE_DIR) / "templates" / CONTENT_TEMPLATE
    target = tmp_path / "templates" / CONTENT_TEMPLATE
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    target.write_text(
        target.read_text().replace(
            '<div class="release-body">',
            '<p class="new-template">New</p><div class="release-body">',
        )
    )
    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0]["DIRS"] = [tmp_path / "templates", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return target
