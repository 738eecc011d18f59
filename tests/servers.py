"""For tests that start real processes: the repository, free ports, the test database's URL
and a production environment."""

import os
import secrets
import socket
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port free now on 127.0.0.1, picked by the OS."""
    return free_ports(1)[0]


def database_url() -> str:
    """The suite's test database, for a worker in another process."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="ir.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        DJANGO_SETTINGS_MODULE="irsite.settings",
        # Production sends alert emails through a real mail server.
        EMAIL_URL="smtp+tls://irsite:secret@mail.example.com:587",
    )
    env.update(extra)
    return env


def free_ports(count: int, env: str | None = None) -> list[int]:
    """``count`` distinct ports free now on 127.0.0.1, for servers a test starts.

    The OS picks them (a bind to port 0), so runs beside each other (two worktrees, CI and a
    developer) never meet on a fixed port. When the environment variable ``env`` is set (e.g.
    IRSITE_TEST_FRONT_PORT=8151, for a machine that allows only some ports), the first free
    ports from its value on are used instead.
    """
    first = os.environ.get(env) if env else None
    if first:
        found: list[int] = []
        port = int(first)
        while len(found) < count:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                    found.append(port)
                except OSError:
                    pass
            port += 1
        return found
    # All held open at once, so the OS gives ``count`` different ones.
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


# Redis DB 1 by default; every test uses a key prefix of its own and never clears the DB.
REDIS_URL = os.environ.get("IRSITE_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


# Debian's libfaketime, preloaded into a process of its own (the `faketime` wrapper forks and
# would not pass a SIGTERM on): a host whose clock is off, as a VM resumed from a pause or a
# container without NTP has it.
LIBFAKETIME = next(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"), None)


def skewed(seconds: float, env: dict[str, str]) -> dict[str, str]:
    """``env`` for a process whose clock is ``seconds`` ahead (negative: behind), running at
    the normal rate."""
    assert LIBFAKETIME is not None, "Debian's faketime is not installed (.ci/run installs it)"
    if not seconds:
        return env
    return env | {"LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": f"{seconds:+g}s"}
