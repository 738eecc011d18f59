"""Production behaviour: deploy checks, security headers, health, outages, sign-in throttling."""

import io
import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import urlencode

from irsite.logs import JsonFormatter
from releases import actions
from releases.models import AuditEntry

from .conftest import at, redis_cache
from .servers import REPO, production_env


@pytest.mark.server
def test_check_deploy_with_production_settings_prints_no_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output


@pytest.mark.server
def test_plain_http_switch_turns_off_redirect_hsts_and_secure_cookies(tmp_path):
    def switches(**extra: str) -> list[str]:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings as s; "
                "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD, "
                "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
                "s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY)",
            ],
            cwd=REPO,
            env=production_env(tmp_path, **extra),
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert switches() == ["True", "31536000", "True", "True", "True", "True", "True"]
    # Cookies stay out of reach of scripts over plain HTTP too.
    assert switches(HTTPS="False") == ["False", "0", "False", "False", "False", "True", "True"]


# --- security headers on every public URL ------------------------------------------------------


def public_routes(resolver=None, prefix: str = "", namespace: str = ""):
    """(name, route, converters) of every named URL of the URLconf outside the admin."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_routes(entry, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            yield f"{namespace}{entry.name}", route, list(converters)


@pytest.fixture
def site_with_everything(make_release, publish, category, superuser):
    release = publish(make_release(categories=[category]), at(2003, 1, 24, 8, 0, 0))
    draft = make_release()
    link = actions.create_preview_link(draft, superuser)
    return release, category, link


def sample_kwargs(route: str, names: list[str], release, category, link) -> dict:
    local = timezone.localtime(release.published_at)
    samples = {
        "year": local.year,
        "month": local.month,
        "day": local.day,
        "slug": category.slug if "category" in route else release.slug,
        "token": link.get_absolute_url().rstrip("/").rsplit("/", 1)[-1],
        "name": f"{release.slug}.pdf",  # a file name (tests/test_attachments.py: real ones)
        "section": "releases-0",
        "group": "current",  # a form group of the SEC filings list
        # The JSON API: a release by its id; any other path under /api/.
        "release_id": str(release.uuid),
        "rest": "v1/nothing-here",
        # Results kits by fiscal period; the API's other nouns by ids nobody has.
        "period": "q4",
        "fiscal_year": 2026,
        "event_id": "3f1d6c1e-8a53-4c1e-9a4b-2f7f6b0d9a10",
        "report_id": "3f1d6c1e-8a53-4c1e-9a4b-2f7f6b0d9a11",
        "accession_number": "0000855654-26-000001",
    }
    missing = [n for n in names if n not in samples]
    if missing:
        pytest.fail(f"add a sample value for <{', '.join(missing)}> of {route!r} to this test")
    return {n: samples[n] for n in names}


def assert_security_headers(response, url: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, url
    assert "unsafe-inline" not in csp, url
    # Framing as X-Frame-Options says (browsers obey the CSP over it): none, or same origin.
    framing = response.headers.get("X-Frame-Options", "DENY")
    assert {"DENY": "frame-ancestors 'none'", "SAMEORIGIN": "frame-ancestors 'self'"}[
        framing
    ] in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", url


@pytest.mark.django_db
def test_every_public_url_sends_csp_nosniff_and_referrer_policy(site_with_everything):
    release, category, link = site_with_everything
    client = Client()
    seen, framable = [], []
    for name, route, names in public_routes():
        url = reverse(name, kwargs=sample_kwargs(route, names, release, category, link))
        response = client.get(url)
        # Signed-link pages answer a made-up token with 400/404: headers all the same.
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        assert_security_headers(response, url)
        seen.append(name)
        if response.headers.get("X-Frame-Options") != "DENY":
            framable.append(name)
    # The walk found the pages it must have found (and more as the URLconf grows).
    assert {"home", "releases:list", "releases:detail", "releases:rss", "healthz"} <= set(seen)
    # Only the email sign-up form may be framed, and only by the site's own pages.
    assert framable == ["alerts:embed"]


@pytest.mark.django_db
def test_error_pages_send_the_same_security_headers():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response, "/no-such-page/")


@pytest.mark.django_db
def test_admin_gets_its_own_policy_and_stays_private():
    response = Client().get(reverse("admin:login"))
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


# --- health and outages --------------------------------------------------------------------


def refuse_queries(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


@pytest.mark.django_db
def test_healthz_is_200_when_every_dependency_answers():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "pooler": "ok",
        "clock_skew_seconds": 0.0,
        "clock": "ok",
        "edgar": "ok",  # the SEC filings list (no CIK set here)
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer():
    with connection.execute_wrapper(refuse_queries):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("OperationalError")
    assert response.json()["cache"] == "ok"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_does_not_touch_any_release(django_assert_num_queries):
    # The database's answer, and the SEC filings list's source row (is the list stale?).
    with django_assert_num_queries(2) as captured:
        Client().get("/healthz")
    assert captured.captured_queries[0]["sql"] == "SELECT 1"
    assert "filings_edgarsource" in captured.captured_queries[1]["sql"]
    assert not any("releases_" in q["sql"] for q in captured.captured_queries)


# Nothing listens on port 1: every command fails at once, like a Redis that is down.
REDIS_DOWN = {"default": redis_cache("redis://127.0.0.1:1/2")}


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_does_not_answer(settings):
    settings.CACHES = REDIS_DOWN
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert "ConnectionError" in response.json()["cache"]


@pytest.mark.django_db
def test_redis_down_makes_the_cache_a_miss_not_an_error(settings, make_release, publish, caplog):
    settings.CACHES = REDIS_DOWN
    release = publish(make_release(), at(2003, 1, 24, 8, 0, 0))
    with caplog.at_level(logging.WARNING, logger="irsite.http.redis"):
        assert cache.set("k", "v") is None
        assert cache.get("k", "fallback") == "fallback"
        assert cache.add("k", "v") is False
        assert cache.get_many(["k"]) == {}
        cache.delete("k")
        response = Client().get(release.get_absolute_url())
    assert response.status_code == 200
    assert "unreachable" in caplog.text


@pytest.mark.server
def test_a_redis_cache_url_treats_an_unreachable_redis_as_a_miss():
    """Settings built from CACHE_URL=redis://..., as production builds them: a cache call
    while Redis is down is a miss, never an exception (nothing listens on port 1)."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.core.cache import cache; cache.set('k', 'v'); "
            "print(repr(cache.get('k', 'miss')), cache.get_many(['k']))",
        ],
        cwd=REPO,
        env=os.environ | {"CACHE_URL": "redis://127.0.0.1:1/0", "LOG_LEVEL": "CRITICAL"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "'miss' {}"


@pytest.mark.django_db
def test_database_outage_answers_a_clear_503_page_and_recovers(make_release, publish):
    release = publish(make_release(), at(2003, 1, 24, 8, 0, 0))
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(refuse_queries):
        down = client.get(release.get_absolute_url())
    assert down.status_code == 503
    assert b"Temporarily unavailable" in down.content
    assert b"Traceback" not in down.content and b"OperationalError" not in down.content
    assert down["Retry-After"] == "10"
    assert "no-store" in down["Cache-Control"]
    assert_security_headers(down, "503")
    assert client.get(release.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_other_server_errors_answer_500_without_a_traceback(monkeypatch):
    def broken(self, request):
        raise RuntimeError("bug")

    monkeypatch.setattr("irsite.contacts.views.ContactListView.get", broken)
    response = Client(raise_request_exception=False).get("/contacts/")
    assert response.status_code == 500
    assert b"Server error" in response.content and b"RuntimeError" not in response.content


@pytest.mark.django_db
def test_an_error_is_logged_as_one_json_line_with_the_request_and_traceback(make_release):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        with connection.execute_wrapper(refuse_queries):
            Client(raise_request_exception=False).get("/news/?page=2")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["method"] == "GET" and entry["path"] == "/news/?page=2"
    assert entry["status_code"] == 503
    assert entry["exc_type"] == "OperationalError"
    assert "Traceback" in entry["traceback"]


# --- admin sign-in throttling ----------------------------------------------------------------


def sign_in(client: Client, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": "root", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def throttle(settings):
    settings.AXES_FAILURE_LIMIT = 4
    settings.IRSITE_LOGIN_FAILURE_DELAY = 0.1


@pytest.mark.django_db
def test_failed_sign_ins_are_answered_ever_more_slowly(throttle, superuser):
    client = Client()
    timings = []
    for _ in range(3):
        started = time.monotonic()
        response = sign_in(client, "wrong")
        timings.append(time.monotonic() - started)
        assert response.status_code == 200  # the form again, with its error
    assert timings[0] >= 0.1
    assert timings[2] >= 0.3


@pytest.mark.django_db
def test_repeated_failures_lock_the_address_out_and_are_audited(throttle, superuser):
    client = Client()
    for _ in range(3):
        sign_in(client, "wrong")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_LOCKED_OUT).exists()

    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    # Locked out even with the right password, from that address only.
    assert sign_in(client, "pw").status_code == 429
    assert sign_in(Client(), "pw", address="198.51.100.9").status_code == 302

    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_LOCKED_OUT)
    assert entry.username == "root"
    assert entry.release is None
    assert "4 failed sign-ins from 203.0.113.7" in entry.detail


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_failure_count(throttle, superuser):
    client = Client()
    for _ in range(3):
        sign_in(client, "wrong")
    assert sign_in(client, "pw").status_code == 302
    client.logout()
    for _ in range(3):
        sign_in(client, "wrong")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_LOCKED_OUT).exists()


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_client_address_is_throttled(throttle, settings, superuser):
    settings.IRSITE_TRUSTED_PROXIES = 1
    settings.IRSITE_PROXY_ADDRESSES = ["10.0.0.0/8"]  # the load balancer's network
    client = Client()
    for _ in range(4):
        client.post(
            reverse("admin:login"),
            {"username": "root", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50",
        )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_LOCKED_OUT)
    assert "from 203.0.113.50" in entry.detail
    # Another client behind the same load balancer is not locked out.
    other = client.post(
        reverse("admin:login"),
        {"username": "root", "password": "pw"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_address_from_outside_the_proxies_does_not_escape_the_lockout(
    throttle, settings, superuser
):
    """Someone who reaches an app server directly writes a new X-Forwarded-For for each guess:
    only a proxy's X-Forwarded-For is believed, so the guesses count against the real peer."""
    settings.IRSITE_TRUSTED_PROXIES = 1
    client = Client()
    for n in range(4):
        client.post(
            reverse("admin:login"),
            {"username": "root", "password": "wrong"},
            REMOTE_ADDR="198.51.100.77",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    right = client.post(
        reverse("admin:login"),
        {"username": "root", "password": "pw"},
        REMOTE_ADDR="198.51.100.77",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert right.status_code == 429
    assert (
        "from 198.51.100.77"
        in AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_LOCKED_OUT).detail
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/", "//evil.example/", "http:evil.example", "/\\evil.example/"],
)
def test_a_sign_in_whose_next_leaves_the_site_lands_on_the_admin_index(superuser, elsewhere):
    """Refused, it had landed on Django's default /accounts/profile/, a 404 here."""
    client = Client()
    response = client.post(
        reverse("admin:login") + "?" + urlencode({"next": elsewhere}),
        {"username": "root", "password": "pw", "next": elsewhere},
        REMOTE_ADDR="203.0.113.8",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_signing_in_without_a_request_still_works_for_commands_and_tests(superuser):
    assert Client().login(username="root", password="pw")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["releases:rss", "releases:atom"])
def test_a_feed_is_sent_in_one_piece_not_hundreds(name, make_release, publish):
    for _ in range(3):
        publish(make_release(), at(2003, 1, 24, 8, 0, 0))
    response = Client().get(reverse(name))
    assert response.status_code == 200
    # The WSGI server sends each piece of a response separately; the syndication framework
    # writes a feed in hundreds of them.
    assert len(list(response)) == 1


def test_a_key_prefix_in_cache_url_keeps_two_sites_on_one_redis_apart():
    """Two deployments (or two test servers) on one Redis database: ``?key_prefix=`` in
    CACHE_URL must reach Django, or they share every page, generation and lock."""
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(settings.CACHES['default']['KEY_PREFIX'])"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "irsite.settings",
        "CACHE_URL": "redis://127.0.0.1:6379/1?key_prefix=site-b",
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "site-b"
