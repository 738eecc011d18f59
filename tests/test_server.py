"""The app server `make serve` runs by default (granian, irsite/server.py): it serves the site,
logs one JSON line per request as gunicorn did, and stops when told to."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from releases.models import AuditEntry

from .servers import REPO, database_url, free_ports, production_env

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


class SignIn:
    """The admin's sign-in form over HTTP, as a browser posts it (its CSRF cookie and token),
    each answer as it comes (a 302 is a signed-in user)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, body: str = "", **headers: str) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, "/admin/login/", body or None, headers)
            answer = conn.getresponse()
            return answer.status, answer.read().decode(), answer.getheader("Set-Cookie", "")
        finally:
            conn.close()

    def post(self, password: str, forwarded_for: str) -> int:
        _, page, cookie = self.request("GET")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = re.search(r"csrftoken=([^;]+)", cookie)
        assert token is not None and csrf is not None
        form = {"username": "root", "password": password, "next": "/admin/",
                "csrfmiddlewaretoken": token.group(1)}  # fmt: skip
        status, _, _ = self.request(
            "POST", urllib.parse.urlencode(form),
            **{"Content-Type": "application/x-www-form-urlencoded",
               "Cookie": f"csrftoken={csrf.group(1)}", "X-Forwarded-For": forwarded_for},
        )  # fmt: skip
        return status


@pytest.mark.django_db(transaction=True)
def test_a_forged_forwarded_for_on_a_direct_request_does_not_escape_the_sign_in_lockout(
    superuser, tmp_path
):
    """granian with TRUSTED_PROXIES=1, reached directly from an address that is not a listed
    proxy: seven wrong passwords, each with another forged X-Forwarded-For, then the right one.
    Each guess had counted against the address it forged, so the right one signed in; only a
    listed proxy's X-Forwarded-For is believed now, and the guesses count against the peer."""
    # The server checks passwords with Django's default hashers, not the suite's fast one.
    superuser.password = PBKDF2PasswordHasher().encode("pw", PBKDF2PasswordHasher().salt())
    superuser.save(update_fields=["password"])
    port = free_port()
    env = os.environ | {
        "DEBUG": "True", "DATABASE_URL": database_url(), "PORT": str(port), "HOST": "127.0.0.1",
        "TRUSTED_PROXIES": "1", "FORWARDED_ALLOW_IPS": "10.0.0.0/8", "LOGIN_FAILURE_DELAY": "0",
        "WEB_CONCURRENCY": "1", "GRANIAN_LOG_LEVEL": "warning",
    }  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "irsite.server"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no granian"
                time.sleep(0.3)
        sign_in = SignIn(port)
        assert sign_in.post("pw", "203.0.113.98") == 302  # the form signs in
        wrong = [sign_in.post("wrong", f"203.0.113.{n}") for n in range(7)]
        right = sign_in.post("pw", "203.0.113.99")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    assert 302 not in wrong, wrong
    assert right != 302, "the right password signed in after seven forged guesses"
    assert right == 429
    locked = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_LOCKED_OUT)
    assert "from 127.0.0.1" in locked.detail
