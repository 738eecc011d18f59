"""Time the PDF rendition: WeasyPrint itself, a first request with no stored PDF, and requests
once it is stored (whole, ranged, conditional). Run inside `manage.py shell` on a demo database;
bench/results/pdf-and-file-responses.md has the command and figures."""

import statistics
import time

from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment

from releases.media.pdf import render_pdf
from releases.models import Release, Rendition

setup_test_environment()
settings.ALLOWED_HOSTS = ["*"]
release = Release.objects.public().for_page().order_by("-published_at").first()
print("release", release.slug, len(release.body), "chars of body")
times = []
for _ in range(5):
    start = time.perf_counter()
    render_pdf(release)
    times.append(time.perf_counter() - start)
print(f"render_pdf: median {statistics.median(times):.3f} s, min {min(times):.3f}, "
      f"max {max(times):.3f} (5 runs)")  # fmt: skip
client = Client()


def timed(**headers: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(release.get_pdf_url(), **headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return time.perf_counter() - start, response.status_code


Rendition.objects.filter(release=release).delete()
seconds, status = timed()
print(f"first request without a stored PDF: {seconds:.3f} s ({status})")
for label, headers in [
    ("stored PDF (200)", {}),
    ("Range bytes=0-1023 (206)", {"HTTP_RANGE": "bytes=0-1023"}),
    ("If-None-Match (304)", {"HTTP_IF_NONE_MATCH": client.get(release.get_pdf_url())["ETag"]}),
]:
    runs = [timed(**headers) for _ in range(20)]
    print(f"{label}: median {statistics.median(t for t, _ in runs):.4f} s over 20, "
          f"status {runs[0][1]}")  # fmt: skip
