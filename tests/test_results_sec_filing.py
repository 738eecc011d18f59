"""A kit links its 10-Q/10-K when it appears (issue 26), found by form and report date: the
public filing of form 10-Q (a quarter) or 10-K (the full year) whose report date is the kit's
fiscal period end, shown as "Quarterly report on Form 10-Q (filed …)" linked to EDGAR, whichever
came first, the kit or the filing; the filing's arrival purges the kit page (``list``)."""

from datetime import timedelta

import time_machine
from django.utils.http import parse_http_date
from django_tasks_db.models import DBTaskResult

from filings import actions as filing_actions
from filings import edgar
from filings.models import Filing
from results import actions as kit_actions

from .conftest import SYSTEM, at
from .edgar_server import CIK, columns, filing
from .results_kits import approved_kit

GO_LIVE = at(2026, 10, 27, 16, 5, 0)
KIT_URL = "/results/2027/q1/"
FY_URL = "/results/2026/fy/"
# Q1 of fiscal 2027 with a June year-end ends September 30, 2026.
TEN_Q = filing(7, "10-Q", "2026-11-02", reportDate="2026-09-30")
OTHERS = [
    filing(6, "10-Q", "2026-08-01", reportDate="2026-06-30"),  # another period
    filing(5, "8-K", "2026-10-27", reportDate="2026-09-30"),  # not a periodic report
    filing(4, "10-Q/A", "2026-11-20", reportDate="2026-09-30"),  # an amendment
]
LABEL = "Quarterly report on Form 10-Q"


def store(rows) -> None:
    records, _ = edgar.records(columns(rows), "test")
    filing_actions.store_answer(CIK, records, name="IMMUNOGEN INC")


def make_kits(make_release, publish):
    kit_actions.set_fiscal_calendar(6, SYSTEM)
    fy = approved_kit(
        publish(make_release(published_at=at(2026, 7, 28, 16, 5))),
        fiscal_year=2026,
        period="fy",
        documents=[],
    )
    return approved_kit(publish(make_release(published_at=GO_LIVE))), fy


def test_a_10_q_filed_after_the_kit_shows_on_its_page_which_is_purged(
    client, make_release, publish, db
):
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        filing_actions.set_cik(CIK)
        store(OTHERS[:1])
        make_kits(make_release, publish)
    with time_machine.travel(GO_LIVE + timedelta(days=1), tick=False):
        before = client.get(KIT_URL)
        assert before.status_code == 200 and LABEL not in before.content.decode()
        assert "list" in before["Surrogate-Key"].split()
    arrived = at(2026, 11, 2, 18, 0, 0)
    with time_machine.travel(arrived, tick=False):
        purges = DBTaskResult.objects.filter(task_path__endswith="purge_front_cache").count()
        store([TEN_Q, *OTHERS])
        enqueued = DBTaskResult.objects.filter(task_path__endswith="purge_front_cache")
        assert enqueued.count() > purges
        assert "list" in enqueued.last().args_kwargs["kwargs"]["keys"]
        page = client.get(KIT_URL)
    html = page.content.decode()
    assert f"{LABEL}</a> (filed" in html and "November 2, 2026" in html
    assert html.count("Form 10-Q") == 1  # not the other period's, nor the amendment
    assert "/Archives/edgar/data/855654/000085565426000007/imgn-7.htm" in html
    assert parse_http_date(page["Last-Modified"]) == int(arrived.timestamp())
    # The full-year kit has no 10-K for its period: no line.
    assert "Form 10-K" not in client.get(FY_URL).content.decode()


def test_a_10_q_listed_before_the_kit_shows_from_the_kit_s_second_and_never_before(
    client, make_release, publish, db
):
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        filing_actions.set_cik(CIK)
        store([TEN_Q, *OTHERS])
        make_kits(make_release, publish)
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        assert client.get(KIT_URL).status_code == 404
    with time_machine.travel(GO_LIVE, tick=False):
        html = client.get(KIT_URL).content.decode()
    assert f"{LABEL}</a> (filed" in html


def test_the_full_year_kit_links_its_10_k_and_a_hidden_filing_is_not_linked(
    client, make_release, publish, approver
):
    approver.is_superuser = True
    approver.save()
    ten_k = filing(8, "10-K", "2026-08-20", reportDate="2026-06-30")
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        filing_actions.set_cik(CIK)
        store([TEN_Q, ten_k])
        make_kits(make_release, publish)
    with time_machine.travel(GO_LIVE + timedelta(days=1), tick=False):
        assert "Annual report on Form 10-K</a> (filed" in client.get(FY_URL).content.decode()
        hidden = Filing.objects.get(accession_number="0000855654-26-000007")
        filing_actions.hide_filing(hidden, "Filed in error", approver)
        assert LABEL not in client.get(KIT_URL).content.decode()
