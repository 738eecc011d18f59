"""What an exhibit import may and may not change beyond its release: the company profile, the
contact list; and how it reports what it cannot read (one line, a real line of the source)."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from irsite.contacts.models import CompanyProfile, Contact
from releases.models import Release

EXHIBIT = """Exhibit 99.1

{contact}

                  Tamsin Foods Raises Quarterly Dividend

GRAND FORKS, N.D., May 5, 2015 -- Tamsin Foods Corp. (NYSE: TMF) today raised
its quarterly dividend to 31 cents a share from 29 cents.
"""
CONTACT = """Media Contact:    {name}
                  {phone}
                  media@tamsinfoods.example"""
NO_HEADLINE = b"""        OAKDALE, Calif.--(BUSINESS WIRE)--Brindle Networks Inc. (NASDAQ:BRND)
Tuesday announced the completion of its purchase of Sorrel Systems, a maker of cable modems.

        Sorrel, founded in 1990, employs 60 people in Fresno, Calif.
"""


def exhibit(tmp_path, name="Ilse Varga", phone="555-201-4400", file="a.txt") -> str:
    path = tmp_path / file
    text = EXHIBIT.format(contact=CONTACT.format(name=name, phone=phone))
    path.write_text(text.replace("Raises", "Raises" if file == "a.txt" else f"{file} Raises"))
    return str(path)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_exhibit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_leaves_the_company_profile_alone_without_confirmation(db, tmp_path):
    out, _ = run(exhibit(tmp_path))
    assert not CompanyProfile.objects.exists()
    assert "warning:" in out and "Tamsin Foods Corp." in out


def test_import_with_company_profile_flag_writes_the_exhibits_company(db, tmp_path):
    run(exhibit(tmp_path), "--company-profile")
    profile = CompanyProfile.load()
    assert (profile.legal_name, profile.listing) == ("Tamsin Foods Corp.", "NYSE: TMF")


def test_import_warns_when_the_exhibit_names_another_company(db, tmp_path, company):
    before = CompanyProfile.load().legal_name
    out, _ = run(exhibit(tmp_path))
    assert f"the company profile “{before}”" in out
    assert CompanyProfile.load().legal_name == before


def test_contacts_sharing_a_team_mailbox_stay_different_people(db, tmp_path):
    run(exhibit(tmp_path, "Ilse Varga", "555-201-4400", "a.txt"))
    run(exhibit(tmp_path, "Rafael Dunmore", "555-201-4499", "b.txt"))
    run(exhibit(tmp_path, "Ilse Varga", "555-201-4400", "c.txt"))
    assert sorted(Contact.objects.values_list("name", flat=True)) == [
        "Ilse Varga",
        "Rafael Dunmore",
    ]
    second = Release.objects.get(headline__startswith="Tamsin Foods b.txt")
    assert [c.name for c in second.ordered_contacts()] == ["Rafael Dunmore"]


def test_exhibit_without_headline_imports_a_draft_with_an_empty_headline_and_a_warning(
    db, tmp_path
):
    path = tmp_path / "wire.txt"
    path.write_bytes(NO_HEADLINE)
    out, err = run(str(path), "--date", "1995-12-05", "--publish")
    release = Release.objects.get()
    assert release.headline == "" and release.state == Release.State.DRAFT
    assert (release.dateline_city, release.wire_tag) == ("OAKDALE, Calif.", "(BUSINESS WIRE)")
    assert "warning: " in out and "prints no headline" in out and "not published" in out
    assert "(no headline)" in out and err == ""


def test_headline_option_still_supplies_the_headline_an_exhibit_does_not_print(db, tmp_path):
    path = tmp_path / "wire.txt"
    path.write_bytes(NO_HEADLINE)
    out, _ = run(str(path), "--date", "1995-12-05", "--headline", "Brindle Buys Sorrel")
    assert Release.objects.get().headline == "Brindle Buys Sorrel"
    assert "prints no headline" not in out


def test_dry_run_of_an_exhibit_without_headline_gives_every_other_field_and_a_warning(db, tmp_path):
    path = tmp_path / "wire.txt"
    path.write_bytes(NO_HEADLINE)
    out, _ = run(str(path), "--date", "1995-12-05", "--dry-run")
    assert "prints no headline" in out and "dateline_city: OAKDALE, Calif." in out
    assert not Release.objects.exists()


def test_admin_upload_takes_a_headline_and_warns_about_another_company(
    client, editor, company, tmp_path
):
    client.force_login(editor)
    url = reverse("admin:releases_release_import")
    upload = SimpleUploadedFile("wire.txt", NO_HEADLINE, content_type="text/plain")
    response = client.post(
        url, {"file": upload, "date": "1995-12-05", "headline": "Brindle Buys Sorrel"}
    )
    page = response.content.decode()
    assert "Brindle Buys Sorrel" in page
    assert f"the company profile “{company.legal_name}”" in page
    form = response.context["form"]
    client.post(
        url,
        {
            "payload": form.data["payload"],
            "filename": form.data["filename"],
            "date": "1995-12-05",
            "headline": "Brindle Buys Sorrel",
            "confirm": "1",
        },
    )
    assert Release.objects.get().headline == "Brindle Buys Sorrel"
    assert CompanyProfile.load().legal_name == company.legal_name


@pytest.mark.parametrize(
    "html",
    [
        # (Without a headline this one imports, K14; its dateline has no year.)
        b"<html><body><p>Exhibit 99.1</p><p>AUSTIN, Texas, Oct. 1 -- Larkspur Software "
        b"Corp. (NYSE: LRK) today named Imogen Pratt to its board of directors.</p></body></html>",
        b"<html><body><p><b>LARKSPUR NAMES A DIRECTOR</b></p><p>AUSTIN, Texas -- Larkspur "
        b"Software Corp. (NYSE: LRK) today named Imogen Pratt to its board.</p></body></html>",
    ],
)
def test_error_in_a_one_line_html_exhibit_points_at_line_1(db, tmp_path, html):
    path = tmp_path / "one-line.htm"
    path.write_bytes(html)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_exhibit", str(path), stdout=StringIO(), stderr=err)
    assert f"{path}: line 1: " in err.getvalue()


def test_a_subheadline_longer_than_a_release_holds_refuses_the_exhibit_not_cut(db, tmp_path):
    # Sixty lines of subheadline (3,469 characters, over SUBHEADLINE_MAX_LENGTH's 2,000): the
    # importer says so with its line, as for a headline, and stores nothing.
    subheadlines = "".join(
        f"             Deal adds laser alignment tools number {n} to product line\n"
        for n in range(60)
    )
    path = tmp_path / "long-subheadline.txt"
    path.write_text(
        "        Tolland Instruments Agrees to Acquire Marsh Optics\n"
        f"{subheadlines}\n"
        "TOLLAND, Conn.--Feb. 2, 2010--Tolland Instruments Inc. (Nasdaq: TOLI) today\n"
        "agreed to acquire privately held Marsh Optics for $40 million in cash.\n"
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_exhibit", str(path), stdout=StringIO(), stderr=err)
    assert f"{path}: line 2: the subheadline is 3469 characters, over the limit of 2000" in (
        err.getvalue()
    )
    assert not Release.objects.exists()


def test_a_draft_imported_without_a_headline_cannot_be_submitted_until_one_is_written(
    db, tmp_path, client, editor
):
    """K14: the empty headline is the editor's to write; the submit step refuses it, whichever
    button asks (the transition page too, not only the form that requires the field)."""
    from .admin_forms import confirm

    path = tmp_path / "wire.txt"
    path.write_bytes(NO_HEADLINE)
    run(str(path), "--date", "2035-12-05")  # a publication time still ahead
    release = Release.objects.get()
    client.force_login(editor)
    response = confirm(client, release, "submit", follow=True)
    assert "Write the headline before submitting" in response.content.decode()
    release.refresh_from_db()
    assert release.state == Release.State.DRAFT
    Release.objects.filter(pk=release.pk).update(headline="Brindle Buys Sorrel")
    confirm(client, release, "submit")
    release.refresh_from_db()
    assert release.state == Release.State.IN_REVIEW
