"""Querysets compiled to SQL once per process and database, then run with each call's values.

Django builds and compiles a queryset every time one is evaluated. For the pages read most
without a cache that is most of their cost: the release page's query (the row, its stored
record and its two neighbours as subqueries) took 1.9 ms of CPU to build and compile and 0.2 ms
to run (bench/results/uncached-release-prepared-20261130.md). A `PreparedQuery` is still built
by the same queryset methods every other surface uses, so a rule such as
`ReleaseQuerySet.public()` stays in one place; only its SQL text is kept, and each call puts its
own values where the sample values were.

    PAGE = PreparedQuery(
        lambda now, slug: Release.objects.public(now).filter(slug=slug).values("pk")[:1],
        now=datetime, slug=str,
    )
    PAGE(now=timezone.now(), slug="q3-results")   # -> [{"pk": 7}] or []

The function must return a ``.values()`` queryset whose SQL depends on its arguments only
through query parameters (no branching on them). Arguments are declared by type: ``datetime``
(aware; adapted as Django adapts a DateTimeField value for the database), ``str`` or ``int``.
The positions each argument fills are found by compiling once with sample values and once more
per argument with another value, so a value that happens to equal a sample or a constant is
never confused with it. Rows come back as dicts, converted by Django's own converters for the
database (JSON, times on SQLite, ...), as ``.values()`` returns them.

On PostgreSQL the statement is also prepared on the server, once per connection (psycopg's
protocol-level prepared statements, `prepare=True`): planning the release page's statement took
PostgreSQL five times as long as running it (0.23 and 0.05 ms). Django's wrapper still sees
every execution (query logging, ``execute_wrapper``, test query counts). PgBouncer in
transaction mode needs ``max_prepared_statements`` (1.21+) for this, or
``IRSITE_PREPARED_STATEMENTS=False``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet

# Two values of each argument type: the SQL is compiled with the first, and once more per
# argument with the second, to find where each argument goes.
_SAMPLES: dict[type, tuple[Any, Any]] = {
    datetime: (
        datetime(2001, 2, 3, 4, 5, 6, 789012, UTC),
        datetime(2002, 3, 4, 5, 6, 7, 890123, UTC),
    ),
    str: ("sample", "other sample"),
    int: (1, 2),
}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: dict[str, tuple[int, ...]]
    names: tuple[str, ...]
    compiler: Any  # django.db.models.sql.compiler.SQLCompiler: its converters turn rows to values


class PreparedQuery:
    """A ``.values()`` queryset from ``build(**arguments)``, compiled once per database alias;
    ``arguments`` maps each argument's name to its type (``datetime``, ``str`` or ``int``)."""

    def __init__(self, build: Callable[..., QuerySet], **arguments: type) -> None:
        unknown = {name for name, kind in arguments.items() if kind not in _SAMPLES}
        if unknown:
            raise TypeError(f"prepared query arguments of another type: {sorted(unknown)}")
        self.build = build
        self.samples = {name: _SAMPLES[kind][0] for name, kind in arguments.items()}
        self.others = {name: _SAMPLES[kind][1] for name, kind in arguments.items()}
        self._compiled: dict[str, _Compiled] = {}

    def __call__(self, using: str = DEFAULT_DB_ALIAS, **values: datetime | str | int) -> list[dict]:
        """The rows for ``values`` (one per declared argument), as ``.values()`` dicts."""
        compiled = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        params = list(compiled.params)
        for name, slots in compiled.slots.items():
            value = self._adapt(connection, values[name])
            for slot in slots:
                params[slot] = value
        try:
            rows = _fetch(connection, compiled.sql, params)
        except NotSupportedError as error:
            if not _plan_outdated(error):
                raise
            # A migration changed the type of a column the statement reads, after this
            # connection prepared it: PostgreSQL refuses that statement on this connection for
            # good. Outside a transaction, a new connection prepares it again; inside one (which
            # the error ended), the connection is closed when the request ends.
            if connection.in_atomic_block:
                connection.close_at = 0
                raise
            connection.close()
            rows = _fetch(connection, compiled.sql, params)
        names = compiled.names
        rows = compiled.compiler.results_iter(results=[rows])
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _compile(self, using: str) -> _Compiled:
        sql, params, compiler, names = self._sql(using, self.samples)
        slots = {}
        for name, other in self.others.items():
            # Compiled again with only this argument changed: the parameters that differ are its.
            other_sql, other_params, _, _ = self._sql(using, {**self.samples, name: other})
            if other_sql != sql or len(other_params) != len(params):
                raise ValueError(f"{name!r} changes the SQL of the prepared query, not a parameter")
            slots[name] = tuple(
                i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b
            )
            if not slots[name]:
                raise ValueError(f"{name!r} is not a parameter of the prepared query")
        compiled = _Compiled(sql, tuple(params), slots, names, compiler)
        self._compiled[using] = compiled
        return compiled

    def _sql(self, using: str, arguments: dict) -> tuple[str, list, Any, tuple[str, ...]]:
        queryset = self.build(**arguments).using(using)
        query = queryset.query
        if not (query.values_select or query.annotation_select) or query.extra_select:
            raise ValueError("a prepared query is a .values() queryset")
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        names = (*query.values_select, *query.annotation_select)
        if query.selected:
            names = tuple(query.selected)
        return sql, list(params), compiler, names

    @staticmethod
    def _adapt(connection, value: datetime | str | int) -> Any:
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        return value


def _fetch(connection, sql: str, params: list) -> list[tuple]:
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _plan_outdated(error: NotSupportedError) -> bool:
    """Whether PostgreSQL refused a prepared statement whose result type a DDL changed."""
    cause = error.__cause__
    return isinstance(cause, psycopg.errors.FeatureNotSupported) and "cached plan" in str(cause)


class _PreparingCursor(psycopg.Cursor):
    """Server-side binding, each statement prepared on first use (psycopg keeps them per
    connection, `Connection.prepared_max` of them)."""

    def execute(self, query, params=None, **kwargs):
        return super().execute(query, params, prepare=True, **kwargs)


def _cursor(connection):
    """A cursor of ``connection``: on PostgreSQL one that prepares each statement it runs."""
    if connection.vendor != "postgresql" or not settings.IRSITE_PREPARED_STATEMENTS:
        return connection.cursor()
    # As `connection.cursor()` does: a connection the server ended since the last request is
    # replaced here, not found dead by the page's statement (a 503 per thread).
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = _PreparingCursor(connection.connection)
    # Django's own wrappers, as `connection.cursor()` gives: execute_wrapper, error mapping and,
    # when queries are logged (DEBUG, tests), the log.
    if connection.queries_logged:
        return _LoggedCursor(raw, connection)
    return CursorWrapper(raw, connection)


class _LoggedCursor(CursorDebugWrapper):
    """Logs the statement with its values: Django reads it back from a client-binding cursor,
    which a prepared statement does not have."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)
