"""A full Redis: a real redis-server started by the test with a tiny memory limit and Redis's
default policy, ``noeviction``, filled until it refuses writes ("OOM command not allowed").

It still answers reads, so the pages it holds must still be served from it; only what is not
cached is rendered from the database (and not stored), nothing answers 500, and /healthz says
the cache is out of memory and which setting fixes it.
"""

import logging
import shutil
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
import redis
import time_machine
from django.test import Client

from irsite.http.redis import TolerantRedisCache

from .conftest import redis_cache
from .servers import free_ports
from .shared import NOW, PUBLIC_URLS

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def full_redis(tmp_path):
    """A redis-server on a free port, ``--maxmemory 2mb --maxmemory-policy noeviction`` (an
    empty Redis takes 0.9 MB itself: 1 MB left no room to cache the pages first); yields its URL
    and a function that fills it until it refuses a write."""
    port = free_ports(1, "IRSITE_TEST_OWN_REDIS_PORT")[0]
    process = subprocess.Popen(  # noqa: S603
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
         "--save", "", "--appendonly", "no", "--maxmemory", "2mb",
         "--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

        def fill() -> None:
            for n in range(10_000):
                try:
                    client.set(f"filler:{n}", b"x" * 4096)
                except redis.exceptions.OutOfMemoryError:
                    return
            raise AssertionError("Redis never filled up")

        yield f"redis://127.0.0.1:{port}/0", fill
    finally:
        client.close()
        process.terminate()
        process.wait(10)


@pytest.fixture
def live(make_release, publish, category):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        return publish(
            make_release(
                headline="First quarter results",
                slug="first-quarter-results",
                categories=[category],
                published_at=NOW - timedelta(hours=20),
            )
        )


def test_a_full_redis_keeps_serving_what_it_holds_and_healthz_says_it_is_out_of_memory(
    live, settings, full_redis, caplog, django_assert_num_queries
):
    url, fill = full_redis
    settings.CACHES = {"default": redis_cache(url, f"irsite-full-{uuid.uuid4().hex}")}
    # The count of changes is re-read once a second (one query, whatever Redis holds); the PDF's
    # render takes about that long, so keep the re-read out of the count of queries below.
    settings.IRSITE_GENERATION_CHECK_SECONDS = 60
    client = Client()
    cached = ["/", "/news/", "/news/feed/rss/", "/contacts/"]
    # The PDF too: its render on demand takes a lock in Redis, which a full Redis never stores
    # (no one else holds it: it must render, not answer "being rendered" for ever).
    not_cached = [u for u in PUBLIC_URLS if u not in cached]
    not_cached += [live.get_absolute_url(), live.get_pdf_url()]
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="irsite.http.redis"),
        time_machine.travel(NOW, tick=False),
    ):
        first = {u: client.get(u) for u in cached}
        assert all(r.status_code == 200 for r in first.values())
        fill()
        # A page Redis cannot take now: rendered, answered, its copy dropped.
        statuses = {u: client.get(u).status_code for u in not_cached}
        assert statuses == dict.fromkeys(not_cached, 200), statuses
        # What Redis holds is still served from it, right after the refused writes.
        for u in cached:
            with django_assert_num_queries(0):
                again = client.get(u)
            assert again.status_code == 200 and again.content == first[u].content, u
        # Not cached, and still not cacheable: rendered every time, never a 500.
        assert [client.get(u).status_code for u in not_cached] == [200] * len(not_cached)
        health = client.get("/healthz")
    warnings = [r.getMessage() for r in caplog.records if r.name == "irsite.http.redis"]
    assert warnings and all("out of memory" in w for w in warnings), warnings
    # Dozens of refused writes, one warning per window (the PDF's render may outlast one).
    windows = 1 + (time.monotonic() - started) // TolerantRedisCache.retry_after
    assert len(warnings) <= windows, warnings
    body = health.json()
    # Degraded, not down: every server serves as well as any other, an operator must act.
    assert health.status_code == 200 and body["status"] == "degraded", body
    assert body["cache"].startswith("out of memory") and "maxmemory-policy" in body["cache"]
    assert "noeviction" in body["cache"] and "allkeys-lru" in body["cache"], body
