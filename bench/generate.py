#!/usr/bin/env python3
"""Fill the configured database with N realistic public releases, fast (bulk inserts).

    DATABASE_URL=postgres://... .venv/bin/python bench/generate.py 10000

Each release is shaped like the seed (ImmunoGen's Exhibit 99.1, kept in `releases.demo`): the
seed's body, its two contacts, its About and safe-harbor texts, one or two of eight categories,
an exhibit label, a headline of its own. Publication times step back from yesterday evenly
over twenty years, so year archives hold N/20 releases each. One more release is scheduled a
week ahead, as on a real site (it must stay invisible; the cache lifetime is capped by it).

Rows go in with `bulk_create` (no revisions or audit entries: the public pages never read
them), each with its search document (the body's text and, on PostgreSQL, the weighted
tsvector `Release.update_search_document` stores, computed in SQL), then `VACUUM ANALYZE`.
Every release names the company ("ImmunoGen", a word search finds everywhere); one in
`RARE_EVERY` also names `RARE_WORD` (20 releases in 100,000), the two ends of a search bench.
Expects a migrated, otherwise empty database.

    --no-records  leaves the stored records to be rendered later (the worker's background
                  re-render, or `manage.py render_releases`), as after a template change
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from irsite.contacts.models import CompanyProfile, Contact, Letterhead  # noqa: E402
from irsite.disclaimers.models import DisclaimerVersion  # noqa: E402
from releases import demo  # noqa: E402
from releases.actions import render_stale_records  # noqa: E402
from releases.models import (  # noqa: E402
    Category,
    Release,
    ReleaseContact,
    ReleaseDisclaimer,
    SearchDocument,
)
from releases.text import plain_text  # noqa: E402

BATCH = 2000
# A word few releases contain, for the rare end of the search bench (bench/search.py).
RARE_WORD = "zanidatamab"
RARE_EVERY = 5000
RARE_PARAGRAPH = f"<p>The Company also reported progress with {RARE_WORD} in a partner study.</p>"
# The stored tsvector of `Release.update_search_document` (releases.models.fields.weighted_vector),
# for a whole batch in one statement.
VECTOR_SQL = """
    UPDATE releases_searchdocument d SET vector =
        setweight(to_tsvector('english', translate(r.headline, '<>', '  ')), 'A')
        || setweight(to_tsvector('english', translate(r.subheadline, '<>', '  ')), 'B')
        || setweight(to_tsvector('english', translate(d.body_text, '<>', '  ')), 'C')
    FROM releases_release r WHERE r.id = d.release_id AND d.release_id = ANY(%s)
"""
CATEGORIES = [
    ("Corporate", "corporate"),
    ("Clinical development", "clinical-development"),
    ("Financial results", "financial-results"),
    ("Partnerships", "partnerships"),
    ("Regulatory", "regulatory"),
    ("Management", "management"),
    ("Events", "events"),
    ("Dividends", "dividends"),
]
SUBJECTS = [
    "Regains Development and Commercialization Rights for Cantuzumab Mertansine",
    "Reports Second Quarter Fiscal Results",
    "Announces Licensing Agreement with a New Marketing Partner",
    "Presents Phase I Data at the Annual Meeting",
    "Appoints Chief Financial Officer",
    "Expands Multitarget Collaboration",
    "Announces Conference Call to Discuss Results",
    "Receives Milestone Payment",
]


def generate(n: int, records: bool = True) -> None:
    call_command("load_demo", verbosity=0)
    categories = [
        Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for name, slug in CATEGORIES
    ]
    contacts = list(Contact.objects.order_by("pk"))
    # The company profile frozen at approval, as every published release carries it.
    letterhead = Letterhead.of(CompanyProfile.load())
    versions = list(DisclaimerVersion.objects.order_by("pk"))
    now = timezone.now().replace(microsecond=0)
    newest = now - timedelta(days=1)
    step = timedelta(days=365 * 20) / max(n, 1)
    body = demo.RELEASE["body"]
    rare_body = body + RARE_PARAGRAPH
    texts = {body: plain_text(body), rare_body: plain_text(rare_body)}
    made = 0
    started = time.perf_counter()
    while made < n:
        size = min(BATCH, n - made)
        with transaction.atomic():
            batch = []
            for i in range(made, made + size):
                at = (newest - step * i).replace(microsecond=0)
                subject = SUBJECTS[i % len(SUBJECTS)]
                batch.append(
                    Release(
                        headline=f"ImmunoGen, Inc. {subject} ({i + 1})",
                        slug=slugify(f"{subject[:60]} {i + 1}"),
                        dateline_city="CAMBRIDGE, MA",
                        published_at=at,
                        body=rare_body if i % RARE_EVERY == RARE_EVERY // 2 else body,
                        exhibit_label="EXHIBIT 99.1",
                        letterhead=letterhead,
                        status=Release.Status.PUBLISHED,
                        content_changed_at=at,
                    )
                )
            Release.objects.bulk_create(batch)
            ReleaseContact.objects.bulk_create(
                ReleaseContact(release=r, contact=c, position=p)
                for r in batch
                for p, c in enumerate(contacts)
            )
            ReleaseDisclaimer.objects.bulk_create(
                ReleaseDisclaimer(release=r, version=v, position=p)
                for r in batch
                for p, v in enumerate(versions)
            )
            SearchDocument.objects.bulk_create(
                SearchDocument(release=r, body_text=texts[r.body]) for r in batch
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(VECTOR_SQL, [[r.pk for r in batch]])
            through = Release.categories.through
            through.objects.bulk_create(
                through(release_id=r.pk, category_id=categories[k].pk)
                for j, r in enumerate(batch)
                for k in {(made + j) % 8, (made + j) % 3}
            )
        made += size
    scheduled = Release.objects.create(
        headline="ImmunoGen, Inc. Will Report Results Next Week (scheduled)",
        slug="scheduled-results-next-week",
        dateline_city="CAMBRIDGE, MA",
        published_at=now + timedelta(days=7),
        body=body,
        status=Release.Status.PUBLISHED,
    )
    ReleaseContact.objects.create(release=scheduled, contact=contacts[0])
    scheduled.update_search_document()
    elapsed = time.perf_counter() - started
    # What publication would have stored for each (releases/record/rendering.py), as `make serve`
    # does.
    if records:
        rendering_started = time.perf_counter()
        rendered = render_stale_records()
        print(f"rendered {rendered} records in {time.perf_counter() - rendering_started:.1f}s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    print(f"created {n} releases in {elapsed:.1f}s ({n / elapsed:.0f}/s)")


if __name__ == "__main__":
    generate(int(sys.argv[1]), records="--no-records" not in sys.argv[2:])
