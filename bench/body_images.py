"""What body images cost: rendering a release body, the PDF rendition, the EDGAR zip.

Run: DATABASE_URL=sqlite:////tmp/body-images.sqlite3 MEDIA_ROOT=/tmp/body-images-media \
     .venv/bin/python bench/body_images.py
Prints a Markdown table (median of repeated runs, in process, SQLite and local storage).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")
os.environ.setdefault("DEBUG", "True")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from releases import actions, edgar  # noqa: E402
from releases.media.pdf import render_pdf  # noqa: E402
from releases.models import Release  # noqa: E402
from tests.files import PDF, attach, photo  # noqa: E402

BENCH = actions.SystemActor("bench")
PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the release, a sentence or two long.</p>" for n in range(30)
)


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    Release.objects.all().delete()
    rows = []
    for images in (0, 1, 4):
        release = Release(
            headline=f"Bench {images}", slug=f"bench-{images}", dateline_city="CAMBRIDGE, MA",
            body=PARAGRAPHS,
        )  # fmt: skip
        actions.save_release(release, BENCH)
        files = [("PDF", "s.pdf", PDF)] + [
            (f"Chart {n}", f"c{n}.png", photo("PNG", (640, 320))) for n in range(images)
        ]
        attach(release, BENCH, *files)
        tags = "".join(
            f'<img src="{a.get_absolute_url()}" alt="Chart">'
            for a in release.attachment_list if a.is_image
        )  # fmt: skip
        release.refresh_from_db()
        release.body = PARAGRAPHS + tags
        actions.save_release(release, BENCH)
        loaded = Release.objects.for_page().get(pk=release.pk)
        rows.append(
            (
                images,
                median_ms(loaded.body_html, 200),
                median_ms(lambda r=loaded: render_pdf(r), 5),
                median_ms(lambda r=loaded: edgar.exhibit_zip(r), 10),
            )
        )
    print("| body images | body_html (ms) | PDF rendition (ms) | EDGAR zip (ms) |")
    print("|---|---|---|---|")
    for images, page, pdf, zipped in rows:
        print(f"| {images} | {page:.2f} | {pdf:.0f} | {zipped:.1f} |")


if __name__ == "__main__":
    main()
