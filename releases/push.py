"""Each process's own copy of the page-cache generation, kept current by a push from Redis.

Without it every cached hit reads the generation from Redis: one network round trip per
request, the largest part of a cached page's cost. Here one listener thread per process
subscribes to a channel that every replacement of the generation publishes to
(`releases.cache.invalidate_public_pages`), reads the generation once when the subscription is
confirmed and again after every message, and pings Redis twice a second.

Correctness never rests on the push. `pushed_generation` answers only while the subscription is
confirmed and Redis answered a ping in the last ``TRUST_SECONDS``; otherwise (not yet
subscribed, connection killed, Redis down or hung) it answers None and the caller reads the
shared generation per request, as without the push. A replacement published while this process
was not subscribed is read when it subscribes again. A replacement that never reached Redis is
covered, as before, by the count of changes in the database (`releases.cache`), which the push
does not replace. A process that replaces the generation itself forgets its copy at once, so its
own next request reads the new one.
"""

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("irsite.cache")

PING_SECONDS = 0.5
# A copy is trusted only if Redis answered within this long (a hung link stops being trusted).
TRUST_SECONDS = 1.5
# Silence this long on the subscription: reconnect.
RECONNECT_AFTER_SECONDS = 3.0
RETRY_SECONDS = 0.5


class GenerationWatcher:
    """The listener thread of one process for one cache's generation channel."""

    def __init__(self, cache: Any, key: str, channel: str) -> None:
        self.cache = cache
        self.key = key
        self.channel = channel
        self.lock = threading.Lock()
        # (generation, monotonic time Redis last answered); one tuple, replaced whole.
        self.state: tuple[str | None, float] = (None, 0.0)
        # Bumped by `forget`: a read begun before it may not be stored after it.
        self.epoch = 0
        self.connected_at: float | None = None
        self.thread = threading.Thread(target=self._run, name="irsite-generation-push", daemon=True)
        self.thread.start()

    def generation(self) -> str | None:
        generation, heard = self.state
        if generation is not None and time.monotonic() - heard < TRUST_SECONDS:
            return generation
        return None

    def forget(self) -> None:
        """This process replaced the generation: read it per request until the push says so."""
        with self.lock:
            self.epoch += 1
            self.state = (None, 0.0)

    def _refresh(self) -> None:
        with self.lock:
            epoch = self.epoch
        generation = self.cache.get(self.key)
        with self.lock:
            if epoch == self.epoch:
                self.state = (generation, time.monotonic()) if generation else (None, 0.0)

    def _heard(self) -> None:
        with self.lock:
            generation, _ = self.state
            if generation is not None:
                self.state = (generation, time.monotonic())
        if generation is None:
            # Not known (just forgotten, or the key was missing): read it again.
            self._refresh()

    def _run(self) -> None:
        while True:
            try:
                self._listen()
            except Exception as error:
                # Once per outage: the retries every RETRY_SECONDS are not news.
                log = logger.warning if self.connected_at is not None else logger.debug
                log(
                    "Generation push interrupted (%s: %s); reading the generation per request "
                    "until it is back.",
                    type(error).__name__,
                    error,
                )
            with self.lock:
                self.epoch += 1
                self.state = (None, 0.0)
            self.connected_at = None
            time.sleep(RETRY_SECONDS)

    def _listen(self) -> None:
        client = self.cache.subscriber()
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            confirmed = False
            answered = pinged = time.monotonic()
            while True:
                message = pubsub.get_message(timeout=PING_SECONDS)
                now = time.monotonic()
                kind = message and message["type"]
                if kind == "subscribe":
                    confirmed = True
                    self.connected_at = now
                    answered = now
                    self._refresh()
                elif kind == "message":
                    answered = now
                    self._refresh()
                elif kind == "pong":
                    answered = now
                    if confirmed:
                        self._heard()
                if now - answered > RECONNECT_AFTER_SECONDS:
                    raise TimeoutError("no answer from Redis on the subscription")
                if now - pinged >= PING_SECONDS:
                    pubsub.ping()
                    pinged = now
        finally:
            pubsub.close()
            client.close()


_watchers: dict[tuple[str, str], GenerationWatcher] = {}
_by_cache: "weakref.WeakKeyDictionary[Any, GenerationWatcher | None]" = weakref.WeakKeyDictionary()
_pid = os.getpid()
_lock = threading.Lock()


def watcher(cache: Any, key: str) -> GenerationWatcher | None:
    """This process's watcher of ``key`` in ``cache``; None for a cache that cannot push."""
    global _pid
    found = _by_cache.get(cache, False)
    if found is not False and _pid == os.getpid():
        return found
    with _lock:
        if _pid != os.getpid():
            # A forked child has none of its parent's threads.
            _watchers.clear()
            _by_cache.clear()
            _pid = os.getpid()
        channel_for: Callable[[str], str] | None = getattr(cache, "push_channel", None)
        if channel_for is None:
            _by_cache[cache] = None
            return None
        channel = channel_for(key)
        found = _watchers.get((channel, key))
        if found is None:
            found = _watchers[(channel, key)] = GenerationWatcher(cache, key, channel)
        _by_cache[cache] = found
        return found


def pushed_generation(cache: Any, key: str) -> str | None:
    """The generation as last pushed, or None: then read the shared one."""
    found = watcher(cache, key)
    return found.generation() if found else None


def announce(cache: Any, key: str) -> None:
    """After replacing the generation in ``cache``: every process reads it again. A process
    that only announces (the worker, a management command) starts no listener of its own."""
    channel_for: Callable[[str], str] | None = getattr(cache, "push_channel", None)
    if channel_for is None:
        return
    channel = channel_for(key)
    with _lock:
        found = _watchers.get((channel, key)) if _pid == os.getpid() else None
    if found is not None:
        found.forget()
    cache.publish(channel, "changed")
