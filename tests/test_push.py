"""The page-cache generation pushed to each process by Redis pub/sub (releases/push.py): a
cached hit asks Redis nothing, a change made by another process reaches this one's copies
within a bound, and when the subscription is lost the process reads the shared generation
again instead of trusting what it was last told. Real Redis, real processes, no mocks."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from wsgiref.util import setup_testing_defaults

import pytest
import redis
from django.core.cache import caches

from releases.cache import GENERATION_KEY
from releases.models import Release
from releases.push import TRUST_SECONDS, pushed_generation

from .conftest import at, redis_cache
from .servers import REDIS_URL, REPO, free_ports
from .shared import get

NOW = at(2026, 3, 2, 12, 0, 0)
# A change announced through Redis reaches every process's copies within this long.
PUSH_BOUND_SECONDS = 1.0


@pytest.fixture
def prefix(settings) -> str:
    prefix = f"irsite-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": redis_cache(REDIS_URL, prefix)}
    settings.IRSITE_GENERATION_PUSH = True
    return prefix


@pytest.fixture
def live(make_release, publish, category) -> Release:
    release = publish(
        make_release(
            headline="First quarter results",
            slug="first-quarter-results",
            categories=[category],
            published_at=NOW - timedelta(hours=20),
        )
    )
    return release


def wait_for_push() -> None:
    """Until this process's subscription is confirmed (a fresh process needs a moment)."""
    deadline = time.monotonic() + 5
    while pushed_generation(caches["default"], GENERATION_KEY) is None:
        assert time.monotonic() < deadline, "the push never confirmed its subscription"
        time.sleep(0.05)


def another_process_replaces_the_generation(prefix: str) -> None:
    """What a publish/correct/withdraw on another server does to the shared cache."""
    script = (
        "import django; from django.conf import settings; django.setup(); "
        f"settings.CACHES = {{'default': {redis_cache(REDIS_URL, prefix)!r}}}; "
        "from releases.cache import invalidate_public_pages; invalidate_public_pages()"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "irsite.settings", "LOG_LEVEL": "CRITICAL"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


def headline_changes_in_the_database(release: Release) -> None:
    """The bytes behind the cached copies change with nothing said in this process."""
    Release.objects.filter(pk=release.pk).update(headline="Restated first quarter results")


def seconds_until_seen(client, url: str, text: str, limit: float = 10.0) -> float:
    started = time.monotonic()
    while text not in get(client, url).content.decode():
        assert time.monotonic() - started < limit, f"{text!r} not on {url} after {limit} s"
        time.sleep(0.02)
    return time.monotonic() - started


class Monitor:
    """Every command Redis receives that names a key of this test (MONITOR, server-wide)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.commands: list[str] = []
        self.client = redis.Redis.from_url(REDIS_URL)
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with self.client.monitor() as monitor:
            self.ready.set()
            for command in monitor.listen():
                text = command["command"]
                if f"{self.prefix}-end" in text:
                    return
                if self.prefix in text:
                    self.commands.append(text)

    def __enter__(self) -> "Monitor":
        self.thread.start()
        self.ready.wait(5)
        time.sleep(0.1)
        return self

    def __exit__(self, *exc) -> None:
        redis.Redis.from_url(REDIS_URL).get(f"{self.prefix}-end")
        self.thread.join(5)


@pytest.mark.django_db(transaction=True)
def test_a_cached_hit_asks_redis_nothing_while_the_push_is_confirmed(client, live, prefix):
    url = live.get_absolute_url()
    get(client, url)
    wait_for_push()
    get(client, url)
    with Monitor(prefix) as monitor:
        for _ in range(20):
            assert get(client, url).status_code == 200
    assert monitor.commands == []


@pytest.mark.django_db(transaction=True)
def test_a_cached_hit_reads_the_shared_generation_when_the_push_is_off(
    client, live, prefix, settings
):
    """The fallback path, as when the subscription is down: one read per request."""
    settings.IRSITE_GENERATION_PUSH = False
    url = live.get_absolute_url()
    get(client, url)
    with Monitor(prefix) as monitor:
        for _ in range(5):
            assert get(client, url).status_code == 200
    assert sum("public:generation" in command for command in monitor.commands) == 5


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_change_made_by_another_process_reaches_this_processs_copies_within_a_second(
    client, live, prefix
):
    url = live.get_absolute_url()
    for page in (url, "/news/"):
        get(client, page)
    wait_for_push()
    headline_changes_in_the_database(live)
    # Nothing told this process yet: its copies stand (this is what the push has to end).
    assert "Restated" not in get(client, "/news/").content.decode()
    another_process_replaces_the_generation(prefix)
    assert seconds_until_seen(client, "/news/", "Restated") < PUSH_BOUND_SECONDS
    assert "Restated" in get(client, url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_change_made_while_the_push_connection_was_killed_is_still_seen(client, live, prefix):
    """CLIENT KILL the subscription, then replace the generation with no message at all (as a
    publish sent while this process was not subscribed): the process falls back to the shared
    generation, or reads it again on resubscribing; either way the change shows."""
    get(client, "/news/")
    wait_for_push()
    headline_changes_in_the_database(live)
    admin = redis.Redis.from_url(REDIS_URL)
    name = f"irsite-push-{os.getpid()}"
    killed = [c["id"] for c in admin.client_list() if c.get("name") == name]
    assert killed, "no push connection of this process found"
    for client_id in killed:
        admin.client_kill_filter(_id=client_id)
    caches["default"].set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    assert seconds_until_seen(client, "/news/", "Restated") < PUSH_BOUND_SECONDS
    # And the push comes back: a confirmed subscription again, serving without round trips.
    wait_for_push()


def wsgi_get(path: str) -> tuple[str, dict[str, str], bytes]:
    """A GET through the WSGI application the app servers run (irsite/wsgi.py)."""
    from irsite.wsgi import application

    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    sent: list = []
    body = b"".join(
        application(environ, lambda status, headers, exc=None: sent.extend([status, headers]))
    )
    return sent[0], dict(sent[1]), body


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_the_wsgi_door_answers_repeats_as_django_does_and_retires_them_on_a_push(live, prefix):
    """Repeats are answered before Django runs, with the same status, headers and bytes, and a
    change announced by another process retires them within the bound."""
    url = live.get_absolute_url()
    first = wsgi_get(url)
    wait_for_push()
    second = wsgi_get(url)
    with Monitor(prefix) as monitor:
        repeats = [wsgi_get(url) for _ in range(10)]
    assert first[0] == "200 OK" and first[2].count(b"First quarter results") >= 1
    assert all(repeat == second for repeat in repeats)
    assert second[1] == first[1] and second[2] == first[2]
    assert monitor.commands == []
    headline_changes_in_the_database(live)
    another_process_replaces_the_generation(prefix)
    started = time.monotonic()
    while b"Restated" not in wsgi_get(url)[2]:
        assert time.monotonic() - started < PUSH_BOUND_SECONDS, "the WSGI door kept its copy"
        time.sleep(0.02)


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, which it may freeze (SIGSTOP) like a cut link."""
    port = free_ports(1, "IRSITE_TEST_OWN_REDIS_PORT")[0]
    server = subprocess.Popen(  # noqa: S603 - the system's redis-server, fixed arguments
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield server, f"redis://127.0.0.1:{port}/0"
    server.send_signal(signal.SIGCONT)
    server.terminate()
    server.wait(10)


def wait_until(condition, limit: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit, f"not within {limit} s"
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.mark.server
def test_a_process_stops_trusting_the_push_when_redis_stops_answering(own_redis, settings):
    """Redis frozen (a hung link: no error, no answer): within TRUST_SECONDS the pushed
    generation is no longer used, so each request reads the shared one (a miss while Redis
    does not answer); thawed, the push is confirmed again."""
    server, url = own_redis
    settings.CACHES = {"default": redis_cache(url, f"irsite-test-{uuid.uuid4().hex}")}
    cache = caches["default"]
    cache.set(GENERATION_KEY, "before", timeout=None)
    read = lambda: pushed_generation(cache, GENERATION_KEY)  # noqa: E731
    wait_until(lambda: read() == "before", 5)
    server.send_signal(signal.SIGSTOP)
    assert wait_until(lambda: read() is None, TRUST_SECONDS + 1) <= TRUST_SECONDS + 0.5
    server.send_signal(signal.SIGCONT)
    wait_until(lambda: read() == "before", 15)
