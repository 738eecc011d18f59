#!/usr/bin/env python3
"""What one cached hit costs in the app itself, with no server and no network client.

    .venv/bin/python bench/hitcost.py [--hits 3000] [--profile]     # BENCH_* as bench/bench.py

Calls the WSGI application in process, on a database made by `make bench` (or
`bench/servers.py --prepare`) and the Redis of BENCH_CACHE_URL, for the newest release and
/news/, three ways: the generation read from Redis per hit (`IRSITE_GENERATION_PUSH=0`, as before
issue 15), the pushed generation through Django (its middleware's copy), and the pushed
generation at the WSGI door (what the app servers run). Each way runs in a fresh process.
``--profile`` prints cProfile's top functions of each.
"""

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import PYTHON, REPO, flush_cache, log, run, site_env

WAYS = {
    "redis-get-per-hit": ("0", "django_application"),
    "pushed, through Django": ("1", "django_application"),
    "pushed, WSGI door": ("1", "application"),
}


def one(path: str, app_name: str, hits: int, profile: bool) -> None:
    """In the child process: time `hits` repeats of a cached page."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")
    import irsite.wsgi

    app = getattr(irsite.wsgi, app_name)

    def hit() -> bytes:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        }  # fmt: skip
        result = app(environ, lambda status, headers, exc_info=None: None)
        body = b"".join(result)
        getattr(result, "close", lambda: None)()
        return body

    hit()
    time.sleep(1.5)  # the subscription confirms
    for _ in range(3):
        hit()
    started = time.perf_counter()
    for _ in range(hits):
        hit()
    print(f"{(time.perf_counter() - started) / hits * 1e6:.1f}")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(hits):
            hit()
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(12)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--hits", type=int, default=3000)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        one(args.child[0], args.child[1], args.hits, args.profile)
        return
    release = run(
        [str(PYTHON), "manage.py", "shell", "-c",
         "from releases.models import Release; "
         "print(Release.objects.public().first().get_absolute_url())"],
        site_env("1"),
    ).strip().splitlines()[-1]  # fmt: skip
    print("| page | " + " | ".join(WAYS) + " |")
    print("|---|" + "--:|" * len(WAYS))
    for page, path in (("release", release), ("news", "/news/")):
        cells = []
        for push, app_name in WAYS.values():
            flush_cache()
            env = site_env("1") | {"IRSITE_GENERATION_PUSH": push}
            cmd = [str(PYTHON), __file__, "--hits", str(args.hits), "--child", path, app_name]
            cmd += ["--profile"] if args.profile else []
            done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(done.stderr[-3000:])
            if args.profile:
                log(f"{page} {app_name} push={push}:\n{done.stderr}")
            cells.append(f"{float(done.stdout.strip().splitlines()[-1]):,.0f} µs")
        print(f"| {page} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
