"""The frozen part of a release page is rendered once, at publication and at each approved
correction, stored with the release, and printed from there (releases/record/rendering.py).

The page printed from the stored record is byte for byte the page rendered from the release's
rows; a correction replaces it (its old text stays in the revision history); a change of the
templates that produce it makes every stored record stale until `manage.py render_releases`
stores it again, and the page meanwhile prints the record rendered live; nothing of a scheduled
release is public before its second; markup put into a stored row by any other path is cleaned.
"""

import inspect
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from releases import actions
from releases.models import Release, ReleaseRendering
from releases.record import rendering

from .admin_forms import approve_correction, edit_data, prepare_correction
from .conftest import SYSTEM, at
from .servers import REPO
from .shared import article

NOW = at(2026, 11, 30, 12, 0, 0)


@pytest.fixture(autouse=True)
def _uncached(settings):
    """The path this is about: every request renders (no page cache in front of the view)."""
    settings.IRSITE_PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def page(client, release: Release | str) -> str:
    url = release if isinstance(release, str) else release.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def live_rendering_of(client, release: Release) -> str:
    """The page as rendered from the release's rows, with no stored record."""
    with transaction.atomic():
        ReleaseRendering.objects.filter(release=release).delete()
        html = page(client, release)
        transaction.set_rollback(True)
    return html


def test_published_page_prints_the_record_stored_at_publication_byte_for_byte(
    client, make_release, publish, category
):
    live = publish(make_release(categories=[category]), NOW - timedelta(hours=1))
    stored = ReleaseRendering.objects.get(release=live)
    assert stored.release_version == live.version
    html = page(client, live)
    assert "First paragraph of release" in stored.content_html
    assert "IMMUNOGEN, INC." in stored.letterhead_html
    assert html == live_rendering_of(client, live)
    assert "First paragraph of release" in article(html)
    assert 'href="/news/category/corporate/"' in html  # categories are printed live


def test_release_page_is_one_query_whatever_the_release_holds(
    client, make_release, publish, category, django_assert_num_queries
):
    plain = publish(make_release(), NOW - timedelta(hours=2))
    busy = publish(
        make_release(categories=[category], notes="Note one.\nNote two."), NOW - timedelta(hours=1)
    )
    # The release with its stored record, neighbours and categories and the company (the site
    # header): one statement (releases/public/views.py, `public_page`). The site's Last-Modified
    # adds four more here, where the page cache is off (the recorded change, and the latest
    # go-live of each registered schedule: releases', events' and reports'); with it on, they
    # are read once per generation (irsite/http/pagecache.py).
    for release in (plain, busy):
        url = release.get_absolute_url()
        with django_assert_num_queries(5):
            page(client, url)
    # A correction adds a note and a revision: the same count.
    corrected = Release.objects.get(pk=busy.pk)
    corrected.headline = "Corrected headline"
    pending = actions.save_release(corrected, SYSTEM, correction_note="Headline typo.")
    actions.approve_correction(pending, actions.SystemActor("second"))
    url = busy.get_absolute_url()
    with django_assert_num_queries(5):
        html = page(client, url)
    assert "Corrected on" in html


def test_scheduled_release_is_stored_privately_and_public_only_from_its_second(
    client, make_release, publish
):
    go_live = NOW + timedelta(minutes=5)
    scheduled = publish(make_release(headline="Merger agreed (embargoed)"), go_live)
    assert ReleaseRendering.objects.filter(release=scheduled).exists()
    url = scheduled.get_absolute_url()
    with time_machine.travel(go_live - timedelta(seconds=1), tick=False):
        before = client.get(url)
        assert before.status_code == 404
        assert b"Merger agreed" not in before.content
        assert b"First paragraph" not in client.get("/news/").content
    with time_machine.travel(go_live, tick=False):
        assert "Merger agreed (embargoed)" in page(client, scheduled)


def test_approved_correction_replaces_the_stored_record_and_history_keeps_the_old_text(
    client, make_release, publish, editor, approver
):
    live = publish(make_release(body="<p>Revenue was $10 million.</p>"), NOW - timedelta(hours=1))
    data = edit_data(
        live, body="<p>Revenue was $12 million.</p>", correction_note="Revenue figure."
    )
    pending = prepare_correction(client, editor, live, data)
    # Prepared but not approved: the public page is unchanged.
    assert "$10 million" in page(client, live)
    approve_correction(client, approver, pending)
    live.refresh_from_db()
    stored = ReleaseRendering.objects.get(release=live)
    assert stored.release_version == live.version
    html = page(client, live)
    assert "$12 million" in html and "$10 million" not in html
    assert "Corrected on" in html and "Revenue figure." in html
    assert html == live_rendering_of(client, live)
    bodies = [r.data["body"] for r in live.revisions.order_by("number")]
    assert any("$10 million" in body for body in bodies)
    assert "$12 million" in bodies[-1]


def test_template_change_makes_stored_records_stale_until_render_releases_stores_them(
    client, make_release, publish, settings, django_assert_num_queries, request
):
    live = publish(make_release(), NOW - timedelta(hours=1))
    draft = make_release()
    old = ReleaseRendering.objects.get(release=live).fingerprint
    request.getfixturevalue("changed_template")
    # Stale: the page prints the record rendered live from the rows, already in the new form.
    assert 'class="new-template"' in page(client, live)
    out = StringIO()
    call_command("render_releases", stdout=out)
    assert out.getvalue().strip() == "rendered 1 release record(s)"
    stored = ReleaseRendering.objects.get(release=live)
    assert stored.fingerprint != old
    assert 'class="new-template"' in stored.content_html
    assert not ReleaseRendering.objects.filter(release=draft).exists()
    url = live.get_absolute_url()
    with django_assert_num_queries(5):  # as above: the page, and the site's Last-Modified
        assert 'class="new-template"' in page(client, url)
    call_command("render_releases", stdout=out)
    assert out.getvalue().splitlines()[-1] == "rendered 0 release record(s)"


def fingerprint_of_checkout(folder: Path) -> str:
    """`rendering.fingerprint()` as a new process running the code in ``folder`` computes it (a
    deployment of that code)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env |= {"DJANGO_SETTINGS_MODULE": "irsite.settings", "PYTHONPATH": str(folder)}
    script = "import django; django.setup(); from releases.record import rendering; "
    script += "print(rendering.fingerprint())"
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], cwd=folder, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def checkout(tmp_path: Path, name: str) -> Path:
    """A copy of the code and templates, to edit as a developer would."""
    folder = tmp_path / name
    ignore = shutil.ignore_patterns("__pycache__")
    # Every Python package of the site (each app the settings install) and the templates.
    packages = [
        p.name for p in REPO.iterdir() if (p / "__init__.py").exists() and p.name != "tests"
    ]
    for part in (*packages, "templates"):
        shutil.copytree(REPO / part, folder / part, ignore=ignore)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new))


@pytest.mark.slow
def test_an_edit_of_python_the_record_runs_makes_stored_records_stale_without_a_bump(tmp_path):
    """A model method the record prints (`Release.excerpt`) or a text helper it calls edited:
    the fingerprint changes, so every stored record is stale until `render_releases` runs
    again. An edit of code the record never runs leaves the stored records current."""
    same = checkout(tmp_path, "same")
    excerpt = checkout(tmp_path, "excerpt")
    edit(
        excerpt / "releases" / "models" / "release.py",
        'return " ".join(self.summary.split()) or summary(self.body, words)',
        'return " ".join(self.summary.split()) or summary(self.body, words=words)',
    )
    helper = checkout(tmp_path, "helper")
    edit(
        helper / "releases" / "text.py",
        "lead = format_html('<span class=\"dateline\">{}</span> ', dateline)",
        "lead = format_html('<span class=\"dateline\">{}</span>\\N{NO-BREAK SPACE}', dateline)",
    )
    unrelated = checkout(tmp_path, "unrelated")
    edit(
        unrelated / "releases" / "models" / "release.py",
        '"""Refresh what search finds of this release; `actions.save_release` calls it."""',
        '"""Refresh what search finds of this release (`actions.save_release` calls it)."""',
    )
    before = fingerprint_of_checkout(same)
    assert fingerprint_of_checkout(REPO) == before
    assert fingerprint_of_checkout(excerpt) != before
    assert fingerprint_of_checkout(helper) != before
    assert fingerprint_of_checkout(unrelated) == before


def test_every_release_method_the_record_templates_call_is_in_the_fingerprint():
    """What the fragment templates read of a release is a column or an input of the fingerprint:
    a method added to a template without adding it to `record_inputs` fails here."""
    sources = "".join(
        (Path(django_settings.BASE_DIR) / "templates" / name).read_text()
        for name in (rendering.LETTERHEAD_TEMPLATE, rendering.CONTENT_TEMPLATE)
    )
    read = set(re.findall(r"\brelease\.(\w+)", sources))
    columns = {f.name for f in Release._meta.get_fields()}
    inputs = rendering.record_inputs()
    code = {name for name in read - columns if inspect.getattr_static(Release, name) in inputs}
    assert read - columns - code == set()
    assert code  # the templates do call methods of the release


def test_markup_written_into_a_stored_record_by_another_path_is_cleaned(
    client, make_release, publish
):
    live = publish(make_release(), NOW - timedelta(hours=1))
    ReleaseRendering.objects.filter(release=live).update(
        content_html='<h1 id="headline">X</h1><script>alert(1)</script>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">y</a>'
        '<p style="color:red" onclick="alert(4)">z</p>'
    )
    html = article(page(client, live))
    assert "<script" not in html and "alert(" not in html
    assert "onerror" not in html and "onclick" not in html and "style=" not in html


# Editor HTML as anything may send it: markup, entities, figures for the table marker.
BODY_TEXT = st.lists(
    st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")),
        st.sampled_from(["<", ">", "&", '"', "'", "<script>", "</p><p>", "&amp;", "$1.2"]),
        st.sampled_from(["<table><tr><td>", "</td><td>", "<a href='javascript:x'>", "<b>"]),
    ),
    min_size=1,
    max_size=30,
).map("".join)


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=BODY_TEXT)
def test_any_body_text_prints_the_same_from_the_stored_record_as_rendered_live(
    client, make_release, publish, text
):
    with transaction.atomic():
        live = publish(make_release(body=f"<p>{text}</p>"), NOW - timedelta(hours=1))
        html = page(client, live)
        assert html == live_rendering_of(client, live)
        assert not re.search(r"<script|javascript:", article(html))
        transaction.set_rollback(True)
