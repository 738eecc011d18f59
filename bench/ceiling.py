#!/usr/bin/env python3
"""What gunicorn itself can serve on this machine: the ceiling any cached page sits under.

    .venv/bin/python bench/ceiling.py [--duration 10]      # `make bench-ceiling`

Serves one fixed 11,307-byte response (the size of the benchmarked release page) from a WSGI
callable that does nothing else, under gunicorn with `make bench`'s settings (4 sync workers),
once with gunicorn's access log off and once with irsite's JSON access log (`gunicorn.conf.py`,
one line per request on stdout, as production runs), and runs the same wrk sequence as
`make bench` against it. No Django, no database, no cache: a cached irsite page cannot be faster
than the second figure, and neither can anything else served by this gunicorn with that log.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import PYTHON, REPO, ensure_wrk, log, port_in_use, wrk

PORT = 8250
APP = """
BODY = b"x" * 11307
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
"""


def serve(folder: Path, with_log: bool) -> subprocess.Popen:
    cmd = [str(PYTHON), "-m", "gunicorn", "ceiling_app:application", "--chdir", str(folder),
           "--bind", f"127.0.0.1:{PORT}", "--workers", "4", "--worker-class", "sync"]  # fmt: skip
    if with_log:
        cmd += ["--config", str(REPO / "gunicorn.conf.py")]
    out = open(folder / f"gunicorn-{with_log}.log", "w")  # noqa: SIM115 - closed with the process
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # for irsite.logs, the JSON logger
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(100):
        if port_in_use(PORT):
            return proc
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"gunicorn did not start; see {out.name}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    args = ap.parse_args()
    ensure_wrk()
    if port_in_use(PORT):
        raise SystemExit(f"port {PORT} is in use")
    url = f"http://127.0.0.1:{PORT}/"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "ceiling_app.py").write_text(APP)
        for with_log in (False, True):
            proc = serve(folder, with_log)
            try:
                wrk(url, 32, 2)
                for c in (1, 32):
                    time.sleep(2)
                    r = wrk(url, c, args.duration)
                    label = "JSON access log" if with_log else "no access log  "
                    log(f"{label} c={c:<3d} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:6.2f} ms")
            finally:
                proc.terminate()
                proc.wait(30)


if __name__ == "__main__":
    main()
