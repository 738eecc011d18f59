#!/usr/bin/env python3
"""Queries per request for each benchmarked page, through the full middleware stack.

    .venv/bin/python bench/queries.py OUT.json [--explain]

Django's test client against the configured (real) database, like the Wagtail peer's
`count_queries`: each URL twice in one process; `first` is the process's first request for it,
`steady` the repeat (what a warm gunicorn worker does), with the time spent in the database.
`--explain` adds PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of every query of /news/?page=50.
Writes JSON to OUT.json (stdout carries the site's logs).
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from releases.models import Release  # noqa: E402

SEARCH_TERM = "cantuzumab"


def bench_urls() -> dict[str, str | None]:
    newest = Release.objects.public().order_by("-published_at", "-pk").first()
    year = timezone.localtime(newest.published_at).year if newest else 2003
    try:
        search = reverse("releases:search") + f"?q={SEARCH_TERM}"
    except NoReverseMatch:
        search = None  # the search page arrives with the public-pages work
    return {
        "home": "/",
        "news": "/news/",
        "news_p50": "/news/?page=50",
        "year": f"/news/{year}/",
        "release": newest.get_absolute_url() if newest else None,
        "search": search,
        "rss": "/news/feed/rss/",
        "atom": "/news/feed/atom/",
    }


class QueryTimer:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


def explain(sql_list: list[str]) -> list[dict]:
    plans = []
    with connection.cursor() as cursor:
        for sql in sql_list:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append({"sql": sql, "plan": "\n".join(row[0] for row in cursor.fetchall())})
    return plans


def main() -> None:
    out_path = Path(sys.argv[1])
    client = Client()
    out = {"releases_public": Release.objects.public().count()}
    for name, url in bench_urls().items():
        if url is None:
            out[name] = {"url": None}
            continue
        runs = []
        for _ in range(2):
            timer = QueryTimer()
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
                response = client.get(url)
            runs.append((response, ctx.captured_queries, timer.seconds))
        (_, q1, _), (r2, q2, db_s) = runs
        out[name] = {
            "url": url,
            "status": r2.status_code,
            "bytes": len(r2.content),
            "queries_first": len(q1),
            "queries_steady": len(q2),
            "db_ms_steady": round(db_s * 1000, 2),
            "sql": [q["sql"] for q in q2],
        }
        if "--explain" in sys.argv and name == "news_p50" and connection.vendor == "postgresql":
            out[name]["explain"] = explain([q["sql"] for q in q2])
    out_path.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
