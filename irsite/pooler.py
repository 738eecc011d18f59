"""Is this process talking to PostgreSQL through a pooler in transaction mode it was not told of?

Behind PgBouncer's ``pool_mode=transaction`` a client connection is lent a server connection
for one transaction at a time. irsite then needs ``DB_POOLER=transaction`` (settings.py: no
server-side cursors, whose portals die with the transaction); without it the admin's pages fail
now and then ("portal ... does not exist") while every other check is green. Nothing in the
protocol says a pooler is there, so `probe` observes what only such a pooler does: two client
connections, used one after the other, are served by the same backend (``pg_backend_pid()``).
Directly, or through a session-mode pooler, each client connection has a backend of its own for
its whole life, so the two pids always differ: no false alarm on a plain PostgreSQL. PgBouncer
hands out the server connection released last (``server_round_robin = 0``, its default), so an
idle pool gives the second client the first one's backend; a busy pool may not, hence a few
rounds.

The probe opens two short connections of its own (never Django's, whose transaction state it
must not disturb), so it runs once per process at its first database connection (an error is
logged when the configuration does not suit) and then at most every `RECHECK_SECONDS` from
``/healthz`` (`irsite.health`), which reports the result; ``manage.py migrate`` and
``check --database default`` report it as a system check.
"""

import logging
import threading
import time

from django.conf import settings
from django.core import checks
from django.db import connections
from django.db.backends.signals import connection_created

logger = logging.getLogger("irsite.pooler")

ROUNDS = 3
RECHECK_SECONDS = 300.0
FAILED_RECHECK_SECONDS = 60.0
CONNECT_TIMEOUT = 2

_lock = threading.Lock()
_last: tuple[float, str | None] | None = None


def probe(alias: str = "default") -> bool:
    """True when the database ``alias`` is reached through transaction (or statement) pooling:
    two client connections used in turn got the same backend."""
    import psycopg

    wrapper = connections[alias]
    params = {
        k: v
        for k, v in wrapper.get_connection_params().items()
        if k not in {"context", "cursor_factory"}
    }
    params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    for _ in range(ROUNDS):
        with (
            psycopg.connect(**params, autocommit=True) as first,
            psycopg.connect(**params, autocommit=True) as second,
        ):
            pids = []
            for client in (first, second, first):
                row = client.execute("SELECT pg_backend_pid()").fetchone()
                pids.append(row[0] if row else None)
            # Directly or in session mode: first's pid never changes and is never second's.
            if pids[0] == pids[1] or pids[0] != pids[2]:
                return True
    return False


def misconfiguration(alias: str = "default", *, fresh: bool = False) -> str | None:
    """What is wrong with this process's configuration for the pooler in front of PostgreSQL,
    or None; probed at most every `RECHECK_SECONDS` unless ``fresh``."""
    global _last
    wrapper = connections[alias]
    if wrapper.vendor != "postgresql":
        return None
    if wrapper.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        return None  # DB_POOLER=transaction: nothing left that needs a session of its own
    with _lock:
        if not fresh and _last is not None and time.monotonic() - _last[0] < RECHECK_SECONDS:
            return _last[1]
        try:
            found = probe(alias)
        except Exception:
            # Unknown: asked again in a minute, not at every probe of the load balancer (a
            # server refusing connections would make each wait for its timeout).
            _last = (time.monotonic() - RECHECK_SECONDS + FAILED_RECHECK_SECONDS, None)
            raise
        problem = (
            "PostgreSQL is reached through a pooler in transaction mode (two client "
            "connections shared one backend) but DB_POOLER is not set: set "
            "DB_POOLER=transaction (docs/deployment.md, PostgreSQL)"
            if found
            else None
        )
        _last = (time.monotonic(), problem)
    return problem


def _first_connection(sender, connection, **kwargs) -> None:
    # Once per process, at its first connection to the default database; never fails it.
    if connection.alias != "default" or _last is not None:
        return
    try:
        problem = misconfiguration(connection.alias)
    except Exception as error:  # the probe is advice; the connection itself worked
        logger.warning("Could not probe for a connection pooler: %s", error)
        return
    if problem:
        logger.error(problem)


def watch() -> None:
    """Probe at each process's first database connection (called from an app's ready())."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        connection_created.connect(_first_connection, dispatch_uid="irsite.pooler")


@checks.register(checks.Tags.database)
def pooler_suits_configuration(app_configs, databases=None, **kwargs) -> list:
    """`manage.py migrate` and `check --database default`: a transaction-mode pooler the
    settings do not know of is an error."""
    if not databases or "default" not in databases:
        return []
    problem = misconfiguration("default", fresh=True)
    return [checks.Error(problem, id="irsite.E001")] if problem else []
