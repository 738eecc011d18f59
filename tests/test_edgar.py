"""EDGAR exhibits in and out, through the management commands and the admin, on real filings."""

import hashlib
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from irsite.contacts.models import Contact
from irsite.disclaimers.models import DisclaimerVersion
from releases import edgar
from releases.exhibits import parse_exhibit
from releases.exhibits.render_common import split_blocks
from releases.models import AuditEntry, Release

from .conftest import SYSTEM, at, corpus_dir, needs_corpus

SEED = corpus_dir() / "seed" / "ex99-1-immunogen-2003-01-24.txt"
CORPUS = corpus_dir() / "corpus"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_exhibit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@needs_corpus
def test_importing_the_seed_creates_a_draft_with_every_part(db):
    out, _ = run(str(SEED))
    assert "1 imported, 0 unchanged, 0 failed" in out
    release = Release.objects.for_page().get()
    assert release.state == "draft"
    assert release.headline.startswith("IMMUNOGEN, INC. REGAINS DEVELOPMENT")
    assert release.dateline_city == "CAMBRIDGE, MA"
    assert release.published_at == at(2003, 1, 24, 8, 0, 0)
    assert release.exhibit_label == "EXHIBIT 99.1"
    assert [(c.name, c.audience) for c in release.ordered_contacts()] == [
        ("Carol Hausner", "investors"),
        ("Pete Holmberg", "media"),
    ]
    assert [v.heading for v in release.abouts()] == ["ABOUT IMMUNOGEN, INC."]
    assert "Private Securities Litigation Reform Act" in release.safe_harbors()[0].text
    assert release.body.startswith("<p>ImmunoGen, Inc. (Nasdaq: IMGN) today announced")
    assert release.audit_entries.filter(action=AuditEntry.Action.IMPORTED).exists()


@needs_corpus
def test_reimporting_the_same_file_changes_nothing(db):
    run(str(SEED))
    counts = (Release.objects.count(), Contact.objects.count(), DisclaimerVersion.objects.count())
    out, _ = run(str(SEED))
    assert "0 imported, 1 unchanged, 0 failed" in out
    assert counts == (
        Release.objects.count(),
        Contact.objects.count(),
        DisclaimerVersion.objects.count(),
    )


@needs_corpus
def test_import_matches_existing_contacts_and_reuses_identical_texts(db, contacts):
    run(str(SEED))
    carol = Contact.objects.get(name="Carol Hausner")
    assert Contact.objects.count() == 2
    assert Release.objects.get().releasecontact_set.first().contact == carol
    # A second filing with the same boilerplate points at the same versions.
    other = SEED.read_bytes().replace(b"REGAINS DEVELOPMENT", b"REGAINS MORE")
    edgar.import_file(other, "other.txt", actor=SYSTEM)
    first, second = Release.objects.order_by("pk")
    assert list(first.disclaimers.all()) == list(second.disclaimers.all())


@needs_corpus
def test_publish_flag_records_an_already_public_release(db, client):
    run(str(SEED), "--publish")
    release = Release.objects.get()
    assert release.is_public
    assert client.get(release.get_absolute_url()).status_code == 200
    actions_logged = list(release.audit_entries.order_by("pk").values_list("action", flat=True))
    assert actions_logged[-2:] == [AuditEntry.Action.IMPORTED, AuditEntry.Action.PUBLISHED]


# Expectations written here from reading each filing; the parser's own tests check more fields.
CORPUS_EXPECTED = {
    "001_cisco_1995-08-10.txt": ("CISCO SYSTEMS TO ACQUIRE COMBINET", "1995-08-10", 0),
    "003_apple_1996-12-20.txt": ("Apple Computer, Inc. Agrees to Acquire NeXT", "1996-12-20", 3),
    "005_sears_2004-07-22.txt": ("Sears", "2004-07-22", 2),
    "008_apple_2004-07-14.htm": ("Apple Reports Third Quarter Results", "2004-07-14", 3),
    "011_oracle_2014-06-19.htm": ("ORACLE BECOMES THE SECOND LARGEST CLOUD SAAS", "2014-06-19", 2),
    "014_adobe_2023-03-15.htm": ("Adobe Reports Record Revenue in Q1 Fiscal 2023", "2023-03-15", 2),
    "017_buckle_2024-11-22.htm": ("THE BUCKLE, INC. REPORTS THIRD QUARTER", "2024-11-22", 1),
    "018_beyond-cancer_2024-12-03.htm": ("Beyond Cancer Announces Approval", "2024-12-03", 2),
    "020_nvidia_2026-02-25.htm": ("NVIDIA Announces Financial Results", "2026-02-25", 2),
}


@needs_corpus
def test_whole_corpus_imports_in_one_command(db):
    # Sears' wire copy has no year in its dateline: --date supplies it for all such files.
    out, err = run(str(CORPUS), "--date", "2004-07-22")
    assert "9 imported, 0 unchanged, 0 failed" in out, err
    for name, (headline, day, n_contacts) in CORPUS_EXPECTED.items():
        release = Release.objects.get(source_hash=hashlib.sha256(
            (CORPUS / name).read_bytes()).hexdigest())  # fmt: skip
        assert release.headline.startswith(headline), name
        assert f"{release.published_at:%Y-%m-%d}" == day, name
        assert release.releasecontact_set.count() == n_contacts, name


@needs_corpus
def test_dateline_without_year_takes_it_from_the_wire_trailer(db):
    # "July 22 /PRNewswire-FirstCall/" in the dateline, "-0- 07/22/2004" in the trailer.
    out, err = run(str(CORPUS / "005_sears_2004-07-22.txt"))
    assert "1 imported" in out, err
    assert f"{Release.objects.get().published_at:%Y-%m-%d}" == "2004-07-22"


@needs_corpus
def test_dateline_without_year_and_no_date_fails_with_one_line(db, tmp_path):
    sears = (CORPUS / "005_sears_2004-07-22.txt").read_bytes()
    undated = tmp_path / "sears.txt"
    undated.write_bytes(sears.replace(b"07/22/2004", b""))
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 files failed"):
        call_command("import_exhibit", str(undated), stdout=StringIO(), stderr=err)
    assert "dateline has no year; pass --date" in err.getvalue()
    assert not Release.objects.exists()


@needs_corpus
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", b"\x00\x01\x02\xff" * 50, "binary"),
        ("truncated.htm", b"<html><body><p>FOR IMMEDIATE", "dateline"),
        ("nohead.txt", b"\n\n   \n-0-\n", "no headline"),
    ],
)
def test_malformed_file_is_reported_in_one_line_and_nothing_is_saved(
    db, tmp_path, name, content, reason
):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_bytes(SEED.read_bytes())
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2 files failed"):
        call_command("import_exhibit", str(tmp_path), stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith(f"{bad}: ") and reason in err.getvalue().lower()
    # The good file went on; the bad one left nothing behind.
    assert Release.objects.count() == 1
    assert Release.objects.get().headline.startswith("IMMUNOGEN")


def test_failure_message_names_file_line_and_reason(db, tmp_path):
    bad = tmp_path / "nodate.txt"
    bad.write_text("ACME CORP\n\nACME ANNOUNCES A THING\n\nBOSTON, MA -- Acme said today.\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_exhibit", str(bad), stdout=StringIO(), stderr=err)
    line = err.getvalue().strip()
    assert "\n" not in line
    assert re.match(rf"{re.escape(str(bad))}: (line \d+: )?.*date", line), line


@needs_corpus
def test_dry_run_prints_json_and_writes_nothing(db):
    out, _ = run(str(SEED), "--dry-run", "--format", "json")
    parsed = json.loads(out)
    assert parsed[0]["headline"].startswith("IMMUNOGEN, INC. REGAINS")
    assert parsed[0]["date"] == "2003-01-24"
    assert [c["audience"] for c in parsed[0]["contacts"]] == ["investors", "media"]
    assert not Release.objects.exists() and not Contact.objects.exists()


@needs_corpus
def test_submission_wrapper_yields_its_ex99_with_the_filing_date(db):
    body = (CORPUS / "005_sears_2004-07-22.txt").read_bytes()
    submission = (
        b"<SEC-DOCUMENT>0000000000-04-000001.txt : 20040722\n<SEC-HEADER>\n"
        b"FILED AS OF DATE:\t\t20040722\n</SEC-HEADER>\n"
        b"<DOCUMENT>\n<TYPE>8-K\n<TEXT>\nThe report.\n</TEXT>\n</DOCUMENT>\n"
        b"<DOCUMENT>\n<TYPE>EX-99\n<TEXT>\n" + body + b"\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n"
    )
    results = edgar.import_file(submission, "0000000000-04-000001.txt", actor=SYSTEM)
    assert [r.status for r in results] == ["imported"]
    assert f"{results[0].release.published_at:%Y-%m-%d}" == "2004-07-22"


def export(release: Release, fmt: str) -> str:
    out = StringIO()
    call_command("export_exhibit", str(release.pk), "--format", fmt, stdout=out)
    return out.getvalue()


def test_export_of_the_seed_reads_like_the_original(db):
    call_command("load_demo", stdout=StringIO())
    text = export(Release.objects.get(), "text")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    label = next(line for line in lines if line.strip())
    assert label.strip() == "EXHIBIT 99.1" and label.startswith(" " * 40)  # right-aligned
    for part in [
        "IMMUNOGEN, INC.",
        "TEL: (617) 995-2500",
        "FAX: (617) 995-2510",
        "CONTACTS:",
        "FOR IMMEDIATE RELEASE",
        "ABOUT IMMUNOGEN, INC.",
        "FOR IMMUNOGEN, INC.",
    ]:
        assert part in text, part  # fmt: skip
    columns = next(line for line in lines if "INVESTORS" in line)
    assert "MEDIA" in columns  # side by side
    assert re.search(r"CAMBRIDGE, MA, JANUARY 24, 2003 [-–—]+ ImmunoGen, Inc\.", text)


def test_html_export_fits_edgar_rules(db):
    call_command("load_demo", stdout=StringIO())
    html = export(Release.objects.get(), "html").lower()
    for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "javascript:", "@import"]:
        assert forbidden not in html
    assert "for immediate release" in html and "about immunogen, inc." in html


@needs_corpus
@pytest.mark.parametrize("fmt", ["text", "html"])
def test_round_trip_of_the_seed_keeps_every_field(db, fmt):
    run(str(SEED))
    original = Release.objects.for_page().get()
    exported = export(original, fmt).encode()
    again = parse_exhibit(exported, filename=f"export.{'txt' if fmt == 'text' else 'htm'}")
    assert again.headline == original.headline
    assert again.dateline_city == original.dateline_city
    assert str(again.date) == "2003-01-24"
    assert [(c.name, c.email, c.audience) for c in again.contacts] == [
        (c.name, c.email, c.audience) for c in original.ordered_contacts()
    ]
    assert _words(again.body_html) == _words(original.body)
    assert _words(again.abouts[0].html) == _words(original.abouts()[0].text)
    assert _words(again.safe_harbor.html) == _words(original.safe_harbors()[0].text)


@pytest.mark.parametrize("n", range(4))
def test_round_trip_of_generated_releases(make_release, n):
    words = ["revenue", "quarter", "guidance", "margin", "cloud", "growth", "dividend"]
    body = "".join(
        f"<p>{' '.join(words[(n + i + j) % 7] for j in range(12 + i))} {i}.</p>"
        for i in range(n + 1)
    )
    release = make_release(
        headline=f"Company Reports {words[n].title()} Results for Quarter {n}",
        dateline_city="BOSTON, MA",
        published_at=at(2010 + n, n + 1, 10 + n, 8, 0, 0),
        body=body,
    )
    for fmt, suffix in [("text", "txt"), ("html", "htm")]:
        again = parse_exhibit(export(release, fmt).encode(), filename=f"x.{suffix}")
        assert again.headline == release.headline, fmt
        assert (again.dateline_city, again.date) == ("BOSTON, MA", release.published_at.date())
        assert _words(again.body_html) == _words(release.body), fmt
        assert [c.name for c in again.contacts] == ["Carol Hausner", "Pete Holmberg"], fmt


def _words(html: str) -> list[str]:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html)).split()


@needs_corpus
def test_editor_uploads_an_exhibit_sees_the_fields_and_confirms(client, editor):
    client.force_login(editor)
    url = reverse("admin:releases_release_import")
    upload = SimpleUploadedFile(SEED.name, SEED.read_bytes(), content_type="text/plain")
    response = client.post(url, {"file": upload})
    page = response.content.decode()
    assert "IMMUNOGEN, INC. REGAINS DEVELOPMENT" in page and "Carol Hausner" in page
    assert not Release.objects.exists()
    form = response.context["form"]
    response = client.post(
        url, {"payload": form.data["payload"], "filename": form.data["filename"], "confirm": "1"}
    )
    release = Release.objects.get()
    assert response["Location"] == reverse("admin:releases_release_change", args=[release.pk])
    assert release.state == "draft"
    assert release.audit_entries.filter(username=editor.username).exists()


def test_upload_preview_shows_the_body_as_text(client, editor):
    exhibit = (
        b'<HTML><BODY><P ALIGN="center"><B>Cyberdyne Signs with AT&amp;T</B></P>'
        b"<P>SUNNYVALE, Calif., April 2, 2021 &ndash; Cyberdyne and AT&amp;T today signed.</P>"
        b"<P>Second paragraph.</P></BODY></HTML>"
    )
    client.force_login(editor)
    upload = SimpleUploadedFile("deal.htm", exhibit, content_type="text/html")
    page = client.post(reverse("admin:releases_release_import"), {"file": upload}).content.decode()
    # "AT&amp;T" is "AT&T" on screen; "AT&amp;amp;T" would show the entity.
    assert "Cyberdyne and AT&amp;T today signed. Second paragraph." in page


def test_upload_of_a_bad_file_redisplays_with_the_reason(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("image.txt", b"\x89PNG\x00\x00" * 20, content_type="text/plain")
    response = client.post(reverse("admin:releases_release_import"), {"file": upload})
    assert response.status_code == 200
    assert "image.txt: " in " ".join(response.context["form"].errors["file"])
    assert not Release.objects.exists()


def test_admin_export_downloads_a_private_attachment(client, editor, make_release):
    release = make_release()
    client.force_login(editor)
    response = client.get(reverse("admin:releases_release_export", args=[release.pk, "text"]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert release.headline.upper() in response.content.decode().upper()


@needs_corpus
def test_shared_corpus_is_present_for_these_tests():
    # The folder of real filings holds what the tests above expect (.ci/run always provides it).
    assert SEED.exists() and len(list(Path(CORPUS).glob("0*"))) == 9


@needs_corpus
def test_an_editor_cannot_rewrite_the_company_profile_through_an_import(client, editor, company):
    """The profile form refuses an Editor (no change permission); so does the import's "use the
    exhibit's company details", and nothing is saved."""
    before = {f: getattr(company, f) for f in ("legal_name", "address_lines", "ticker")}
    client.force_login(editor)
    url = reverse("admin:releases_release_import")
    upload = SimpleUploadedFile(SEED.name, SEED.read_bytes(), content_type="text/plain")
    form = client.post(url, {"file": upload, "company_profile": "1"}).context["form"]
    response = client.post(
        url,
        {
            "payload": form.data["payload"],
            "filename": form.data["filename"],
            "company_profile": "1",
            "confirm": "1",
        },
    )
    assert response.status_code == 200
    assert "may not change the company profile" in response.content.decode()
    company.refresh_from_db()
    assert {f: getattr(company, f) for f in before} == before
    assert not Release.objects.exists()


@needs_corpus
def test_contacts_an_import_creates_print_on_their_releases_but_stay_off_the_directory(
    client, company
):
    """Importing years of filings must not list every former spokesperson under /contacts/:
    a contact first met in a filing is inactive until an editor says otherwise."""
    result = edgar.import_file(SEED.read_bytes(), SEED.name, actor=SYSTEM, publish=True)[0]
    printed = [c.name for c in result.release.ordered_contacts()]
    assert "Carol Hausner" in printed
    assert not Contact.objects.filter(is_active=True).exists()
    directory = client.get("/contacts/").content.decode()
    assert "Carol Hausner" not in directory
    page = client.get(result.release.get_absolute_url()).content.decode()
    assert "Carol Hausner" in page


@needs_corpus
def test_an_upload_without_a_printed_headline_says_so_before_and_after_it_is_confirmed(
    client, editor
):
    case = next((corpus_dir() / "exhibit-cases").glob("K14b_*"))
    client.force_login(editor)
    url = reverse("admin:releases_release_import")
    upload = SimpleUploadedFile(case.name, case.read_bytes(), content_type="text/plain")
    response = client.post(url, {"file": upload})
    assert "prints no headline" in response.content.decode()
    form = response.context["form"]
    response = client.post(
        url,
        {"payload": form.data["payload"], "filename": form.data["filename"], "confirm": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert "write one before submitting" in page and "prints no headline" in page
    assert Release.objects.get().headline == ""


K22_LAYOUT = """<html><body>
<p align="center"><b>Wrenfield Optics Reports Third Quarter Results</b></p>
<p>PORTLAND, Oregon&#8212;October 22, 2019&#8212;Wrenfield Optics Inc. (NASDAQ: WRNO) today
reported third quarter revenue of $312.5 million.</p>
<p>&#8220;Our coating line ran at full capacity,&#8221; said Ada Korhonen.</p>
<p>This news release includes forward-looking statements about expected revenue. Such
statements carry risks and uncertainties, so actual results may differ materially.</p>
<p>Wrenfield Optics grinds precision lenses for microscopes.</p>
<p>Press Contact:<br>Milo Brandauer<br>(555) 318-4410</p>
<table><tr><td></td><td>Q3 2019</td></tr><tr><td>Revenue</td><td>$312.5</td></tr></table>
</body></html>"""


def _in_order(text: str, *phrases: str) -> bool:
    """Whether each of ``phrases`` stands in ``text``, in that order."""
    flat = " ".join(text.split())
    at = [flat.find(p) for p in phrases]
    return min(at) >= 0 and at == sorted(at)


def test_a_safe_harbor_the_filing_sets_before_its_tables_is_printed_there_everywhere(
    db, client, tmp_path
):
    """K22: on the page, in the PDF and in both exports, where re-importing finds it again."""
    from releases.media.pdf import render_pdf

    from .shared import text_of

    path = tmp_path / "k22.htm"
    path.write_text(K22_LAYOUT)
    run(str(path), "--publish")
    release = Release.objects.for_page().get()
    assert release.standard_texts_at == 2
    phrases = ("ran at full capacity", "forward-looking statements", "grinds precision", "Q3 2019")
    page = client.get(release.get_absolute_url()).content.decode()
    content = page[page.index('id="headline"') :]
    assert _in_order(re.sub(r"<[^>]+>", " ", content), *phrases)
    assert _in_order(text_of(render_pdf(release)), *phrases)
    for fmt, suffix in [("text", "txt"), ("html", "htm")]:
        again = parse_exhibit(export(release, fmt).encode(), filename=f"x.{suffix}")
        head, rest = split_blocks(again.body_html, again.standard_texts_at)
        assert (_words(head)[-1], _words(rest)[:3]) == (
            "Korhonen.",
            ["Wrenfield", "Optics", "grinds"],
        )
        assert _words(again.safe_harbor.html) == _words(release.safe_harbors()[0].text)
