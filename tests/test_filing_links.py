"""A release names the 8-K it was furnished with (issue 26): "Filed as Exhibit 99.1 to Form
8-K, accession …", linked to the filing's index on EDGAR, once both the release and the filing
are public, whichever comes first; never for a hidden filing. The line reaches the release's
page through `releases.public.notes` (filings registers it; releases never imports filings)."""

from datetime import timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from filings import actions, edgar
from filings.links import accession_in
from filings.models import Filing

from .conftest import at
from .edgar_server import CIK, columns, filing

GO_LIVE = at(2026, 2, 26, 16, 5, 0)
AFTER = GO_LIVE + timedelta(hours=2)
ACCESSION = "0000855654-26-000007"
FOLDER_URL = "https://www.sec.gov/Archives/edgar/data/855654/000085565426000007/"
INDEX_URL = (
    "https://www.sec.gov/Archives/edgar/data/855654/000085565426000007/"
    "0000855654-26-000007-index.htm"
)
LINE = f'Filed as Exhibit 99.1 to Form 8-K, accession <a href="{INDEX_URL}">{ACCESSION}</a>.'


def store_8k() -> None:
    rows = [filing(7, "8-K", "2026-02-26", primaryDocDescription="8-K")]
    records, _ = edgar.records(columns(rows), "test")
    actions.store_answer(CIK, records, name="IMMUNOGEN INC")


@pytest.fixture
def release(make_release, publish):
    return publish(
        make_release(
            headline="Fourth quarter results",
            published_at=GO_LIVE,
            exhibit_label="EXHIBIT 99.1",
            filing_url=FOLDER_URL,
        )
    )


def purged_keys() -> list[str]:
    tasks = DBTaskResult.objects.filter(task_path__endswith="purge_front_cache")
    return [key for task in tasks for key in task.args_kwargs["kwargs"]["keys"]]


def test_a_release_public_first_gains_the_line_when_its_filing_arrives(
    client, release, page_cache, django_capture_on_commit_callbacks
):
    url = release.get_absolute_url()
    with time_machine.travel(AFTER, tick=False):
        actions.set_cik(CIK)
        before = client.get(url)
        html = before.content.decode()
        # Not in the list yet: the editor's own link stays, and no line.
        assert "Filed as Exhibit" not in html
        assert f'<a href="{FOLDER_URL}">SEC filing</a>' in html
    with time_machine.travel(AFTER + timedelta(minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            store_8k()
        after = client.get(url)
    html = after.content.decode()
    assert LINE in html
    assert "SEC filing</a>" not in html
    # The release's page is purged from the front cache with the lists, and its
    # Last-Modified moves (a reader's If-Modified-Since must not keep the old page).
    assert url in purged_keys()
    assert after["Last-Modified"] != before["Last-Modified"]


def test_a_filing_listed_first_shows_on_the_release_from_its_go_live_only(
    client, make_release, publish, page_cache
):
    with time_machine.travel(GO_LIVE - timedelta(hours=3), tick=False):
        actions.set_cik(CIK)
        store_8k()
        release = publish(
            make_release(
                headline="Fourth quarter results",
                published_at=GO_LIVE,
                exhibit_label="EXHIBIT 99.1",
                filing_url=INDEX_URL,
            )
        )
    url = release.get_absolute_url()
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        assert client.get(url).status_code == 404
        # The filings list never names the release.
        assert "Fourth quarter results" not in client.get("/filings/").content.decode()
    with time_machine.travel(GO_LIVE, tick=False):
        assert LINE in client.get(url).content.decode()


def test_a_hidden_filing_is_named_nowhere_on_the_release(
    client, release, approver, page_cache, django_capture_on_commit_callbacks
):
    url = release.get_absolute_url()
    with time_machine.travel(AFTER, tick=False):
        actions.set_cik(CIK)
        store_8k()
        assert LINE in client.get(url).content.decode()
        DBTaskResult.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            actions.hide_filing(Filing.objects.get(), "Filed under the wrong CIK.")
        html = client.get(url).content.decode()
        assert ACCESSION not in html and "Filed as Exhibit" not in html
        assert FOLDER_URL not in html  # nor the editor's own link to it
        assert url in purged_keys()
        with django_capture_on_commit_callbacks(execute=True):
            actions.show_filing(Filing.objects.get(), reason="Right CIK after all.")
        assert LINE in client.get(url).content.decode()


def test_without_an_exhibit_label_the_line_names_the_form(client, make_release, publish):
    release = publish(make_release(published_at=GO_LIVE, exhibit_label="", filing_url=FOLDER_URL))
    with time_machine.travel(AFTER, tick=False):
        actions.set_cik(CIK)
        store_8k()
        html = client.get(release.get_absolute_url()).content.decode()
    assert f'Filed with Form 8-K, accession <a href="{INDEX_URL}">{ACCESSION}</a>.' in html


@pytest.mark.parametrize(
    "url",
    [
        FOLDER_URL,
        INDEX_URL,
        "https://www.sec.gov/Archives/edgar/data/855654/000085565426000007/d123dex991.htm",
        "https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany#0000855654-26-000007",
    ],
)
def test_the_accession_number_is_read_from_edgar_addresses(url):
    expected = "" if "browse-edgar" in url else ACCESSION
    assert accession_in(url) == expected


@given(
    filer=st.integers(0, 10**10 - 1), year=st.integers(0, 99), seq=st.integers(0, 10**6 - 1),
    dashed=st.booleans(),
)  # fmt: skip
def test_any_accession_number_in_an_archive_address_is_read_back(filer, year, seq, dashed):
    number = f"{filer:010d}-{year:02d}-{seq:06d}"
    folder = number.replace("-", "")
    tail = f"{number}-index.htm" if dashed else "primary.htm"
    url = f"https://www.sec.gov/Archives/edgar/data/{filer}/{folder}/{tail}"
    assert accession_in(url) == number


def test_an_address_naming_no_filing_gives_no_accession():
    assert accession_in("") == ""
    assert accession_in("https://www.sec.gov/edgar/search/#/q=immunogen") == ""


def test_the_line_costs_the_release_page_one_statement(
    client, release, settings, django_assert_num_queries
):
    settings.IRSITE_PAGE_CACHE = False
    url = release.get_absolute_url()
    with time_machine.travel(AFTER, tick=False):
        actions.set_cik(CIK)
        store_8k()
        client.get(url)
        # The page's own five (tests/test_rendered_record.py) and the filing with the second
        # its link last appeared or went, in one.
        with django_assert_num_queries(6):
            assert LINE in client.get(url).content.decode()


def test_the_demo_release_names_the_demo_8k(client, db):
    from io import StringIO

    from django.core.management import call_command

    from releases.models import Release

    call_command("load_demo", stdout=StringIO())
    release = Release.objects.get()
    html = client.get(release.get_absolute_url()).content.decode()
    assert "Filed as Exhibit 99.1 to Form 8-K, accession" in html
    assert "9999999999-03-000001</a>" in html
