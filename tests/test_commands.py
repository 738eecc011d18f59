"""Management commands and configuration, run as an operator runs them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from irsite.contacts.models import CompanyProfile, Contact
from irsite.disclaimers.models import DisclaimerVersion
from releases.models import AuditEntry, Release

ROOT = Path(__file__).resolve().parents[1]


def test_load_demo_loads_the_seed_once(db, client):
    call_command("load_demo")
    call_command("load_demo")
    release = Release.objects.public().get()
    assert release.headline.startswith("ImmunoGen, Inc. Regains Development")
    assert (Contact.objects.count(), DisclaimerVersion.objects.count()) == (2, 2)
    assert CompanyProfile.load().listing == "Nasdaq: IMGN"
    assert list(release.audit_entries.values_list("action", flat=True).order_by("pk")) == [
        AuditEntry.Action.CREATED,
        AuditEntry.Action.IMPORTED,
        AuditEntry.Action.PUBLISHED,
    ]
    assert client.get(release.get_absolute_url()).status_code == 200


def test_load_demo_creates_the_demo_users_in_their_groups(db, client):
    call_command("load_demo", "--users")
    assert client.login(username="editor", password="irsite-demo")
    assert client.get("/admin/releases/release/add/").status_code == 200
    assert client.login(username="admin", password="admin")


def test_migrations_match_the_models(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "irsite.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("secret", "message"),
    [("", "SECRET_KEY is not set"), ("short", "not a real secret")],
    ids=["missing", "weak"],
)
@pytest.mark.server
def test_production_refuses_to_start_without_a_real_secret_key(secret, message):
    result = _settings_in_subprocess(DEBUG="False", SECRET_KEY=secret, ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.server
def test_production_starts_with_a_real_secret_key():
    result = _settings_in_subprocess(DEBUG="False", SECRET_KEY="k" * 64, ALLOWED_HOSTS="x")
    assert result.returncode == 0, result.stderr


@pytest.mark.server
def test_site_runs_with_no_environment_at_all_on_sqlite():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; import django; "
         "django.setup(); print(s.DATABASES['default']['ENGINE'], s.DEBUG)"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "irsite.settings"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def _make_env(*args: str) -> str:
    """SITE_URL as `make` exports it to the commands of a target, for the given variables."""
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "HOST"}}
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "print-env: ; @echo $$SITE_URL",
         "print-env", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


@pytest.mark.server
def test_make_run_links_emails_to_the_port_it_serves_on():
    # Confirmation and alert links must reach the server `PORT=8801 make run` started.
    assert _make_env("PORT=8801") == "http://127.0.0.1:8801"
    assert _make_env("HOST=0.0.0.0", "PORT=9000") == "http://0.0.0.0:9000"
    assert _make_env("PORT=8801", "SITE_URL=https://ir.example.com") == "https://ir.example.com"
