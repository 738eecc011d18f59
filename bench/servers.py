#!/usr/bin/env python3
"""`make bench-servers`: irsite cached and the Wagtail peer cached under the SAME app server.

    .venv/bin/python bench/servers.py [--duration 10] [--servers gunicorn-sync,granian]

For each app server (gunicorn sync, gunicorn gthread, granian WSGI; the same workers, threads and
flags for both apps), starts irsite (page cache on, Redis BENCH_CACHE_URL, PostgreSQL
BENCH_DATABASE_URL, production settings and logging) and then the peer (Django's per-site cache,
PEER_CACHE=1, its own settings), and runs on the release page and /news/ the peer's wrk sequence
at -c32: a 2 s warm-up, 2 s idle, `wrk -t2 -c32 -d10s --latency`. One run, one machine,
interleaved, so the ratios mean something even where the absolute figures drift.

Both databases must already hold releases: `--prepare N` recreates irsite's (bench/generate.py);
the peer's is the one its own bench made (`make bench SIZES=1000 PEER=1`, or its bench.sh) in
BENCH_PEER_COPY with the PEER_DB_* it was made with. granian is installed into the peer's venv if
missing (the same version as ours). Results: bench/results/servers-<stamp>.md and .json.
"""

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))
from bench import (
    DATABASE_URL,
    PEER_COPY,
    PYTHON,
    REPO,
    RESULTS,
    SECRET_KEY,
    ensure_wrk,
    flush_cache,
    http_get,
    log,
    port_in_use,
    psql,
    run,
    site_env,
    wrk,
)
from irsite.logs import granian_logging

PORT = int(os.environ.get("BENCH_PORT", "8220"))
CORES = os.cpu_count() or 1
# What each server is asked for; the same for both apps.
SERVERS = {
    # The peer's own bench: 4 sync workers, a new connection per request.
    "gunicorn-sync": ["--workers", "{workers}", "--worker-class", "sync"],
    "gunicorn-gthread": ["--workers", "{cores}", "--threads", "4", "--worker-class", "gthread"],
    # One process per core; 4 threads each run the (blocking) Django code: at most 8 database
    # connections, where granian's default of 128 per worker held 38.
    "granian": [
        "--interface",
        "wsgi",
        "--workers",
        "{cores}",
        "--blocking-threads",
        "4",
        "--runtime-threads",
        "1",
        "--no-ws",
    ],
}


def flags(server: str) -> list[str]:
    return [f.format(cores=CORES, workers=2 * CORES) for f in SERVERS[server]]


def peer_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="peersite.settings.bench", PEER_CACHE="1")
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def peer_bin(name: str) -> Path:
    return PEER_COPY / ".venv" / "bin" / name


def command(app: str, server: str) -> tuple[list[str], Path, dict[str, str]]:
    bind = f"127.0.0.1:{PORT}"
    if app == "irsite":
        binary, module, cwd = REPO / ".venv" / "bin", "irsite.wsgi:application", REPO
        env = site_env("1")
    else:
        binary, module, cwd = peer_bin(""), "peersite.wsgi:application", PEER_COPY
        env = peer_env()
    if server.startswith("gunicorn"):
        cmd = [str(binary / "gunicorn"), module, "--bind", bind, *flags(server)]
        # irsite as production runs it (gunicorn.conf.py: its JSON access log); the peer as its
        # bench runs it (no access log).
        cmd += ["--config", str(REPO / "gunicorn.conf.py")] if app == "irsite" else []
        cmd += ["--log-level", "warning"]
    else:
        cmd = [str(binary / "granian"), *flags(server), "--host", "127.0.0.1",
               "--port", str(PORT), "--log-level", "warning", module]  # fmt: skip
        if app == "irsite":
            # As `make serve` runs it (irsite/server.py): its JSON access log.
            log_config = RESULTS / ".granian-logging.json"
            log_config.write_text(json.dumps(granian_logging()))
            cmd[1:1] = ["--access-log", "--log-config", str(log_config)]
    return cmd, cwd, env


def start(app: str, server: str, folder: Path) -> subprocess.Popen:
    if port_in_use(PORT):
        raise SystemExit(f"port {PORT} is in use")
    cmd, cwd, env = command(app, server)
    out = open(folder / f"servers-{app}-{server}.log", "w")  # noqa: SIM115 - closed with it
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{app} under {server} exited; see {out.name}")
        try:
            if http_get(f"http://127.0.0.1:{PORT}/news/")[0] == 200:
                log(f"{app} under {server}: pid {proc.pid}: {shlex.join(cmd[1:])}")
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"{app} under {server} did not answer in 60 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
    for _ in range(60):
        if not port_in_use(PORT):
            return
        time.sleep(0.5)


def release_paths() -> dict[str, str]:
    """The newest release of each app, as its own bench measures it."""
    ours = run(
        [str(PYTHON), "manage.py", "shell", "-c",
         "from releases.models import Release; print(Release.objects.public().first()"
         ".get_absolute_url())"],
        site_env("1"),
    ).strip().splitlines()[-1]  # fmt: skip
    theirs = run(
        [str(peer_bin("python")), "manage.py", "shell", "-c",
         "from news.models import NewsPage; "
         "print(NewsPage.objects.live().order_by('-date').first().url)"],
        peer_env(), cwd=PEER_COPY,
    ).strip().splitlines()[-1]  # fmt: skip
    return {"irsite": ours, "wagtail": theirs}


def ensure_peer_granian() -> None:
    if peer_bin("granian").exists():
        return
    version = run([str(PYTHON), "-c", "import granian; print(granian.__version__)"]).strip()
    log(f"installing granian=={version} into {PEER_COPY / '.venv'}")
    run([str(peer_bin("python")), "-m", "pip", "install", "-q", f"granian=={version}"])


def prepare(n: int) -> None:
    name = DATABASE_URL.rsplit("/", 1)[-1]
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    run([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], site_env())
    log(run([str(PYTHON), "bench/generate.py", str(n)], site_env()).strip().splitlines()[-1])


def markdown(result: dict) -> str:
    lines = ["# App servers: irsite cached vs the Wagtail peer cached, same server", ""]
    lines += [f"Started {result['started']}, `{' '.join(result['argv'])}`.", ""]
    lines += [f"wrk: {result['wrk']}. Pages: {json.dumps(result['paths'])}.", ""]
    for server in result["servers"]:
        lines.append(f"- {server}: `{' '.join(flags(server))}`")
    lines += ["", "| server | page | irsite req/s | p50 ms | p99 ms | Wagtail req/s | p50 ms "
              "| p99 ms | ratio |", "|---|---|--:|--:|--:|--:|--:|--:|--:|"]  # fmt: skip
    rows = {(r["server"], r["app"], r["page"]): r for r in result["rows"]}
    for server in result["servers"]:
        for page in ("release", "news"):
            a, b = rows.get((server, "irsite", page)), rows.get((server, "wagtail", page))
            if not a or not b:
                continue
            flag = " (errors!)" if a["bad"] or b["bad"] else ""
            lines.append(
                f"| {server} | {page}{flag} | {a['rps']:,.0f} | {a['p50_ms']:.2f} | "
                f"{a['p99_ms']:.2f} | {b['rps']:,.0f} | {b['p50_ms']:.2f} | {b['p99_ms']:.2f} | "
                f"{a['rps'] / b['rps']:.2f}× |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    ap.add_argument("--servers", default=",".join(SERVERS))
    ap.add_argument("--prepare", type=int, default=0, help="recreate irsite's database with N")
    ap.add_argument("--out", default=None, help="results path without extension")
    args = ap.parse_args()
    servers = [s for s in args.servers.split(",") if s]
    ensure_wrk()
    ensure_peer_granian()
    if args.prepare:
        prepare(args.prepare)
    run([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], site_env())
    paths = release_paths()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else RESULTS / f"servers-{stamp}"
    result = {
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "argv": sys.argv,
        "secret": bool(SECRET_KEY),
        "paths": paths,
        "servers": servers,
        "flags": {s: flags(s) for s in servers},
        "wrk": f"-t2 -c32 -d{args.duration}s --latency after a 2 s -c32 warm-up, 2 s idle",
        "loadavg_at_start": os.getloadavg(),
        "rows": [],
    }
    for server in servers:
        for app in ("irsite", "wagtail"):
            if app == "irsite":
                flush_cache()
            proc = start(app, server, RESULTS)
            try:
                for page, path in (("release", paths[app]), ("news", "/news/")):
                    url = f"http://127.0.0.1:{PORT}{path}"
                    assert http_get(url)[0] == 200, url
                    wrk(url, 32, 2)
                    time.sleep(2)
                    r = wrk(url, 32, args.duration)
                    r["bad"] = bool(r["non_2xx_3xx"] or any(r["socket_errors"].values()))
                    r.update(server=server, app=app, page=page, url=url)
                    result["rows"].append(r)
                    log(f"  {server:16} {app:7} {page:7} {r['rps']:9.1f} req/s  "
                        f"p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
                        + ("  !! errors" if r["bad"] else ""))  # fmt: skip
            finally:
                stop(proc)
    result["loadavg_at_end"] = os.getloadavg()
    out.with_suffix(".json").write_text(json.dumps(result, indent=2))
    out.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))
    print(f"results: {out}.md and .json")


if __name__ == "__main__":
    main()
