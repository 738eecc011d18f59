"""The app server `make serve` runs: granian (WSGI), configured from the environment.

    python -m irsite.server        # what `make serve` and `make front-cache` exec

The granian counterpart of gunicorn.conf.py (which stays for ``APP_SERVER=gunicorn``). Why
granian: docs/deployment.md, figures in bench/results/servers-20261130.md. Every value can come
from the environment; granian's own GRANIAN_* variables override these.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

from irsite.logs import granian_logging


def arguments() -> list[str]:
    cores = os.cpu_count() or 1
    log_config = Path(tempfile.gettempdir()) / f"irsite-granian-logging-{os.getpid()}.json"
    log_config.write_text(json.dumps(granian_logging()))
    return [
        "--interface", "wsgi",
        "--host", os.environ.get("HOST", "127.0.0.1"),
        "--port", os.environ.get("PORT", "8000"),
        # One process per core: granian's I/O runs in Rust, so a process does not wait on
        # sockets the way a sync gunicorn worker does.
        "--workers", os.environ.get("WEB_CONCURRENCY", str(cores)),
        # Threads running Django per process, each holding up to one database connection
        # (granian's default, 128, held 38 PostgreSQL connections under load).
        "--blocking-threads", os.environ.get("GRANIAN_BLOCKING_THREADS", "4"),
        "--runtime-threads", "1",
        "--no-ws",
        # Replace a worker now and then, so a slow leak never becomes an outage.
        "--workers-lifetime", os.environ.get("GRANIAN_WORKERS_LIFETIME", "86400"),
        "--respawn-failed-workers",
        "--workers-kill-timeout", os.environ.get("GRANIAN_WORKERS_KILL_TIMEOUT", "20"),
        # One JSON line per request and per error on stdout, as gunicorn.conf.py logs.
        "--access-log",
        "--log-config", str(log_config),
        "--log-level", os.environ.get("GRANIAN_LOG_LEVEL", "info"),
        "irsite.wsgi:application",
    ]  # fmt: skip


def main() -> None:
    granian = Path(sys.executable).with_name("granian")
    os.execv(granian, [str(granian), *arguments()])  # noqa: S606 - our own venv's granian


if __name__ == "__main__":
    main()
