#!/usr/bin/env python3
"""The admin at scale: p50 per admin page at N releases with their revisions and audit entries.

    make bench-admin                                   # 100,000 and 1,000,000 releases
    .venv/bin/python bench/admin.py --sizes 100000 --runs 15 --out bench/results/admin-x.md

For each size, in its own PostgreSQL database (``ADMIN_BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/h_scale_admin_bench``, dropped and recreated), a child
process migrates, loads the demo company and one seed release through `actions.save_release`,
then copies it N times in SQL (a few minutes at 1,000,000 where `bulk_create` would take an
hour): each copy its headline ("… No. <i>"), slug, publication time (evenly back over twenty
years), state (97 % live, 2 % drafts, 1 % withdrawn), one of 1,000 bodies (each with a word of
its own, ``kw<k>``, so a rare word matches 0.1 % of releases), a category, a search document
(weighted tsvector, as `update_search_document` writes it), a revision and two audit entries.
One draft gets 300 revisions (the save), one a 1 MB body in two revisions (the diff). Then
`VACUUM ANALYZE`, and each admin page is requested through Django's test client (the whole
middleware stack, DEBUG off) as a non-superuser Approver: 2 warm-ups, then ``--runs`` timed
requests; p50, p95, queries and bytes are printed and written as a Markdown table.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# ADMIN_BENCH_REPO: another checkout's code (e.g. the main branch's, for a before/after).
ROOT = Path(os.environ.get("ADMIN_BENCH_REPO") or Path(__file__).resolve().parents[1])
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h_scale_admin_bench"
BODIES = 1000
GIN = "releases_searchdocument_vector_gin"  # migration 0004
FILLER = (
    "Revenue for the quarter rose on higher product sales and collaboration income, while "
    "operating expenses reflected continued investment in research and development. "
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the database a previous run left (one size), without generating it again",
    )
    parser.add_argument(
        "--pages", default="", help="only the pages whose names are given, separated by |"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.runs, args.measure_only, args.pages)))
        return
    url = os.environ.get("ADMIN_BENCH_DATABASE_URL", DEFAULT_URL)
    results = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        if not args.measure_only:
            recreate(url)
        started = time.monotonic()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "False",
            "HTTPS": "False",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
            # Static URLs unhashed: the admin pages are measured, not the collected files.
            "STATIC_MANIFEST": "False",
        }
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--runs", str(args.runs)]
            + (["--measure-only"] if args.measure_only else [])
            + (["--pages", args.pages] if args.pages else []),
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        if out.returncode:
            sys.exit(f"the run at {size} failed")
        results[size] = json.loads(out.stdout.strip().splitlines()[-1])
        results[size]["total_s"] = round(time.monotonic() - started, 1)
        print(table({size: results[size]}), flush=True)
    if args.out:
        args.out.write_text(report(results, args))
        print(f"written to {args.out}")


def recreate(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    for sql in [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"']:
        subprocess.run(["psql", admin_url, "-qc", sql], check=True)


# --- the child: one database, one size ------------------------------------------------------


def child(size: int, runs: int, measure_only: bool = False, only: str = "") -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")
    import django

    django.setup()
    from django.core.management import call_command

    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    if measure_only:
        from django.contrib.auth.models import User

        from releases.models import Release

        slugs = {"seed": "seed", "many": "many-revisions", "big": "large-body"}
        seeds = {key: Release.objects.get(slug=slug).pk for key, slug in slugs.items()}
        seeds["user"] = User.objects.get(username="bench-approver").pk
        return {"generate_s": None, "pages": measure(seeds, runs, only)}
    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    seeds = make_seeds()
    log(f"[{size}] migrated and seeded in {time.monotonic() - t0:.0f}s")
    t1 = time.monotonic()
    copy_releases(size, seeds["seed"])
    log(
        f"[{size}] {size} releases with documents, revisions, audit in {time.monotonic() - t1:.0f}s"
    )
    generate_s = time.monotonic() - t1
    return {"generate_s": round(generate_s, 1), "pages": measure(seeds, runs, only)}


def make_seeds() -> dict:
    from django.contrib.auth.models import Group, User

    from irsite.contacts.models import Contact
    from irsite.disclaimers.models import DisclaimerVersion
    from releases import actions, demo
    from releases.models import Category, Release

    system = actions.SystemActor("bench")
    approver = User.objects.create_user("bench-approver", password="x", is_staff=True)  # noqa: S106
    approver.groups.add(Group.objects.get(name="Approvers"))
    category, _ = Category.objects.get_or_create(slug="corporate", defaults={"name": "Corporate"})
    contacts = list(Contact.objects.order_by("pk"))
    versions = list(DisclaimerVersion.objects.order_by("pk"))

    def make(slug: str, body: str) -> Release:
        release = Release(
            headline=f"Company announces {slug}",
            slug=slug,
            dateline_city="CAMBRIDGE, MA",
            published_at=None,
            body=body,
        )

        def related() -> None:
            for i, contact in enumerate(contacts[:2]):
                release.releasecontact_set.create(contact=contact, position=i)
            for i, version in enumerate(versions):
                release.releasedisclaimer_set.create(version=version, position=i)
            release.categories.set([category])

        actions.save_release(release, system, write_related=related)
        return release

    seed = make("seed", demo.RELEASE["body"])
    many = make("many-revisions", "<p>A draft edited many times.</p>")
    for n in range(299):  # revisions 2..300, through the action as the desk makes them
        many.body = f"<p>A draft edited many times: edit {n}.</p>"
        actions.save_release(many, system)
    paragraph = "<p>" + "Revenue grew in every segment of the business this quarter. " * 40
    big = make("large-body", (paragraph + "</p>") * 420)  # ~1 MB of HTML
    big.body = big.body.replace("every segment", "most segments", 50)
    actions.save_release(big, system)
    return {"seed": seed.pk, "many": many.pk, "big": big.pk, "user": approver.pk}


def copy_releases(size: int, seed: int) -> None:
    """``size`` copies of the seed release, in SQL: every column copied but those that make a
    release its own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'releases_release' ORDER BY ordinal_position"
        )
        columns = [row[0] for row in cursor.fetchall() if row[0] != "id"]
        own = {
            "uuid": "gen_random_uuid()",
            "headline": "'Company announces update No. ' || i",
            "slug": "'update-' || i",
            "published_at": "now() - interval '1 day' - (i * interval '20 years' / %(n)s)",
            "body": "b.body",
            "status": (
                "CASE WHEN i %% 50 = 0 THEN 'draft' WHEN i %% 100 = 1 THEN 'withdrawn' "
                "ELSE 'published' END"
            ),
            "withdrawn_at": "CASE WHEN i %% 100 = 1 THEN now() - interval '1 day' END",
        }
        select = ", ".join(own.get(c, f's."{c}"') for c in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        # One of BODIES bodies per release (~2 KB of text), each with a word only it has
        # ("kw<k>"), its search vector made once here rather than once per release.
        cursor.execute(
            "CREATE TEMP TABLE bodies AS SELECT k, 'The company today reported progress in its '"
            " || 'programs, kw' || k || ', and its outlook for the year. ' || repeat(%s, 12) "
            "AS text FROM generate_series(0, %s) k",
            [FILLER, BODIES - 1],
        )
        cursor.execute(
            "ALTER TABLE bodies ADD COLUMN body text, ADD COLUMN vector tsvector; "
            "UPDATE bodies SET body = '<p>' || text || '</p>', "
            "vector = setweight(to_tsvector('english', text), 'C')"
        )
        # The search index is built once at the end, faster than a million inserts into it.
        cursor.execute(f"DROP INDEX {GIN}")
        cursor.execute(
            f"INSERT INTO releases_release ({names}) SELECT {select} "
            "FROM releases_release s, generate_series(1, %(n)s) i "
            f"JOIN bodies b ON b.k = i %% {BODIES} WHERE s.id = %(seed)s",
            {"n": size, "seed": seed},
        )

        def copies(more: str = "") -> str:
            return f"FROM releases_release r {more} WHERE r.slug LIKE 'update-%%'"

        cursor.execute(
            "INSERT INTO releases_searchdocument (release_id, body_text, vector) "
            "SELECT r.id, b.text, setweight(to_tsvector('english', r.headline), 'A') || b.vector "
            f"{copies('JOIN bodies b ON b.k = substring(r.slug from 8)::int %% 1000')}",
            [],  # so that %% reads as %
        )
        cursor.execute(
            "INSERT INTO releases_release_categories (release_id, category_id) "
            f"SELECT r.id, c.category_id {copies(', releases_release_categories c')} "
            "AND c.release_id = %s",
            [seed],
        )
        cursor.execute(
            "INSERT INTO releases_revision (release_id, number, created_at, data, note) "
            "SELECT r.id, 1, r.created_at, v.data || jsonb_build_object('headline', r.headline, "
            "'slug', r.slug, 'body', r.body), '' "
            f"{copies(', releases_revision v')} "
            "AND v.release_id = %s AND v.number = 1",
            [seed],
        )
        for action, when in [("created", "r.created_at"), ("published", "r.published_at")]:
            cursor.execute(
                "INSERT INTO releases_auditentry (at, username, action, release_id, "
                f"release_headline, detail) SELECT coalesce({when}, now()), 'bench', %s, r.id, "
                f"r.headline, '' {copies()}",
                [action],
            )
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(f"CREATE INDEX {GIN} ON releases_searchdocument USING gin (vector)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(seeds: dict, runs: int, only: str = "") -> list[dict]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from releases.models import Release

    client = Client()
    client.force_login(User.objects.get(pk=seeds["user"]))
    changelist = reverse("admin:releases_release_changelist")
    audit = reverse("admin:releases_auditentry_changelist")
    one = Release.objects.filter(slug__startswith="update-").order_by("-published_at").first()
    assert one is not None
    change = reverse("admin:releases_release_change", args=[one.pk])
    many = Release.objects.get(pk=seeds["many"])
    big_revisions = reverse("admin:releases_release_revisions", args=[seeds["big"]])
    pages = [
        ("release list", changelist, {}),
        ("release list, live", changelist, {"state": "live"}),
        ("release list, drafts", changelist, {"state": "draft"}),
        ("release list, withdrawn", changelist, {"state": "withdrawn"}),
        ("release list, a year", changelist, {"year": str(one.published_at.year - 5)}),
        ("release search, a word of every release", changelist, {"q": "company"}),
        ("release search, a rare body word (0.1 %)", changelist, {"q": "kw417"}),
        ("release search, one release", changelist, {"q": f"No. {one.headline.split()[-1]}"}),
        ("change form", change, {}),
        ("revisions: diff of a 1 MB body", big_revisions, {"a": "1", "b": "2"}),
        ("audit list", audit, {}),
        ("audit list, one action", audit, {"action": "published"}),
        ("audit list, release search box", audit, {"release_words": "kw417"}),
        ("audit list, one release", audit, {"release": str(one.pk)}),
    ]
    # The change forms of two drafts, and a save of one with 300 revisions (a revision
    # more each time) through its change form.
    pages += [
        (
            "change form, a draft with 1 revision",
            reverse("admin:releases_release_change", args=[seeds["seed"]]),
            {},
        ),
        (
            "change form, 300 revisions",
            reverse("admin:releases_release_change", args=[many.pk]),
            {},
        ),
    ]
    wanted = set(only.split("|")) if only else None
    results = [
        timed(client, name, url, params, runs)
        for name, url, params in pages
        if wanted is None or name in wanted
    ]

    def save() -> tuple[int, int, int]:
        many.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                reverse("admin:releases_release_change", args=[many.pk]),
                edit_data(many, body=f"<p>Edit at {time.time()}</p>"),
            )
        assert response.status_code == 302, response.status_code
        return response.status_code, len(captured.captured_queries), 0

    saving = "save, a release with 300+ revisions"
    if wanted is None or saving in wanted:
        results.append(timed_call(saving, save, runs))
    return results


def timed(client, name: str, url: str, params: dict, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200, (name, response.status_code)
        return response.status_code, len(captured.captured_queries), len(response.content)

    return timed_call(name, get, runs)


def timed_call(name: str, call, runs: int) -> dict:
    for _ in range(2 if runs > 1 else 0):  # warm-ups (none for a single slow request)
        call()
    times, cpu, queries, size = [], [], 0, 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        _, queries, size = call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    row = {
        "page": name,
        "p50_ms": round(statistics.median(times), 1),
        # This process's CPU (Django, templates; not PostgreSQL's): what load inflates least.
        "cpu_ms": round(statistics.median(cpu), 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
        "queries": queries,
        "kb": round(size / 1024),
    }
    print(row, file=sys.stderr, flush=True)
    return row


def edit_data(release, **overrides) -> dict:
    """What the change form posts for ``release`` as loaded, with ``overrides`` typed in."""
    from django.utils import timezone

    data = {
        name: "" if getattr(release, name) is None else getattr(release, name)
        for name in release.CONTENT_FIELDS
    }
    data.pop("published_at")
    if release.published_at:
        local = timezone.localtime(release.published_at)
        data |= {"published_at_0": f"{local:%Y-%m-%d}", "published_at_1": f"{local:%H:%M:%S}"}
    data |= {
        "based_on_version": release.version,
        "correction_note": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "categories": [c.pk for c in release.categories.all()],
    }
    for prefix, rows, key in [
        ("releasecontact_set", release.releasecontact_set.all(), "contact"),
        ("releasedisclaimer_set", release.releasedisclaimer_set.all(), "version"),
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for i, row in enumerate(rows):
            data |= {
                f"{prefix}-{i}-id": row.pk,
                f"{prefix}-{i}-release": release.pk,
                f"{prefix}-{i}-{key}": getattr(row, f"{key}_id"),
                f"{prefix}-{i}-position": row.position,
            }
    return data | overrides


# --- the report -------------------------------------------------------------------------------


def table(results: dict) -> str:
    sizes = sorted(results)
    head = "| page | " + " | ".join(
        f"{s:,}: p50 ms (p95) · app CPU ms · queries · KB" for s in sizes
    )
    head += " |"
    lines = [head, "|---|" + "---|" * len(sizes)]
    names = [row["page"] for row in results[sizes[0]]["pages"]]
    for i, name in enumerate(names):
        cells = []
        for s in sizes:
            row = results[s]["pages"][i]
            cpu = row.get("cpu_ms", "–")
            cells.append(
                f"{row['p50_ms']} ({row['p95_ms']}) · {cpu} · {row['queries']} · {row['kb']}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    gen = ", ".join(
        f"{s:,}: {results[s]['generate_s']} s" for s in sizes if results[s]["generate_s"]
    )
    made = f"\n\nGeneration (SQL copies, documents, revisions, audit): {gen}" if gen else ""
    return "\n".join(lines) + made + "\n"


def report(results: dict, args) -> str:
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    command = f"bench/admin.py --sizes {args.sizes} --runs {args.runs}"
    command += " --measure-only" if args.measure_only else ""
    return (
        f"# The admin at scale ({time.strftime('%Y-%m-%d')})\n\n"
        f"`{command}` (`make bench-admin`), PostgreSQL 15, Django's test client through the whole "
        "middleware stack, DEBUG off, as a non-superuser Approver; "
        f"{args.runs} timed requests per page after 2 warm-ups.\n\n"
        f"Load at the end of the run: `{load}`\n\n{table(results)}"
    )


if __name__ == "__main__":
    main()
