"""What readers and staff see of the SEC filings list: `/filings/` with its filters, its RSS
feeds, the sitemap, hiding a filing (audited), staleness in the admin and `/healthz`."""

from datetime import timedelta
from io import StringIO

import feedparser
import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from filings import actions, edgar
from filings.models import EdgarSource, Filing, FilingAudit
from irsite import clock

from .edgar_server import CIK, columns, filing

pytestmark = pytest.mark.django_db

ROWS = [
    filing(7, "8-K", "2026-02-26", primaryDocDescription="8-K"),
    filing(6, "10-Q", "2026-02-01", reportDate="2025-12-31"),
    filing(5, "4", "2026-01-15", primaryDocument="xslF345X05/wk-form4_1.xml"),
    filing(4, "10-K/A", "2025-12-20", primaryDocDescription="AMENDMENT NO. 1"),
    filing(3, "10-K", "2025-11-20", primaryDocDescription="ANNUAL REPORT"),
    filing(2, "DEF 14A", "2025-10-01"),
    filing(1, "S-8", "2025-03-03"),
]


def store(rows=ROWS) -> None:
    records, _ = edgar.records(columns(rows), "test")
    actions.store_answer(CIK, records, name="IMMUNOGEN INC")


@pytest.fixture
def listed(db):
    actions.set_cik(CIK)
    store()


def accessions(response) -> list[str]:
    html = response.content.decode()
    return [f"0000855654-26-{n:06d}" for n in range(1, 8) if f"-26-{n:06d}-index" in html]


def test_the_list_shows_each_filing_with_its_links_newest_first(client, listed):
    response = client.get("/filings/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("0000855654-26-000007") < html.index("0000855654-26-000001")
    folder = "https://www.sec.gov/Archives/edgar/data/855654/000085565426000007"
    assert f"{folder}/0000855654-26-000007-index.htm" in html
    # Inline XBRL: EDGAR's viewer, never a copy hosted here.
    viewer = "https://www.sec.gov/ix?doc=/Archives/edgar/data/855654"
    assert f"{viewer}/000085565426000007/imgn-7.htm" in html
    # A Form 4's document is EDGAR's rendering of the XML.
    assert "000085565426000005/xslF345X05/wk-form4_1.xml" in html
    assert "Form 8-K" in html  # EDGAR's description "8-K" says nothing more than the form
    assert "Last updated from" in html


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("annual", [3, 4]),  # the amendment with its base form
        ("quarterly", [6]),
        ("current", [7]),
        ("proxy", [2]),
        ("registration", [1]),
        ("section-16", [5]),
        ("other", []),
    ],
)
def test_the_list_filters_by_form_group(client, listed, group, expected):
    response = client.get("/filings/", {"group": group})
    assert accessions(response) == [f"0000855654-26-{n:06d}" for n in expected]
    assert '<meta name="robots" content="noindex, follow">' in response.content.decode()


def test_the_list_filters_by_year(client, listed):
    response = client.get("/filings/", {"year": "2025"})
    assert accessions(response) == [f"0000855654-26-{n:06d}" for n in (1, 2, 3, 4)]
    both = client.get("/filings/", {"year": "2025", "group": "annual"})
    assert accessions(both) == [f"0000855654-26-{n:06d}" for n in (3, 4)]


@pytest.mark.parametrize(
    "query",
    [
        {"group": "10-K"},
        {"group": "annual\x00"},
        {"year": "02025"},
        {"year": "９９９９"},
        {"year": "99999999999999999999"},
        {"page": "-1"},
        {"page": "1e9"},
        {"page": "99999999999"},
    ],
)
def test_a_bad_query_value_answers_400(client, listed, query):
    response = client.get("/filings/", query)
    assert response.status_code == 400
    assert "s-maxage" in response["Cache-Control"]


def test_a_page_past_the_end_is_not_found(client, listed):
    assert client.get("/filings/", {"page": "2"}).status_code == 404


@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(group=st.text(max_size=30), year=st.text(max_size=12), page=st.text(max_size=12))
def test_no_query_value_is_a_server_error(client, listed, group, year, page):
    response = client.get("/filings/", {"group": group, "year": year, "page": page})
    assert response.status_code in {200, 400, 404}


def test_the_feeds_list_the_newest_filings_of_all_or_one_group(client, listed):
    feed = feedparser.parse(client.get("/filings/feed/rss/").content)
    assert not feed.bozo
    assert [e.id for e in feed.entries][:2] == [
        "urn:sec-accession:0000855654-26-000007",
        "urn:sec-accession:0000855654-26-000006",
    ]
    assert feed.entries[0].link.startswith("https://www.sec.gov/ix?doc=")
    annual = feedparser.parse(client.get("/filings/feed/rss/annual/").content)
    assert [e.id.rsplit("-", 1)[1] for e in annual.entries] == ["000004", "000003"]
    assert client.get("/filings/feed/rss/10-k/").status_code == 404


def test_the_sitemap_lists_the_filings_page(client, listed):
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-filings.xml" in index
    section = client.get("/sitemap-filings.xml").content.decode()
    assert "http://testserver/filings/" in section


def test_a_hidden_filing_leaves_the_list_and_feeds_with_its_reason_audited(
    client, listed, approver
):
    approver.is_superuser = True  # the admin's permission to change a filing
    approver.save()
    hidden = Filing.objects.get(accession_number="0000855654-26-000007")
    assert "000085565426000007" in client.get("/filings/").content.decode()
    actions.hide_filing(hidden, "Filed under the wrong CIK by our agent", approver)
    assert "000085565426000007" not in client.get("/filings/").content.decode()
    assert "000007" not in client.get("/filings/feed/rss/").content.decode()
    entry = FilingAudit.objects.get(action="hidden")
    assert (entry.username, entry.accession_number) == (approver.username, hidden.accession_number)
    assert entry.detail == "Filed under the wrong CIK by our agent"
    # The next poll lists it again on EDGAR's side: it stays hidden.
    store()
    assert Filing.objects.get(pk=hidden.pk).hidden_at is not None
    actions.show_filing(hidden, approver, "Our agent confirmed it")
    assert "000085565426000007" in client.get("/filings/").content.decode()


def test_hiding_needs_a_reason_and_the_permission(listed, editor):
    filing_ = Filing.objects.first()
    with pytest.raises(actions.ActionRefused, match="why"):
        actions.hide_filing(filing_, "  ", None)
    with pytest.raises(actions.ActionRefused, match="permission"):
        actions.hide_filing(filing_, "a reason", editor)
    assert not Filing.objects.exclude(hidden_at=None).exists()
    assert not FilingAudit.objects.filter(action="hidden").exists()


def test_the_admin_hides_a_filing_only_with_a_reason(client, listed):
    admin = User.objects.create_superuser("ir", "ir@example.com", "pw")
    client.force_login(admin)
    filing_ = Filing.objects.get(accession_number="0000855654-26-000006")
    url = f"/admin/filings/filing/{filing_.pk}/change/"
    refused = client.post(url, {"hidden": "on", "reason": ""})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    assert Filing.objects.get(pk=filing_.pk).hidden_at is None
    client.post(url, {"hidden": "on", "reason": "Superseded by the amendment"})
    filing_.refresh_from_db()
    assert filing_.hidden_reason == "Superseded by the amendment"
    assert FilingAudit.objects.get(action="hidden").username == "ir"


def test_a_new_filing_shows_on_the_cached_list_at_once(client, listed, settings):
    settings.IRSITE_PAGE_CACHE = True
    client.get("/filings/")  # cached
    store([filing(8, "8-K", "2026-03-01"), *ROWS])
    assert "000085565426000008" in client.get("/filings/").content.decode()


# --- staleness: the admin and /healthz ---------------------------------------------------------


def test_a_stale_list_is_degraded_in_healthz_and_told_in_the_admin(client, listed, settings):
    settings.IRSITE_EDGAR_STALE_SECONDS = 3600
    assert client.get("/healthz").json()["edgar"] == "ok"
    actions.store_failure(CIK, "EDGAR did not answer within 10 s")
    with time_machine.travel(clock.now() + timedelta(hours=2)):
        health = client.get("/healthz")
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "degraded"
        assert "last updated from EDGAR 120 minutes ago" in body["edgar"]
        assert "did not answer" in body["edgar"]
        admin = User.objects.create_superuser("ir", "ir@example.com", "pw")
        client.force_login(admin)
        page = client.get("/admin/filings/filing/").content.decode()
        assert "last updated from EDGAR 120 minutes ago" in page


def test_a_failed_attempt_is_shown_to_staff_while_the_list_is_fresh(client, listed):
    actions.store_failure(CIK, "EDGAR refused the request (HTTP 429 Too Many Requests)")
    assert client.get("/healthz").json()["edgar"] == "ok"
    client.force_login(User.objects.create_superuser("ir", "ir@example.com", "pw"))
    page = client.get("/admin/filings/filing/").content.decode()
    assert "HTTP 429" in page and "The list shown is the last good one" in page


def test_the_cik_is_set_in_the_admin_and_then_read_only(client, db):
    client.force_login(User.objects.create_superuser("ir", "ir@example.com", "pw"))
    client.post("/admin/filings/edgarsource/1/change/", {"cik": "855654"})
    assert EdgarSource.load().cik == CIK
    store()
    page = client.get("/admin/filings/edgarsource/1/change/").content.decode()
    assert 'name="cik"' not in page
    assert FilingAudit.objects.get(action="cik_set").detail == f"unset -> {CIK}"


def test_load_demo_lists_a_handful_of_filings_once(client, db):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert Filing.objects.count() == 6
    assert EdgarSource.load().cik == CIK  # ImmunoGen's, the demo company's
    response = client.get("/filings/")
    html = response.content.decode()
    assert "Not yet read from SEC EDGAR" in html
    assert "99999999990300000" in html  # a filer no real accession number has
    assert client.get("/filings/", {"group": "current"}).content.decode().count("<tr>") == 1 + 2


def test_load_demo_leaves_another_issuers_list_alone(db):
    actions.set_cik("320193")
    call_command("load_demo", stdout=StringIO())
    assert not Filing.objects.exists()


def test_approvers_hide_filings_in_the_admin_and_editors_only_see_them(
    client, listed, approver, editor
):
    filing_ = Filing.objects.get(accession_number="0000855654-26-000002")
    url = f"/admin/filings/filing/{filing_.pk}/change/"
    client.force_login(editor)
    assert client.get("/admin/filings/filing/").status_code == 200
    client.post(url, {"hidden": "on", "reason": "An editor tried"})
    assert Filing.objects.get(pk=filing_.pk).hidden_at is None
    client.force_login(approver)
    client.post(url, {"hidden": "on", "reason": "Filed in error"})
    assert Filing.objects.get(pk=filing_.pk).hidden_reason == "Filed in error"


def test_a_filing_without_an_acceptance_time_comes_last_of_its_day(client, db):
    actions.set_cik(CIK)
    store([filing(9, "8-K", "2026-03-02", acceptanceDateTime=""), filing(8, "8-K", "2026-03-02")])
    html = client.get("/filings/").content.decode()
    assert html.index("0000855654-26-000008") < html.index("0000855654-26-000009")
