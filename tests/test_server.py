"""The app server `make serve` runs by default (granian, irsite/server.py): it serves the site,
logs one JSON line per request as gunicorn did, and stops when told to."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from .servers import REPO, free_ports, production_env

pytestmark = pytest.mark.server


def free_port() -> int:
    """A port the OS picks, or the first free one from $IRSITE_TEST_SERVER_PORT on."""
    return free_ports(1, "IRSITE_TEST_SERVER_PORT")[0]


def test_make_serves_default_app_server_answers_and_logs_json_lines(tmp_path):
    port = free_port()
    env = production_env(
        tmp_path, ALLOWED_HOSTS="127.0.0.1", HTTPS="False", PORT=str(port), HOST="127.0.0.1"
    )
    env.pop("CACHE_URL", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    # Production pages name hashed static files: without the manifest every page is a 500.
    static = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert static.returncode == 0, static.stderr[-2000:]
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "irsite.server"], cwd=REPO, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/news/", timeout=5) as r:
                    first = r.read()
                    assert r.status == 200
                break
            except OSError:
                assert server.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "granian did not answer in 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/news/", timeout=5) as r:
            assert r.read() == first
            assert r.headers["Cache-Control"] == "public, max-age=0, must-revalidate, s-maxage=300"
        # The line is written once the response has gone, so the client may be first.
        deadline = time.monotonic() + 10
        while log.read_text().count('"granian.access"') < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "granian.access"]
    assert len(access) >= 2
    assert access[-1]["method"] == "GET" and access[-1]["path"] == "/news/"
    assert access[-1]["status"] == 200 and access[-1]["duration_ms"] >= 0


def test_a_request_never_carries_the_processs_secrets_into_django():
    # granian builds each environ as dict(os.environ) | the request's own keys
    # (granian/wsgi.py); Django would keep it whole as request.META.
    from irsite.wsgi import WithoutProcessEnvironment

    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response("204 No Content", [])
        return [b""]

    os.environ["IRSITE_TEST_SECRET"] = "s3cret"
    try:
        wrapped = WithoutProcessEnvironment(app)
    finally:
        del os.environ["IRSITE_TEST_SECRET"]
    request = {"REQUEST_METHOD": "GET", "PATH_INFO": "/news/", "HTTP_HOST": "ir.example.com",
               "SERVER_NAME": "127.0.0.1", "wsgi.url_scheme": "https"}  # fmt: skip
    environ = dict(os.environ) | {"IRSITE_TEST_SECRET": "s3cret"} | request
    wrapped(environ, lambda status, headers: None)
    assert "IRSITE_TEST_SECRET" not in seen and "PATH" not in seen
    assert all(seen[key] == value for key, value in request.items())
