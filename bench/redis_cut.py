"""The fault "an invalidation is never lost" (issue 15), run by `bench/faults.py --only redis-cut`.

Two gunicorn servers, A and B, on one PostgreSQL database and one Redis; A (and the worker)
reach Redis through `bench.linkcut.LinkCutProxy`, a real TCP proxy whose link is cut for
``outage`` seconds; Varnish (deploy/varnish/irsite.vcl, its backend replaced by a round-robin
over A and B) in front of both, purged by the worker. With every surface cached on both
servers and in Varnish, the link is cut, an approver withdraws a public release through A
and sees "Withdraw: done", the link comes back. Pollers ask A, B and Varnish for the release's
page, /news/ and RSS every 100 ms throughout and record when each answer arrived; the verdict
is how long after the link came back each of them still answered with the withdrawn release
(at most ``FEW_SECONDS``), and that none answered with an error.
"""

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from linkcut import LinkCutProxy  # bench/ is the script's directory

REPO = Path(__file__).resolve().parents[1]
PYTHON = REPO / ".venv" / "bin" / "python"
VCL = REPO / "deploy" / "varnish" / "irsite.vcl"
# What "a few seconds" means for the verdict (each server re-reads the change count from
# PostgreSQL every IRSITE_GENERATION_CHECK_SECONDS; the front cache is purged twice).
FEW_SECONDS = 5.0
USER, PASSWORD = "cut-approver", "cut-approver-password-1"

PICK = """
from releases.models import Release
r = Release.objects.public().order_by('-published_at')[1]
print(r.pk, r.get_absolute_url())
"""


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        conn.close()


class Rows:
    """Every answer the pollers saw: (target, path, sent, received, status, old content?)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, float, int, bool]] = []
        self.stopping = threading.Event()

    def poll(self, target: str, port: int, path: str, is_old: Callable[[int, bytes], bool]):
        while not self.stopping.is_set():
            sent = time.time()
            status, body = get(port, path)
            self.rows.append((target, path, sent, time.time(), status, is_old(status, body)))
            time.sleep(0.1)


def varnish_vcl(a_port: int, b_port: int) -> str:
    """The shipped VCL with its one backend made a round-robin over the two servers."""
    text = VCL.read_text().replace('.port = "8000";', f'.port = "{a_port}";')
    text = text.replace("import xkey;", "import xkey;\nimport directors;")
    return text + (
        f'\nbackend irsite_b {{ .host = "127.0.0.1"; .port = "{b_port}"; }}\n'
        "sub vcl_init { new both = directors.round_robin(); both.add_backend(irsite);"
        " both.add_backend(irsite_b); }\n"
        "sub vcl_backend_fetch { set bereq.backend = both.backend(); }\n"
    )


def run(env: dict[str, str], base_port: int, redis_port: int, outage: float) -> tuple:
    """The fault; ``env`` is the servers' environment (database ready, static collected)."""
    from tests.two_servers import Browser, Failed

    proxy_port, a_port, b_port, front_port = (base_port + i for i in (2, 3, 4, 5))
    cache = urllib.parse.urlsplit(env["CACHE_URL"])
    through_proxy = urllib.parse.urlunsplit(cache._replace(netloc=f"127.0.0.1:{proxy_port}"))
    front = f"http://127.0.0.1:{front_port}"
    common = env | {"IRSITE_EDGE_PURGE_URLS": front, "SITE_URL": front}
    env_a = common | {"CACHE_URL": through_proxy}
    env_b = common
    var = REPO / "var" / "redis-cut"
    var.mkdir(parents=True, exist_ok=True)
    var.chmod(0o755)
    # Not checked: on a database kept from an earlier run the user exists already.
    subprocess.run(
        [str(PYTHON), "manage.py", "createsuperuser", "--noinput", "--username", USER,
         "--email", "cut@example.com"],
        cwd=REPO, env=env | {"DJANGO_SUPERUSER_PASSWORD": PASSWORD}, capture_output=True,
    )  # fmt: skip
    picked = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "-c", PICK],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    pk, page = int(picked[-2]), picked[-1]

    proxy = LinkCutProxy(proxy_port, redis_port)
    processes: list[subprocess.Popen] = []

    def spawn(cmd: list[str], process_env: dict | None, name: str) -> None:
        log = open(var / f"{name}.log", "w")  # noqa: SIM115 - lives with the process
        processes.append(
            subprocess.Popen(
                cmd, cwd=REPO, env=process_env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )  # fmt: skip

    rows = Rows()
    threads: list[threading.Thread] = []
    try:
        gunicorn = str(REPO / ".venv" / "bin" / "gunicorn")
        spawn([gunicorn, "irsite.wsgi:application", "--bind", f"127.0.0.1:{a_port}"], env_a, "a")
        spawn([gunicorn, "irsite.wsgi:application", "--bind", f"127.0.0.1:{b_port}"], env_b, "b")
        vcl = var / "irsite.vcl"
        vcl.write_text(varnish_vcl(a_port, b_port))
        vcl.chmod(0o644)
        spawn(
            ["varnishd", "-F", "-n", str(var / "n"), "-a", f"127.0.0.1:{front_port}",
             "-f", str(vcl), "-s", "malloc,64m", "-T", "none"],
            None, "varnish",
        )  # fmt: skip
        spawn([str(PYTHON), "manage.py", "run_worker"], env_a, "worker")
        for port in (a_port, b_port, front_port):
            deadline = time.monotonic() + 60
            while get(port, "/healthz")[0] != 200:
                if time.monotonic() > deadline:
                    raise Failed(f"nothing healthy on port {port}; see {var}")
                time.sleep(0.3)
        approver = Browser(f"http://127.0.0.1:{a_port}")
        approver.sign_in(USER, PASSWORD)

        targets = {"A": a_port, "B": b_port, "Varnish": front_port}
        surfaces = {
            page: lambda status, body: status == 200,
            "/news/": lambda status, body: page.encode() in body,
            "/news/feed/rss/": lambda status, body: page.encode() in body,
        }
        for port in targets.values():
            for path, is_old in surfaces.items():
                for _ in range(2):  # the second answer comes from the caches
                    status, body = get(port, path)
                if status != 200 or not is_old(status, body):
                    raise Failed(f"port {port}{path} did not show the release before ({status})")
        for name, port in targets.items():
            for path, is_old in surfaces.items():
                threads.append(
                    threading.Thread(target=rows.poll, args=(name, port, path, is_old), daemon=True)
                )
        for thread in threads:
            thread.start()
        time.sleep(1.5)

        say(f"cutting A's link to Redis for {outage:g} s")
        cut = time.time()
        proxy.cut()
        time.sleep(1)
        page_after = approver.submit(
            f"/admin/releases/release/{pk}/transition/withdraw/",
            {"reason": "Issued in error (fault test: A cut from Redis)."},
        )
        done = time.time()
        if "Withdraw: done." not in page_after:
            raise Failed("the approver did not see 'Withdraw: done.' through A")
        say(f"withdrawn through A, 'Withdraw: done.' {done - cut:.2f} s into the cut")
        time.sleep(max(0.0, cut + outage - time.time()))
        proxy.restore()
        back = time.time()
        say("A's link to Redis is back")
        time.sleep(FEW_SECONDS + 5)
    except Failed as failure:
        return ("an invalidation is never lost (Redis link cut)", False, str(failure))
    finally:
        rows.stopping.set()
        for thread in threads:
            thread.join(timeout=15)
        for process in reversed(processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        proxy.close()
    return verdict(rows.rows, done, back, surfaces=list(surfaces), page=page)


def verdict(rows: list, done: float, back: float, surfaces: list[str], page: str) -> tuple:
    """How long each server and Varnish kept the withdrawn release, judged on arrival."""
    worst, errors, never = 0.0, [], []
    print()
    print("| served by | surface | last old answer after the withdrawal | after the link came "
          "back | answers | statuses |")  # fmt: skip
    print("|---|---|--:|--:|--:|---|")
    for target in ("A", "B", "Varnish"):
        for path in surfaces:
            mine = [r for r in rows if r[0] == target and r[1] == path]
            after = [r for r in mine if r[2] >= done]
            statuses = sorted({r[4] for r in mine})
            errors += [f"{target} {path}: {r[4]}" for r in mine if r[4] not in {200, 410}]
            if not any(not r[5] for r in after if r[2] >= back):
                never.append(f"{target} {path}")
            old = [r[3] for r in after if r[5]]
            last = max(old, default=done)
            kept_done, kept_back = last - done, max(0.0, last - back)
            worst = max(worst, kept_back)
            name = "release page" if path == page else path
            print(f"| {target} | {name} | {kept_done:.2f} s | {kept_back:.2f} s | "
                  f"{len(mine)} | {', '.join(map(str, statuses))} |")  # fmt: skip
    print()
    ok = worst <= FEW_SECONDS and not errors and not never
    detail = (
        f"withdrawn release served at most {worst:.2f} s after the link came back "
        f"(limit {FEW_SECONDS:g} s); errors: {errors[:5] or 'none'}; "
        f"never updated: {never or 'none'}"
    )
    return ("an invalidation is never lost (Redis link cut)", ok, detail)


if __name__ == "__main__":
    sys.exit("run through bench/faults.py --only redis-cut")
