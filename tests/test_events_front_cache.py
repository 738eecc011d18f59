"""An event through the front cache (real varnishd, gunicorn and worker: `test_front_cache`'s
`Front`): announced at its second, its webcast at its materials second, its replay link gone at
the replay's end, each purged by the worker at that second, never shown before it.

Judged by order, as the releases' test is: no answer that arrived before a second shows what
that second brings; every surface shows it within LATE_BOUND after (Varnish's own TTL is 300 s,
so only a purge can meet it). The measured lateness is printed (pytest -s or -rP).
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from .test_front_cache import LATE_BOUND, Poller, cached_before, front, poll_until_shown

pytestmark = [pytest.mark.varnish, pytest.mark.server, pytest.mark.django_db(transaction=True)]

__all__ = ["front"]  # the fixture, used by name

WEBCAST = "https://webcast.example.com/q4-live"
REPLAY = "https://replay.example.com/q4-replay"


def test_an_event_reaches_readers_through_varnish_at_its_announce_materials_and_replay_seconds(
    front, make_event, announce
):
    base = (timezone.now() + timedelta(seconds=6)).replace(microsecond=0)
    announce_at, materials_at, replay_end = (base + timedelta(seconds=s) for s in (0, 5, 10))
    event = announce(
        make_event(
            title="Purged at the bell",
            starts_at=base + timedelta(seconds=1),
            ends_at=base + timedelta(seconds=3),
            announce_at=announce_at,
            materials_at=materials_at,
            webcast_url=WEBCAST,
            replay_url=REPLAY,
            replay_until=replay_end,
        )
    )
    page = event.get_absolute_url()
    paths = [page, "/events/"]
    seconds = {
        "announce": (announce_at.timestamp(), paths, lambda s, b: "Purged at the bell" in b),
        "materials": (materials_at.timestamp(), [page], lambda s, b: WEBCAST in b),
        "replay end": (replay_end.timestamp(), [page], lambda s, b: s == 200 and REPLAY not in b),
    }
    with Poller(front, paths) as poller:
        for at, watched, shows in seconds.values():
            poll_until_shown(poller, watched, shows, at)
        time.sleep(0.5)
    figures = {}
    for name, (at, watched, shows) in seconds.items():
        for row in poller.seen:
            if row.path in watched and row.received < at and name != "replay end":
                assert not shows(row.status, row.body), (
                    f"{row.path} showed the {name} {at - row.received:.2f} s early"
                )
        for path in watched:
            # Varnish kept the page before the second: what changed it was a purge. (Before
            # the announcement the event's own URL is a 404, which is not kept.)
            if not (name == "announce" and path == page):
                assert cached_before(poller, path, at), f"Varnish never kept {path} before {name}"
            shown = poller.first(path, shows)
            assert shown is not None, f"{path}: the {name} never showed through Varnish"
            assert shown - at <= LATE_BOUND, f"{path} showed the {name} {shown - at:.2f} s late"
            figures[f"{name} {path}"] = round(shown - at, 2)
    # The replay link: shown from the materials second, gone from its end on.
    replay_rows = [r for r in poller.seen if r.path == page and REPLAY in r.body]
    assert replay_rows, "the replay link was never shown"
    assert all(materials_at.timestamp() <= r.received for r in replay_rows)
    print("event seconds through Varnish, s late:", figures)
    print("slowest request:", round(poller.slowest(), 2), "s")
