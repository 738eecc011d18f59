"""The worker is kept running by what the project ships to run it: the documented systemd
service and `make front-cache` both start it again whenever it exits (a crash, the OOM killer,
a database it could not reach at start), and give its SIGTERM stop the time it may take.

What the worker does on SIGTERM, on a lost connection and when killed is tested on real
processes in tests/test_worker_lifecycle.py; this checks the supervision around it.
"""

import configparser
import re
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parent.parent


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys keep case
    unit.read(REPO / "deploy/systemd/irsite-worker.service")
    return unit


def test_the_documented_service_restarts_the_worker_whatever_ended_it():
    unit = _unit()
    assert unit["Service"]["ExecStart"].endswith("manage.py run_worker")
    assert unit["Service"]["Restart"] == "always"
    # No start limit: five failed starts in ten seconds (a database still down) would
    # otherwise leave it stopped for good.
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"


def test_the_service_gives_the_worker_its_stop_bound_before_killing_it():
    unit = _unit()
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    # SIGTERM to the worker alone (its renderer goes with it), SIGKILL to all after the bound.
    assert unit["Service"]["KillMode"] == "mixed"
    assert float(unit["Service"]["TimeoutStopSec"]) > settings.IRSITE_WORKER_STOP_SECONDS


def test_make_front_cache_starts_the_worker_again_whenever_it_exits():
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile.split("\nfront-cache:", 1)[1].split("\n\n", 1)[0]
    loop = re.search(r"while :; do(.*?)done", recipe, re.S)
    assert loop, "the worker is started once"
    assert "manage.py run_worker" in loop[1]
    assert "sleep 1" in loop[1]  # not a busy loop while the database is down
