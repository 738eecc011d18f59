"""Read replicas (irsite/replicas.py) against a REAL streaming replica, started by these tests.

A primary of the tests' own (initdb in a temporary directory, its own port) and a replica made
from it with ``pg_basebackup -R -X stream`` (its own directory and port): the suite's cluster is
not touched, and needs no replication settings. Replication lag is made on demand with
``pg_wal_replay_pause()`` / ``pg_wal_replay_resume()`` on the replica.

Everything runs as in production, over HTTP: gunicorn with ``DATABASE_REPLICA_URLS``, the real
worker, a real varnishd with xkey (deploy/varnish/irsite.vcl); changes are made by the actions
in a ``manage.py shell`` on the primary, as an editor's would be. The primary and the replica
start once for the module (migrating takes a while); each test starts its own servers.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from .two_servers import Browser
from .varnish import VCL, Poller, fetch, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.replica]

REPO = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("IRSITE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_URL = os.environ.get("IRSITE_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
ADMIN_PASSWORD = "replica-tests-admin"  # a throwaway cluster's user
# Varnish must stop serving a withdrawn release this soon after the replica catches up
# (issue 24): the worker's follow-up purge looks every 0.25 s, then one render.
AFTER_CATCH_UP = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*command: str) -> list[str]:
    """PostgreSQL's programs refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


class Cluster:
    """A primary and its streaming replica, each in a directory and on a port of its own."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="irsite-replica-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.primary_port, self.replica_port = free_port(), free_port()
        self.started: list[Path] = []

    def pg(self, program: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            as_postgres(str(PG_BIN / program), *args),
            cwd=self.dir,
            check=True,
            capture_output=True,
            text=True,
            **kwargs,
        )

    def start_server(self, data: Path, port: int) -> None:
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
            " -c fsync=off -c full_page_writes=off"
        )
        self.pg("pg_ctl", "-D", str(data), "-l", f"{data}.log", "-w", "-o", options, "start")
        self.started.append(data)

    def start(self) -> None:
        primary, replica = self.dir / "primary", self.dir / "replica"
        # initdb's trust setup also lets 127.0.0.1 connect for replication.
        self.pg("initdb", "-D", str(primary), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start_server(primary, self.primary_port)
        self.pg(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream",
        )  # fmt: skip
        self.start_server(replica, self.replica_port)
        with psycopg.connect(self.url(self.primary_port, "postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE irsite")

    def stop_replica(self) -> None:
        self.pg("pg_ctl", "-D", str(self.dir / "replica"), "-m", "fast", "-w", "stop")

    def start_replica(self) -> None:
        self.start_server(self.dir / "replica", self.replica_port)
        self.started.pop()  # already listed

    def stop(self) -> None:
        for data in reversed(self.started):
            subprocess.run(
                as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
                capture_output=True,
            )
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def url(port: int, name: str = "irsite") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{name}"

    @property
    def primary(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica(self) -> str:
        return self.url(self.replica_port)

    def on_replica(self, sql: str, params: tuple = ()):
        with psycopg.connect(self.replica, autocommit=True) as conn:
            return conn.execute(sql, params).fetchone()

    def serving(self, since: float) -> bool:
        """Whether an app server's connection ran a query on the replica after ``since`` (epoch
        seconds): the replica's own account of who reads it."""
        (count,) = self.on_replica(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'irsite'"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            " AND state_change > to_timestamp(%s)",
            (since,),
        )
        return count > 0

    def pause(self) -> None:
        self.on_replica("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self.on_replica("SELECT pg_wal_replay_resume()")

    def caught_up(self, seconds: float = 10) -> None:
        """Wait until the replica has replayed everything the primary has written."""
        with psycopg.connect(self.primary, autocommit=True) as conn:
            (lsn,) = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        deadline = time.monotonic() + seconds
        while not self.on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,))[0]:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.02)

    def env(self) -> dict[str, str]:
        """The environment of every process of the site: the primary, and the cluster's
        replica for the public pages."""
        return os.environ | {
            "DEBUG": "True",
            "DATABASE_URL": self.primary,
            "LOG_LEVEL": "WARNING",
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
        }

    def manage(self, *args: str) -> str:
        env = self.env()
        env.pop("DATABASE_REPLICA_URLS", None)
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster()
    try:
        cluster.start()
        cluster.manage("migrate", "--noinput", "-v0")
        cluster.manage("load_demo", "--users")
        yield cluster
    finally:
        cluster.stop()


# A release published at once (or scheduled at GO_LIVE, epoch seconds), by the actions, on
# the primary; prints its URL.
NEW_RELEASE = """
from datetime import UTC, datetime, timedelta
from irsite.contacts.models import Contact
from irsite.disclaimers.models import DisclaimerVersion
from releases import actions
from releases.models import Category, Release
actor = actions.SystemActor("replica tests")
release = Release(headline=HEADLINE, slug=SLUG, dateline_city="CAMBRIDGE, MA",
                  published_at=datetime.now(UTC) + timedelta(hours=1),  # ahead to submit
                  body="<p>Revenue rose 42 percent.</p><p>More to follow.</p>")
def related():
    for i, c in enumerate(Contact.objects.all()):
        release.releasecontact_set.create(contact=c, position=i)
    for i, v in enumerate(DisclaimerVersion.objects.all()):
        release.releasedisclaimer_set.create(version=v, position=i)
    release.categories.set(Category.objects.all())
actions.save_release(release, actor, write_related=related)
actions.submit(release, actor)
actions.approve(release, actor)
if GO_LIVE:
    actions.publish(release, actor, at=datetime.fromtimestamp(GO_LIVE, UTC))
else:
    actions.publish(release, actor, now=True)
release.refresh_from_db()
print(release.get_absolute_url())
"""

WITHDRAW = """
from releases import actions
from releases.models import Release
actor = actions.SystemActor("replica tests")
actions.withdraw(Release.objects.get(slug=SLUG), actor, "Issued in error.")
"""


def new_release(cluster: Cluster, headline: str, go_live: float | None = None) -> tuple[str, str]:
    slug = f"replica-{uuid.uuid4().hex[:10]}"
    code = (
        NEW_RELEASE.replace("HEADLINE", repr(headline))
        .replace("SLUG", repr(slug))
        .replace("GO_LIVE", repr(go_live))
    )
    return slug, cluster.manage("shell", "-c", code).strip().splitlines()[-1]


def withdraw(cluster: Cluster, slug: str) -> None:
    cluster.manage("shell", "-c", WITHDRAW.replace("SLUG", repr(slug)))


class Site:
    """gunicorn on the primary and the replica, and optionally varnishd in front and the
    worker purging it; started for one test, stopped after it."""

    def __init__(self, cluster: Cluster, max_lag: float, varnish: bool) -> None:
        self.app_port, self.port = free_port(), free_port()
        prefix = f"irsite-test-{uuid.uuid4().hex}"
        self.env = cluster.env() | {
            "DATABASE_REPLICA_URLS": cluster.replica,
            "DATABASE_REPLICA_MAX_LAG": str(max_lag),
            "CACHE_URL": f"{REDIS_URL}?key_prefix={prefix}",
        }
        if varnish:
            self.env["IRSITE_EDGE_PURGE_URLS"] = f"http://127.0.0.1:{self.port}"
        self.varnish = varnish
        self.dir = Path(tempfile.mkdtemp(prefix="irsite-replica-site-"))
        self.dir.chmod(0o755)
        self.processes: list[subprocess.Popen] = []

    def spawn(self, command: list[str], **kwargs) -> None:
        self.processes.append(
            subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
            )
        )

    def start(self) -> "Site":
        bin_dir = Path(sys.executable).parent
        self.spawn(
            [str(bin_dir / "gunicorn"), "irsite.wsgi:application", "--bind",
             f"127.0.0.1:{self.app_port}", "--workers", "2"],
            cwd=REPO, env=self.env,
        )  # fmt: skip
        if self.varnish:
            vcl = self.dir / "irsite.vcl"
            vcl.write_text(
                VCL.read_text().replace('.port = "8000";', f'.port = "{self.app_port}";')
            )
            vcl.chmod(0o644)
            self.spawn(
                ["varnishd", "-F", "-n", str(self.dir / "n"), "-a", f"127.0.0.1:{self.port}",
                 "-f", str(vcl), "-s", "malloc,32m", "-T", "none"],
            )  # fmt: skip
            self.spawn(
                [sys.executable, "manage.py", "run_worker", "--interval", "0.1"],
                cwd=REPO, env=self.env,
            )  # fmt: skip
            wait_for(self.port)
        wait_for(self.app_port)
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        """Through Varnish."""
        return fetch(self.port, path)

    def app(self, path: str) -> tuple[int, str, dict[str, str]]:
        """From the app server itself, anonymously."""
        return fetch(self.app_port, path)


@pytest.fixture
def site(cluster):
    started: list[Site] = []

    def start(max_lag: float = 600.0, varnish: bool = False) -> Site:
        started.append(Site(cluster, max_lag, varnish).start())
        return started[-1]

    yield start
    for one in started:
        one.stop()


def until(condition, seconds: float) -> float | None:
    """Poll ``condition()`` every 20 ms for up to ``seconds``: when it first held (monotonic
    seconds), None if it never did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.02)
    return None


def test_anonymous_pages_read_the_replica_and_signed_in_pages_the_primary(cluster, site):
    """With replay paused across a withdrawal, an anonymous reader gets the replica's page (the
    release, still), a signed-in editor and the PDF the primary's (410); once replay resumes
    the anonymous page follows at once, although the page cache kept the replica's copy: it is
    keyed by the count of changes read in the replica's snapshot, apart from the primary's."""
    slug, page = new_release(cluster, "Replicated results")
    cluster.caught_up()
    app = site(max_lag=600)  # no lag guard here: the replica stays in use while paused
    assert app.app(page)[0] == 200
    editor = Browser(f"http://127.0.0.1:{app.app_port}")
    editor.sign_in("admin", ADMIN_PASSWORD)

    cluster.pause()
    try:
        withdraw(cluster, slug)
        status, body, _ = app.app(page)
        assert status == 200 and "Replicated results" in body, "anonymous read not on the replica"
        assert editor.open(page)[0] == 410, "a signed-in user's page was not read from the primary"
        # The PDF is rendered and stored on demand: it reads (and writes) the primary.
        assert app.app(page.rstrip("/") + ".pdf")[0] == 410, "the PDF was read from the replica"
        assert "Replicated results" in app.app("/news/")[1]
    finally:
        resumed = time.monotonic()
        cluster.resume()
    gone = until(lambda: app.app(page)[0] == 410, 5)
    print("anonymous page 410 after replay resumed:", gone and round(gone - resumed, 3), "s")
    assert gone is not None and gone - resumed < AFTER_CATCH_UP
    assert "Replicated results" not in app.app("/news/")[1]


def test_a_replica_behind_the_lag_bound_serves_no_public_reads(cluster, site):
    """DATABASE_REPLICA_MAX_LAG=1: with replay paused, a withdrawal shows on the public page
    (read from the primary instead) within the bound and a check, not when the replica
    resumes."""
    slug, page = new_release(cluster, "Lag-guarded results")
    cluster.caught_up()
    app = site(max_lag=1.0)
    before = time.time()
    assert app.app(page)[0] == 200
    assert cluster.serving(before), "the public page was not read from the replica in bound"
    cluster.pause()
    try:
        withdraw(cluster, slug)
        done = time.monotonic()
        # The lag is the primary's time minus the replica's last replayed commit (the release's
        # publication, seconds ago): out of bound at each process's next check (<= 1 s).
        gone = until(lambda: app.app(page)[0] == 410, 5)
        print("withdrawn page 410 from the primary after:", gone and round(gone - done, 3), "s")
        assert gone is not None, "a replica behind the bound kept serving the withdrawn release"
        # Each process checks on its own: once every one has checked since the withdrawal
        # (1 s, and the time a request takes here), none reads the replica.
        time.sleep(max(0.0, done + 1.5 - time.monotonic()))
        for _ in range(10):
            assert app.app(page)[0] == 410, "a process kept reading the replica behind the bound"
            assert "Lag-guarded results" not in app.app("/news/")[1]
    finally:
        cluster.resume()
    # Caught up, the replica is in bound again at the next check and serves public reads.
    cluster.caught_up()
    time.sleep(1.2)
    back = time.time()
    assert until(lambda: app.app("/news/?page=1")[0] == 200 and cluster.serving(back), 3), (
        "the replica, caught up, was not used again"
    )


@pytest.mark.varnish
def test_a_withdrawal_leaves_varnish_within_a_second_of_the_replica_catching_up(cluster, site):
    """The issue's run: Varnish in front, the replica paused across a withdrawal and kept in use
    (no lag guard), so Varnish refetches the old page from it after the first purges; the
    worker's purge after replay removes it once the replica has replayed the withdrawal."""
    slug, page = new_release(cluster, "Results, then withdrawn")
    cluster.caught_up()
    front = site(max_lag=600, varnish=True)
    paths = [page, "/news/", "/"]
    with Poller(front, paths) as poller:
        time.sleep(1)  # every URL cached by Varnish
        cluster.pause()
        try:
            withdraw(cluster, slug)
            # Both purges of the withdrawal (at once and 3 s later) have waited their bound
            # and run: Varnish holds what the replica gives, the withdrawn release.
            time.sleep(7)
            assert front.app(page)[0] == 200, "the public page was not read from the replica"
        finally:
            resumed = time.time()
            cluster.resume()
        time.sleep(3)
    stale = [r for r in poller.seen if r.path == page and r.received > resumed - 2]
    assert any(r.status == 200 for r in stale), "Varnish was not serving the replica's page"
    gone = {page: poller.first(page, lambda s, b: s == 410)} | {
        path: poller.first(path, lambda s, b: s == 200 and "then withdrawn" not in b)
        for path in paths[1:]
    }
    late = {path: at and round(at - resumed, 3) for path, at in gone.items()}
    print("withdrawal through Varnish after the replica caught up:", late)
    for path, at in gone.items():
        assert at is not None, f"{path} kept the withdrawn release through Varnish"
        assert at - resumed <= AFTER_CATCH_UP, f"{path}: {at - resumed:.2f} s after catch-up"


@pytest.mark.varnish
def test_a_go_live_with_replay_paused_is_never_early_and_follows_the_replica(cluster, site):
    """Replay paused before the release is scheduled: nothing of it through any server before
    its second (the replica does not have it; the primary's clock decides), and through Varnish
    within a second of the replica catching up."""
    front = site(max_lag=600, varnish=True)
    cluster.caught_up()
    cluster.pause()
    try:
        go_live = float(int(time.time()) + 12)
        _, page = new_release(cluster, "Results at the bell, replicated", go_live=go_live)
        paths = [page, "/news/", "/news/feed/rss/", "/"]
        with Poller(front, paths) as poller:
            while time.time() < go_live + 3:
                time.sleep(0.1)
            # The app servers read the replica, which has not replayed the scheduling: the
            # page is late (this test keeps the replica in use; the lag guard would not).
            assert front.app(page)[0] == 404, "the public page was not read from the replica"
            resumed = time.time()
            cluster.resume()
            time.sleep(3)
    finally:
        cluster.resume()
    for row in poller.seen:
        if row.received < go_live:
            assert "replicated" not in row.body, f"{row.path} {go_live - row.received:.2f} s early"
    shown = {p: poller.first(p, lambda s, b: "Results at the bell, replicated" in b) for p in paths}
    print("go-live through Varnish after the replica caught up:", {
        p: t and round(t - resumed, 3) for p, t in shown.items()
    })  # fmt: skip
    for path, at in shown.items():
        assert at is not None, f"{path} never showed the release"
        assert at - resumed <= AFTER_CATCH_UP, f"{path}: {at - resumed:.2f} s after catch-up"


@pytest.mark.varnish
def test_a_stopped_replica_serves_nothing_and_holds_no_purge_past_the_bound(cluster, site):
    """The replica's server stopped under a running site: public pages keep answering (from the
    primary, not 5xx), and a withdrawal's purge waits for the stopped replica no longer than
    DATABASE_REPLICA_PURGE_WAIT (2 s): the worker is not held by it. Started again, the replica
    serves again."""
    slug, page = new_release(cluster, "Results while a replica is down")
    cluster.caught_up()
    front = site(max_lag=1.0, varnish=True)
    paths = [page, "/news/", "/"]
    with Poller(front, paths) as poller:
        time.sleep(1)  # every URL cached by Varnish, and read from the replica
        cluster.stop_replica()
        stopped = time.time()
        try:
            answers = [front.app(path)[0] for _ in range(10) for path in paths]
            assert set(answers) == {200}, f"with the replica stopped: {sorted(set(answers))}"
            withdraw(cluster, slug)
            done = time.time()
            time.sleep(2 + 3 + 1.5)  # the bound, the worker's poll and a render, on a busy CI
        finally:
            cluster.start_replica()
    errors = [r for r in poller.seen if r.received > stopped and r.status >= 500]
    assert not errors, f"{len(errors)} answers of 5xx while the replica was down"
    at = poller.first(page, lambda s, b: s == 410)
    print("withdrawal through Varnish with the replica stopped:", at and round(at - done, 2), "s")
    assert at is not None, "the purge was held by the stopped replica"
    assert at - done <= 2 + 3.0
    cluster.caught_up(30)
    back = time.time()
    # A replica that did not answer is tried again 10 s later (irsite.replicas).
    assert until(lambda: front.app("/news/?page=1")[0] == 200 and cluster.serving(back), 12), (
        "the replica, started again, was not used again"
    )
