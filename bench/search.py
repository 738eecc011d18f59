#!/usr/bin/env python3
"""Search, a sitemap section and the records' re-render at 10k and 100k releases (issue 30).

    make bench-search                                  # SEARCH_SIZES=10000,100000
    .venv/bin/python bench/search.py --sizes 10000 --requests 20

For each size: the database (``--database-url``, default h_scale_search_bench; dropped and made
again) is migrated and filled by `bench/generate.py --no-records` (every release names the
company, "ImmunoGen"; "milestone" is in one headline in eight; `generate.RARE_WORD` in one
release in 5,000); then, in one process, through Django's test client and the whole middleware
stack with the page cache off, ``--requests`` searches per case: the company's name, the
middling word and the rare one, on page 1, page 2 and the first page past the ranked
candidates; their p50/p95 and queries; the same SQL the search did before issue 30 (a count of
every match, then `ts_rank` of every match for a top 10) for the ratio; `EXPLAIN (ANALYZE,
BUFFERS)` of page 1's search queries; the largest release section of the sitemap (p50 of
``--sitemap-requests``, wall and CPU); and the background re-render of the stored records (all
stale: none was generated), for ``--records-seconds`` at most. The load average is printed
beside each figure: the machine may be shared.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h_scale_search_bench"
WORDS = {"company": "ImmunoGen", "middling": "milestone", "rare": "zanidatamab"}


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- inside Django: the measurements of one size ------------------------------------------------


def measure(requests: int, sitemap_requests: int, records_seconds: float) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")
    os.environ["IRSITE_PAGE_CACHE"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.postgres.search import SearchRank
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from releases.models import Release
    from releases.public import search

    settings.ALLOWED_HOSTS = ["*"]
    # No collectstatic here: static URLs unhashed (what they are does not change a page's cost).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    ranked_pages = settings.IRSITE_SEARCH_RANKED // 10
    out: dict = {"releases": Release.objects.public().count(), "cases": [], "explain": {}}

    def timed(url: str) -> dict:
        client.get(url)  # a first request compiles what later ones reuse
        times, sql = [], []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            # The search's own SQL (the GIN and rank queries), as the database timed it.
            sql.append(
                sum(float(q["time"]) for q in queries.captured_queries if "@@" in q["sql"]) * 1000
            )
        return {
            "p50_ms": statistics.median(times),
            "p95_ms": percentile(times, 95),
            "sql_p50_ms": statistics.median(sql),
            "queries": len(queries.captured_queries),
            "load": load(),
            "sql": [q["sql"] for q in queries.captured_queries],
        }

    out["list"] = timed("/news/")
    out["list"].pop("sql")
    for name, word in WORDS.items():
        for page in (1, 2, ranked_pages + 1):
            case = timed(f"/news/search/?q={word}&page={page}")
            out["cases"].append({"word": name, "q": word, "page": page, **case})
            if page == 1:
                plans = []
                for sql in case.pop("sql"):
                    if "@@" in sql:
                        with connection.cursor() as cursor:
                            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                            plans.append("\n".join(row[0] for row in cursor.fetchall()))
                out["explain"][name] = plans
            case.pop("sql", None)
        # What one page cost before issue 30: every match counted, every match ranked.
        query = search.parse(word)
        matches = search.matching(Release.objects.public(), query)
        before = []
        for _ in range(max(3, requests // 5)):
            started = time.perf_counter()
            matches.count()
            list(
                matches.annotate(
                    rank=SearchRank(F("search_document__vector"), search._ts_query(query))
                )
                .order_by("-rank", "-published_at", "-pk")
                .values_list("pk", flat=True)[:11]
            )
            before.append((time.perf_counter() - started) * 1000)
        out.setdefault("before", {})[name] = {"p50_ms": statistics.median(before), "load": load()}
    section = "/sitemap-releases-0.xml"
    client.get(section)
    walls, cpus = [], []
    for _ in range(sitemap_requests):
        started, cpu = time.perf_counter(), time.process_time()
        body = client.get(section).content
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    out["sitemap"] = {
        "urls": body.count(b"<url>"),
        "bytes": len(body),
        "p50_s": statistics.median(walls),
        "cpu_s": statistics.median(cpus),
        "load": load(),
    }
    # The stored records (all stale: generated with --no-records, as after a deploy that changed
    # their templates), by what the worker's records thread runs, for ``records_seconds`` at most.
    from releases.actions import render_stale_batch

    stored, after, started = 0, 0, time.perf_counter()
    cpu = time.process_time()
    while after is not None and time.perf_counter() - started < records_seconds:
        done, after = render_stale_batch(after)
        stored += done
    seconds = time.perf_counter() - started
    out["records"] = {
        "stored": stored,
        "seconds": seconds,
        "per_s": stored / seconds,
        "cpu_per_s": stored / max(time.process_time() - cpu, 1e-6),
        "load": load(),
    }
    return out


# --- the driver: a database per size -------------------------------------------------------------


def run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def recreate(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def table(results: dict[int, dict]) -> str:
    lines = [
        "| releases | search | page | p50 ms | p95 ms | search SQL p50 ms | queries |"
        " before (count + rank all) SQL p50 ms | load |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, result in results.items():
        for case in result["cases"]:
            before = result["before"][case["word"]]["p50_ms"] if case["page"] == 1 else None
            lines.append(
                f"| {size:,} | {case['word']} ({case['q']}) | {case['page']} | {case['p50_ms']:.1f}"
                f" | {case['p95_ms']:.1f} | {case['sql_p50_ms']:.1f} | {case['queries']} | "
                f"{'' if before is None else f'{before:.0f}'} | {case['load']} |"
            )
        news = result["list"]
        lines.append(
            f"| {size:,} | (`/news/`, for scale) | 1 | {news['p50_ms']:.1f} | {news['p95_ms']:.1f}"
            f" | | {news['queries']} | | {news['load']} |"
        )
    lines += [
        "",
        "| releases | sitemap section | URLs | bytes | p50 s (wall) | CPU s | load |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for size, result in results.items():
        s = result["sitemap"]
        lines.append(
            f"| {size:,} | /sitemap-releases-0.xml | {s['urls']:,} | {s['bytes']:,} |"
            f" {s['p50_s']:.2f} | {s['cpu_s']:.2f} | {s['load']} |"
        )
    lines += [
        "",
        "| releases | stale records stored (background re-render) | seconds | per s (wall) |"
        " per s (CPU) | load |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for size, result in results.items():
        r = result["records"]
        lines.append(
            f"| {size:,} | {r['stored']:,} | {r['seconds']:.1f} | {r['per_s']:.0f} |"
            f" {r['cpu_per_s']:.0f} | {r['load']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_SEARCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sitemap-requests", type=int, default=5)
    parser.add_argument("--records-seconds", type=float, default=30.0)
    parser.add_argument("--out", help="append the tables and plans to this Markdown file")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.requests, args.sitemap_requests, args.records_seconds)))
        return
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        # Production settings (no query log kept), over plain HTTP.
        "DEBUG": "False",
        "HTTPS": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "*",
    }
    results = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"{size:,} releases: generating (load {load()})", flush=True)
        recreate(args.database_url)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        started = time.perf_counter()
        print(run([PYTHON, "bench/generate.py", str(size), "--no-records"], env).strip())
        print(f"  generated in {time.perf_counter() - started:.0f} s; measuring", flush=True)
        measured = run(
            [
                PYTHON,
                "bench/search.py",
                "--measure",
                f"--requests={args.requests}",
                f"--sitemap-requests={args.sitemap_requests}",
                f"--records-seconds={args.records_seconds}",
            ],
            env,
        )
        results[size] = json.loads(measured.strip().splitlines()[-1])
        print(table({size: results[size]}), flush=True)
    report = [
        f"## Search and sitemap, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`bench/search.py --sizes {args.sizes} --requests {args.requests}` "
        f"(`make bench-search`), PostgreSQL, `IRSITE_PAGE_CACHE=0`, 2 cores shared.",
        "",
        table(results),
        "",
    ]
    largest = max(results)
    for name, plans in results[largest]["explain"].items():
        report += [f"### EXPLAIN ANALYZE, {largest:,} releases, {name} word, page 1", ""]
        for plan in plans:
            report += ["```", plan, "```", ""]
    text = "\n".join(report)
    if args.out:
        with open(args.out, "a") as f:
            f.write(text + "\n")
        print(f"appended to {args.out}")
    else:
        print(text)


if __name__ == "__main__":
    main()
