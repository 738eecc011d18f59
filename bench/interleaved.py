#!/usr/bin/env python3
"""irsite against the Wagtail peer, or against another irsite checkout (before/after a change),
timed in process, interleaved.

    .venv/bin/python bench/interleaved.py [--rounds 7] [--requests 200]
    .venv/bin/python bench/interleaved.py --against /tmp/irsite-before --page news --cache 1

``--page`` is the release page (default) or ``news`` (/news/); ``--cache 1`` runs both with
their server-side page cache in Redis (``BENCH_REDIS_URL``, a key prefix each), the cost of a
cached hit; ``--against DIR`` times an irsite checkout at DIR (with this checkout's venv) in
place of the peer: the ratio then says what a change did.

On a shared machine wrk's req/s follow whatever else runs at that moment, and the two sites are
measured minutes apart. Here each site runs in a process of its own (its own venv and settings:
irsite with BENCH_DATABASE_URL and IRSITE_PAGE_CACHE=0, the peer's copy with PEER_CACHE=0 and its
database as `make bench PEER=1` left it), and the two take turns: ``--requests`` requests of the
newest release through Django's test client (the whole middleware stack, the real database, no
HTTP server), then the other, ``--rounds`` times. Prints the median wall and CPU milliseconds per
request of each and their ratio. Run it after `make bench PEER=1` at one size.

``--instructions N`` counts instead the instructions of N requests in each site's process
(``valgrind --tool=callgrind``, collecting only inside the call that makes the N requests):
user-space work only, the same whatever else loads the machine, so ratios taken this way hold
where wall and CPU times do not.
"""

import argparse
import collections
import io
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PEER_COPY = Path(os.environ.get("BENCH_PEER_COPY", "/tmp/wt_prod_peer"))  # noqa: S108 - bench.py's
PEER_DB = os.environ.get("BENCH_PEER_DB", "wt_prod_peer")
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wt_prod_bench"
)


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


def wsgi_get() -> Callable[[str], tuple[int, bytes]]:
    """A GET of ``url`` as an app server makes it: the WSGI application called with an
    environ, its body joined and closed (no test client, whose own bookkeeping per request is
    of the same order as a cached hit)."""
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    host = os.environ.get("BENCH_HOST", "localhost")

    def get(url: str) -> tuple[int, bytes]:
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": host, "SERVER_PORT": "80", "HTTP_HOST": host,
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        }  # fmt: skip
        status: list[str] = []
        body = app(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            return int(status[0].split()[0]), b"".join(body)
        finally:
            body.close()

    return get


def test_client_get() -> Callable[[str], tuple[int, bytes]]:
    from django.test import Client

    client = Client()

    def get(url: str) -> tuple[int, bytes]:
        response = client.get(url)
        return response.status_code, response.content

    return get


def counted(get: Callable[[str], tuple[int, bytes]], urls: list[str]) -> None:
    """The requests inside one call of C's ``starmap_next``, the function callgrind collects
    in (``--toggle-collect``): nothing of Django's start-up or the warm-up is counted."""
    collections.deque(itertools.starmap(get, [(url,) for url in urls]), maxlen=0)


def miss_urls(site: str, page: str, url: str, n: int) -> list[str]:
    """``--cache miss``: n pages of the kind, each asked once (20 for the warm-up, then the
    counted ones): release pages newest first, or pages 2, 3, … of the list at ``url``."""
    if page == "news":
        return [f"{url}?page={k}" for k in range(2, n + 2)]
    if site != "wagtail":
        from releases.models import Release

        releases = Release.objects.public().order_by("-published_at", "-pk")[:n]
        return [r.get_absolute_url() for r in releases]
    from news.models import NewsPage

    return [p.url for p in NewsPage.objects.live().order_by("-date")[:n]]


def child(site: str, page: str, wsgi: bool, instructions: int = 0, miss: bool = False) -> None:
    """Serve timing requests from stdin ("N" -> N requests) until it closes."""
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    if site != "wagtail":
        from releases.models import Release

        newest = Release.objects.public().order_by("-published_at", "-pk").first()
        url = newest.get_absolute_url() if page == "release" else "/news/"
    else:
        from news.models import NewsPage

        newest = NewsPage.objects.live().order_by("-date").first()
        url = newest.url if page == "release" else newest.get_parent().url
    get = wsgi_get() if wsgi else test_client_get()
    if miss:
        # Each request a page nobody asked for since the last change: what a page-cache miss
        # costs once the change's first miss has cached the generation's own entries.
        if site != "wagtail":
            from irsite.http.pagecache import invalidate_public_pages

            invalidate_public_pages()  # as a change does: no copy of an earlier run is current
        urls = miss_urls(site, page, url, 20 + (instructions or 10_000))
        warm, urls = urls[:20], urls[20:]
        assert len(urls) >= (instructions or 1), "not enough pages for --cache miss"
    else:
        warm, urls = [url] * 20, [url] * (instructions or 1)
    for each in warm:
        status, body = get(each)
        assert status == 200, (site, each, status)
    print(json.dumps({"url": urls[0], "bytes": len(body)}), flush=True)
    if instructions:
        counted(get, urls[:instructions])
        return
    assert not miss, "--cache miss counts instructions (--instructions N)"
    for line in sys.stdin:
        n = int(line)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            get(url)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(json.dumps({"wall_ms": wall / n * 1000, "cpu_ms": cpu / n * 1000}), flush=True)


def start(site: str, args) -> subprocess.Popen:
    env = dict(os.environ, PYTHONHASHSEED="0")
    if site != "wagtail":
        python = REPO / ".venv" / "bin" / "python"
        cwd = REPO if site == "irsite" else Path(args.against)
        env.update(
            DJANGO_SETTINGS_MODULE="irsite.settings",
            DEBUG="False",
            HTTPS="False",
            SECRET_KEY="interleaved-" + "x" * 50,
            ALLOWED_HOSTS="testserver,localhost",
            DATABASE_URL=DATABASE_URL,
            IRSITE_PAGE_CACHE="0" if args.cache == "0" else "1",
            LOG_LEVEL="WARNING",
        )
        if args.cache != "0":
            env["CACHE_URL"] = f"{REDIS_URL}?key_prefix=interleaved-{site}"
    else:
        python, cwd = PEER_COPY / ".venv" / "bin" / "python", PEER_COPY
        env.update(
            DJANGO_SETTINGS_MODULE="peersite.settings.bench",
            PEER_CACHE="1" if args.cache == "1" else "0",
            PEER_DB_NAME=PEER_DB,
            PEER_DB_USER=PEER_DB,
        )
    command = [str(python), str(Path(__file__).resolve()), "--child", site, "--page", args.page]
    command += ["--wsgi"] if args.wsgi else []
    command += ["--miss"] if args.cache == "miss" else []
    if args.instructions:
        out = Path(f"/tmp/callgrind.{site}.{args.page}.{args.cache}.out")  # noqa: S108 - a bench
        command = [
            "valgrind", "--tool=callgrind", "--collect-atstart=no",
            "--toggle-collect=starmap_next", f"--callgrind-out-file={out}",
            *command, "--instructions", str(args.instructions),
        ]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if args.instructions else None,
        text=True,
    )


def instructions(args) -> None:
    """Each site under callgrind in turn; instructions per request from its summary."""
    other = "before" if args.against else "wagtail"
    per_request = {}
    procs = {name: start(name, args) for name in ("irsite", other)}  # at once: counts, not times
    for name, proc in procs.items():
        print(f"{name}: {proc.stdout.readline().strip()}")
        proc.stdout.read()
        assert proc.wait() == 0, name
        out = Path(f"/tmp/callgrind.{name}.{args.page}.{args.cache}.out")  # noqa: S108
        summary = next(x for x in out.read_text().splitlines() if x.startswith("summary:"))
        per_request[name] = int(summary.split()[1]) / args.instructions
        print(f"{name}: {per_request[name] / 1e6:.2f} M instructions per request")
    print(f"{other} ÷ irsite, instructions: {per_request[other] / per_request['irsite']:.2f}×")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--page", choices=["release", "news"], default="release")
    ap.add_argument(
        "--cache", choices=["0", "1", "miss"], default="0",
        help="server-side page cache: off, a hit, or a miss (each request a page not asked "
        "before, after a warm-up on others; the peer uncached)",
    )  # fmt: skip
    ap.add_argument("--miss", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--against", help="another irsite checkout, timed in place of the peer")
    ap.add_argument(
        "--wsgi",
        action="store_true",
        help="call each site's WSGI application directly, as an app server does, "
        "instead of Django's test client",
    )
    ap.add_argument(
        "--instructions", type=int, default=0, metavar="N",
        help="count the instructions of N requests in each (callgrind) instead of timing",
    )  # fmt: skip
    ap.add_argument("--child", choices=["irsite", "wagtail", "before"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.page, args.wsgi, args.instructions, args.miss)
        return
    if args.instructions:
        instructions(args)
        return
    other = "before" if args.against else "wagtail"
    sites = {name: start(name, args) for name in ("irsite", other)}
    runs: dict[str, list[dict]] = {name: [] for name in sites}
    try:
        for name, proc in sites.items():
            print(f"{name}: {proc.stdout.readline().strip()}")
        for _ in range(args.rounds):
            for name, proc in sites.items():
                proc.stdin.write(f"{args.requests}\n")
                proc.stdin.flush()
                runs[name].append(json.loads(proc.stdout.readline()))
    finally:
        for proc in sites.values():
            proc.stdin.close()
            proc.wait(timeout=30)
    medians = {
        name: {k: statistics.median(r[k] for r in rs) for k in ("wall_ms", "cpu_ms")}
        for name, rs in runs.items()
    }
    for name, m in medians.items():
        each = ", ".join(f"{r['wall_ms']:.2f}" for r in runs[name])
        print(f"{name}: median {m['wall_ms']:.2f} ms wall, {m['cpu_ms']:.2f} ms CPU ({each})")
    for k in ("wall_ms", "cpu_ms"):
        ratio = medians[other][k] / medians["irsite"][k]
        print(f"{other} ÷ irsite, {k.removesuffix('_ms')} per request: {ratio:.2f}×")


if __name__ == "__main__":
    main()
