#!/usr/bin/env python3
"""`make bench`: irsite on PostgreSQL under wrk, beside the Wagtail peer, at several sizes.

For each size N (default 1,000, 10,000, 100,000):

1. recreates the database (BENCH_DATABASE_URL, default .../wt_prod_bench), migrates, generates
   N releases (bench/generate.py, bulk inserts), VACUUM ANALYZE;
2. counts queries per request for every page, without and with the page cache
   (bench/queries.py), and keeps PostgreSQL's EXPLAIN ANALYZE of /news/?page=50;
3. for each variant, cold (IRSITE_PAGE_CACHE=0) and cached (IRSITE_PAGE_CACHE=1, Redis DB 2
   flushed first), starts `make serve` (gunicorn.conf.py; 127.0.0.1:8220) and for each page
   runs the Wagtail peer's exact wrk sequence: a 2 s -c32 warm-up, then 2 s idle before each of
   `wrk -t1 -c1 -d10s --latency` and `wrk -t2 -c32 -d10s --latency`;
4. measures a conditional GET (If-None-Match / If-Modified-Since from the full response)
   against the full one on the release page and /news/ at -c32, as a ratio;
5. with --peer, runs the Wagtail peer's own bench.sh at the same size (sizes up to
   --peer-max, default 10,000: the peer creates ~37 pages/s) from a copy in
   /tmp/wt_prod_peer (its directory is read-only; ports moved to 8230/8231, database
   wt_prod_peer), and prints our req/s as a ratio to Wagtail's, page by page.

Results: bench/results/<stamp>.json and .md. Every server started here is stopped by its PID.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = REPO / ".venv" / "bin" / "python"
RESULTS = HERE / "results"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wt_prod_bench"
)
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2")
PORT = int(os.environ.get("BENCH_PORT", "8220"))
PEER_SRC = Path(os.environ.get("BENCH_PEER_DIR", REPO.parent / "shared" / "peers" / "wagtail"))
PEER_COPY = Path(os.environ.get("BENCH_PEER_COPY", "/tmp/wt_prod_peer"))  # noqa: S108 - one known copy
# Gunicorn and nginx ports of the peer's copy (BENCH_PEER_PORTS="8230,8231"): helpers sharing
# the machine each need their own, with their own copy (BENCH_PEER_COPY) and database.
PEER_PORTS = tuple(int(p) for p in os.environ.get("BENCH_PEER_PORTS", "8230,8231").split(","))
PEER_DB = os.environ.get("BENCH_PEER_DB", "wt_prod_peer")
PAGES = ["home", "news", "news_p50", "year", "release", "search", "rss", "atom"]
# Our page -> the Wagtail peer's page of the same kind.
PEER_PAGE = {"news": "index_p1", "news_p50": "index_p50", "release": "detail", "rss": "feed"}
VARIANTS = {"cold": "0", "cached": "1"}

_children: list[subprocess.Popen] = []


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- environment


def site_env(page_cache: str = "0") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="False",
        HTTPS="False",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=DATABASE_URL,
        CACHE_URL=CACHE_URL,
        IRSITE_PAGE_CACHE=page_cache,
        LOG_LEVEL="WARNING",
        GUNICORN_LOG_LEVEL="warning",
        PYTHONHASHSEED="0",
    )
    return env


SECRET_KEY = secrets.token_urlsafe(64)


def run(cmd: list[str], env: dict | None = None, cwd: Path = REPO, **kw) -> str:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"failed: {shlex.join(cmd)}")
    return result.stdout


def psql(sql: str, db: str = "postgres") -> str:
    parts = urllib.parse.urlsplit(DATABASE_URL)
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{db}"))
    return run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]).strip()


def flush_cache() -> None:
    import redis

    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=1).flushdb()
    except redis.RedisError as exc:
        log(f"could not flush {CACHE_URL}: {exc}")


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (Debian package)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")


def versions() -> dict:
    def out(cmd: list[str]) -> str | None:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
        except OSError:
            return None
        text = (r.stdout + r.stderr).strip()
        return text.splitlines()[0] if text else None

    return {
        "python": out([str(PYTHON), "-V"]),
        "django": out([str(PYTHON), "-c", "import django; print(django.__version__)"]),
        "gunicorn": out([str(PYTHON), "-c", "import gunicorn; print(gunicorn.__version__)"]),
        "psycopg": out([str(PYTHON), "-c", "import psycopg; print(psycopg.__version__)"]),
        "postgresql": psql("SHOW server_version"),
        "redis": out(["redis-server", "--version"]),
        "wrk": out(["wrk", "-v"]),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
    }


# --------------------------------------------------------------------------- wrk

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float | None:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return round(float(m.group(1)) * _UNITS[m.group(2)], 3) if m else None


def parse_wrk(out: str) -> dict:
    res: dict = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else None
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        res[f"p{pct}_ms"] = _ms(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", out)
    if m:
        res["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["socket_errors"] = dict(
        zip(
            ("connect", "read", "write", "timeout"),
            map(int, m.groups()) if m else (0,) * 4,
            strict=True,
        )
    )
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx_3xx"] = int(m.group(1)) if m else 0
    return res


def wrk(url: str, connections: int, duration: int, headers: dict | None = None) -> dict:
    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    res = parse_wrk(run(cmd, timeout=duration + 60))
    res.update(cmd=shlex.join(cmd), connections=connections)
    return res


def http_get(url: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def measure(variant: str, urls: dict[str, str], args) -> list[dict]:
    rows = []
    for page, url in urls.items():
        status, body, _ = http_get(url)
        if status != 200:
            raise SystemExit(f"{url} -> HTTP {status}")
        if args.warmup:
            run(["wrk", "-t2", "-c32", f"-d{args.warmup}s", url], timeout=args.warmup + 60)
        for c in (1, 32):
            time.sleep(args.drain)
            r = wrk(url, c, args.duration)
            r.update(variant=variant, page=page, url=url, bytes=len(body))
            rows.append(r)
            bad = r["non_2xx_3xx"] or any(r["socket_errors"].values())
            log(
                f"  {variant:7} {page:9} c={c:<3} {r['rps']:>9.1f} req/s  p50 {r['p50_ms']:>8.2f}"
                f" ms  p99 {r['p99_ms']:>8.2f} ms" + ("  !! errors/non-2xx" if bad else "")
            )
    return rows


def conditional(variant: str, urls: dict[str, str], args) -> list[dict]:
    """A revalidation (304) against the full response, same page, -c32."""
    rows = []
    for page in ("release", "news"):
        url = urls[page]
        headers = http_get(url)[2]
        validators = {}
        if headers.get("ETag"):
            validators["If-None-Match"] = headers["ETag"]
        if headers.get("Last-Modified"):
            validators["If-Modified-Since"] = headers["Last-Modified"]
        row = {"variant": variant, "page": page, "url": url, "validators": validators}
        if not validators or http_get(url, validators)[0] != 304:
            row["ratio"] = None
            row["note"] = "n/a: no ETag/Last-Modified, or no 304 for them"
            log(f"  {variant:7} {page:9} 304: {row['note']}")
            rows.append(row)
            continue
        time.sleep(args.drain)
        full = wrk(url, 32, args.duration)
        time.sleep(args.drain)
        not_modified = wrk(url, 32, args.duration, validators)
        row.update(full_rps=full["rps"], not_modified_rps=not_modified["rps"])
        row["ratio"] = round(not_modified["rps"] / full["rps"], 2) if full["rps"] else None
        log(f"  {variant:7} {page:9} 304 {not_modified['rps']:.0f} vs 200 {full['rps']:.0f} req/s")
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- servers


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_site(variant: str) -> subprocess.Popen:
    if port_in_use(PORT):
        raise SystemExit(f"port {PORT} is in use; stop that server first")
    logfile = open(RESULTS / f"serve-{variant}.log", "a")  # noqa: SIM115 - lives with the server
    cmd = ["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={PORT}"]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=site_env(VARIANTS[variant]),
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _children.append(proc)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"make serve exited with {proc.returncode}; see {logfile.name}")
        try:
            if http_get(f"http://127.0.0.1:{PORT}/healthz")[0] == 200:
                log(f"make serve ({variant}) pid {proc.pid} on 127.0.0.1:{PORT}")
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("make serve did not become ready in 120 s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server we started: SIGTERM to its process group (make and gunicorn)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # make has gone; wait until gunicorn has released the port too.
    for _ in range(60):
        if not port_in_use(PORT):
            break
        time.sleep(0.5)
    if proc in _children:
        _children.remove(proc)


# --------------------------------------------------------------------------- one size


def prepare_db(n: int) -> dict:
    name = urllib.parse.urlsplit(DATABASE_URL).path.lstrip("/")
    log(f"recreating database {name}")
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    env = site_env()
    run([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], env)
    # queries.py renders pages before `make serve` has collected the static files' manifest.
    run([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], env)
    started = time.perf_counter()
    out = run([str(PYTHON), "bench/generate.py", str(n)], env)
    wall = time.perf_counter() - started
    line = [s for s in out.splitlines() if s.startswith("created")][-1]
    log(line)
    return {"created": n, "wall_s": round(wall, 1), "output": line}


def count_queries(page_cache: str, explain: bool) -> dict:
    path = RESULTS / f".queries-{page_cache}.json"
    cmd = [str(PYTHON), "bench/queries.py", str(path)] + (["--explain"] if explain else [])
    if page_cache == "1":
        flush_cache()
    run(cmd, site_env(page_cache))
    data = json.loads(path.read_text())
    path.unlink()
    return data


def run_size(n: int, args) -> dict:
    result: dict = {"n_releases": n, "loadavg_at_start": os.getloadavg()}
    result["create"] = prepare_db(n)
    queries = {
        "cold": count_queries("0", explain=True),
        "cached": count_queries("1", explain=False),
    }
    result["queries"] = queries
    result["explain_news_p50"] = queries["cold"]["news_p50"].pop("explain", None)
    base = f"http://127.0.0.1:{PORT}"
    urls = {p: base + queries["cold"][p]["url"] for p in PAGES if queries["cold"][p]["url"]}
    urls = {p: u for p, u in urls.items() if p in args.pages}
    result["urls"] = urls
    log(
        "queries/request (cold, steady): "
        + ", ".join(f"{p}={queries['cold'][p].get('queries_steady', 'n/a')}" for p in PAGES)
    )
    rows, conditional_rows = [], []
    for variant in args.variants:
        flush_cache()
        proc = start_site(variant)
        try:
            rows += measure(variant, urls, args)
            if not args.no_conditional:
                conditional_rows += conditional(variant, urls, args)
        finally:
            stop(proc)
    result["http"] = rows
    result["conditional"] = conditional_rows
    result["loadavg_at_end"] = os.getloadavg()
    if args.peer and n <= args.peer_max:
        result["peer"] = run_peer(n, args)
    return result


# --------------------------------------------------------------------------- the Wagtail peer


def run_peer(n: int, args) -> dict | None:
    """The Wagtail peer's own bench.sh at size n, from a writable copy; its JSON run."""
    if not PEER_SRC.is_dir():
        log(f"peer not found at {PEER_SRC}; skipping it")
        return None
    if not PEER_COPY.exists():

        def ignore(folder: str, names: list[str]) -> set[str]:
            # Its results, venv, runtime files and collectstatic output; not its source static.
            skip = {n for n in names if n.startswith("results-") and n.endswith(".json")}
            if Path(folder) == PEER_SRC:
                skip |= {".venv", ".run", "static"} & set(names)
            return skip

        shutil.copytree(PEER_SRC, PEER_COPY, ignore=ignore)
        for path in PEER_COPY.rglob("*"):
            if path.is_file() or path.is_dir():
                path.chmod(path.stat().st_mode | 0o200)
        script = PEER_COPY / "bench.py"
        text = script.read_text()
        # Same machine, other helpers: ports inside our range; nginx baseline optional.
        text = text.replace('("127.0.0.1", 8101)', f'("127.0.0.1", {PEER_PORTS[0]})')
        text = text.replace('("127.0.0.1", 8102)', f'("127.0.0.1", {PEER_PORTS[1]})')
        text = text.replace('for tool in ("wrk", "nginx"):', 'for tool in ("wrk",):')
        text = text.replace(
            '"nginx": cmd_out(["nginx", "-v"]),',
            '"nginx": cmd_out(["nginx", "-v"]) if shutil.which("nginx") else None,',
        )
        script.write_text(text)
    out = PEER_COPY / f"results-irsite-{n}.json"
    env = dict(os.environ)
    env.update(PEER_DB_NAME=PEER_DB, PEER_DB_USER=PEER_DB)
    # Its release generator finds the seed relative to where it lives; from the copy, say where.
    env.setdefault("PEER_SEEDS", str(PEER_SRC.parents[1] / "seed" / "*.txt"))
    cmd = [
        "bash", str(PEER_COPY / "bench.sh"), "--sizes", str(n), "--out", str(out),
        "--duration", str(args.duration), "--warmup", str(args.warmup), "--drain", str(args.drain),
        "--variants", ",".join({"cold": "uncached", "cached": "cached"}[v] for v in args.variants),
    ]  # fmt: skip
    if not shutil.which("nginx"):
        cmd.append("--no-nginx")
    log(f"Wagtail peer at N={n} (venv {PEER_COPY / '.venv'}): {shlex.join(cmd)}")
    proc = subprocess.Popen(cmd, cwd=PEER_COPY, env=env, start_new_session=True)
    _children.append(proc)
    proc.wait()
    _children.remove(proc)
    if proc.returncode != 0 or not out.exists():
        log(f"the peer's bench failed ({proc.returncode})")
        return None
    data = json.loads(out.read_text())
    return data["runs"][0] if data.get("runs") else None


def peer_ratios(run: dict) -> list[dict]:
    peer = run.get("peer")
    if not peer:
        return []
    theirs = {(r["target"], r["page"], r["connections"]): r["rps"] for r in peer["http"]}
    ours = {(r["variant"], r["page"], r["connections"]): r["rps"] for r in run["http"]}
    rows = []
    for page, peer_page in PEER_PAGE.items():
        for variant, target in (("cold", "wagtail-uncached"), ("cached", "wagtail-cached")):
            for c in (1, 32):
                a, b = ours.get((variant, page, c)), theirs.get((target, peer_page, c))
                if a and b:
                    rows.append(
                        {"page": page, "variant": variant, "connections": c, "irsite_rps": a,
                         "wagtail_rps": b, "ratio": round(a / b, 2)}
                    )  # fmt: skip
    return rows


# --------------------------------------------------------------------------- report


def markdown(results: dict) -> str:
    lines = ["# irsite benchmark", ""]
    meta = results["meta"]
    lines.append(f"Started {meta['started']} on {meta['host']} ({meta['versions']['cpus']} CPUs),")
    lines.append(f"`{' '.join(meta['argv'])}`. Server: {meta['server']}. wrk: {meta['wrk']}.")
    lines.append(f"Versions: {json.dumps(meta['versions'])}")
    for run in results["runs"]:
        n = run["n_releases"]
        lines += ["", f"## N = {n:,} releases", "", f"Created: {run['create']['output']}", ""]
        lines.append(
            "| variant | page | bytes | c=1 req/s | p50 ms | p99 ms | c=32 req/s | p50 ms "
            "| p99 ms | queries |"
        )
        lines.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        by: dict = {}
        for r in run["http"]:
            by.setdefault((r["variant"], r["page"]), {})[r["connections"]] = r
        for (variant, page), rs in by.items():
            c1, c32 = rs.get(1, {}), rs.get(32, {})
            q = run["queries"][variant].get(page, {}).get("queries_steady", "")
            flag = ""
            for r in (c1, c32):
                if r.get("non_2xx_3xx") or any((r.get("socket_errors") or {}).values()):
                    flag = " (errors!)"
            lines.append(
                f"| {variant} | {page}{flag} | {c1.get('bytes', 0)} | {c1.get('rps', 0):.1f} | "
                f"{c1.get('p50_ms', 0):.2f} | {c1.get('p99_ms', 0):.2f} | {c32.get('rps', 0):.1f}"
                f" | {c32.get('p50_ms', 0):.2f} | {c32.get('p99_ms', 0):.2f} | {q} |"
            )
        missing = [p for p in PAGES if not run["queries"]["cold"].get(p, {}).get("url")]
        if missing:
            lines.append(f"\nNot measured (no such URL yet): {', '.join(missing)} — n/a.")
        if run.get("conditional"):
            lines += ["", "Conditional GET (-c32): 304 req/s ÷ 200 req/s", ""]
            for r in run["conditional"]:
                ratio = r["ratio"] if r.get("ratio") is not None else r.get("note")
                lines.append(f"- {r['variant']} {r['page']}: {ratio}")
        ratios = peer_ratios(run)
        if ratios:
            lines += ["", "Ratio to Wagtail (same machine, same run, same size):", ""]
            lines.append("| page | variant | c | irsite req/s | Wagtail req/s | ratio |")
            lines.append("|---|---|--:|--:|--:|--:|")
            for r in ratios:
                lines.append(
                    f"| {r['page']} | {r['variant']} | {r['connections']} | {r['irsite_rps']:.1f}"
                    f" | {r['wagtail_rps']:.1f} | {r['ratio']:.2f}× |"
                )
        if run.get("explain_news_p50"):
            lines += ["", "EXPLAIN (ANALYZE, BUFFERS) of /news/?page=50:", ""]
            for item in run["explain_news_p50"]:
                lines += ["```sql", item["sql"], "", item["plan"], "```"]
    lines += ["", "## Queries per request (steady [first], DB ms of the steady request)", ""]
    lines.append("| page | " + " | ".join(f"N={r['n_releases']:,}" for r in results["runs"]) + " |")
    lines.append("|---|" + "--:|" * len(results["runs"]))
    for variant in VARIANTS:
        for page in PAGES:
            cells = []
            for r in results["runs"]:
                q = r["queries"][variant].get(page, {})
                cells.append(
                    f"{q['queries_steady']} [{q['queries_first']}] {q['db_ms_steady']:.2f} ms"
                    if q.get("url")
                    else "n/a"
                )
            lines.append(f"| {variant} {page} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of -c32 warm-up per URL (2)")
    ap.add_argument("--drain", type=float, default=2.0, help="idle seconds before each run (2)")
    ap.add_argument("--variants", default="cold,cached")
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--no-conditional", action="store_true")
    ap.add_argument("--peer", action="store_true", help="also run the Wagtail peer's bench.sh")
    ap.add_argument("--peer-max", type=int, default=10000, help="largest size for the peer")
    ap.add_argument("--out", default=None, help="results path without extension")
    args = ap.parse_args()
    args.variants = [v for v in args.variants.split(",") if v]
    args.pages = [p for p in args.pages.split(",") if p]
    if set(args.variants) - set(VARIANTS):
        ap.error("--variants takes cold and/or cached")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    ensure_wrk()
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else RESULTS / f"bench-{stamp}"
    results = {
        "meta": {
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "argv": sys.argv,
            "host": socket.gethostname(),
            "loadavg_at_start": os.getloadavg(),
            "versions": versions(),
            "server": f"make serve on 127.0.0.1:{PORT} (APP_SERVER="
            f"{os.environ.get('APP_SERVER', 'granian')}, WEB_CONCURRENCY="
            f"{os.environ.get('WEB_CONCURRENCY', 'default')}), PostgreSQL {DATABASE_URL}, "
            f"cache {CACHE_URL}; page cache switch IRSITE_PAGE_CACHE=0 (cold) / 1 (cached)",
            "wrk": f"-t1 -c1 and -t2 -c32, -d{args.duration}s --latency, after a "
            f"{args.warmup}s -c32 warm-up per URL; {args.drain}s idle before each run",
        },
        "runs": [],
    }

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        for n in sizes:
            log(f"=== N = {n:,}")
            results["runs"].append(run_size(n, args))
            for run_ in results["runs"]:
                run_["peer_ratios"] = peer_ratios(run_)
            out.with_suffix(".json").write_text(json.dumps(results, indent=2))
            out.with_suffix(".md").write_text(markdown(results))
    finally:
        for proc in list(_children):
            stop(proc) if proc.args[0] == "make" else os.killpg(proc.pid, signal.SIGTERM)
    results["meta"]["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    out.with_suffix(".json").write_text(json.dumps(results, indent=2))
    out.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))
    print(f"results: {out}.md and .json")


if __name__ == "__main__":
    main()
