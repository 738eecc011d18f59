"""The EDGAR poller against a local server: recorded submissions files (../shared/fixtures/edgar,
marked `corpus`) and every kind of bad answer, which never empties or corrupts the list."""

import io
import itertools
import json
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from filings import actions, poller, tasks
from filings.models import EdgarSource, Filing
from irsite import clock
from irsite.http.models import PublicChange

from .conftest import corpus_dir, needs_corpus
from .edgar_server import CIK, Edgar, Reply, filing, submissions

pytestmark = pytest.mark.django_db
AGENT = "irsite tests investor.relations@example.com"


@pytest.fixture
def edgar(settings):
    server = Edgar()
    settings.IRSITE_EDGAR_BASE_URL = server.url
    settings.IRSITE_EDGAR_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.IRSITE_EDGAR_USER_AGENT = AGENT
    settings.IRSITE_EDGAR_TIMEOUT = 1.0
    settings.IRSITE_EDGAR_MAX_REQUESTS_PER_SECOND = 10
    yield server
    server.close()


def set_cik(cik: str = CIK) -> EdgarSource:
    return actions.set_cik(cik)


def recorded(name: str) -> bytes:
    return (corpus_dir() / "fixtures" / "edgar" / name).read_bytes()


def snapshot() -> list[tuple]:
    return list(Filing.objects.order_by("accession_number").values_list())


def public_changes() -> int:
    row = PublicChange.objects.filter(pk=1).first()
    return row.version if row else 0


# --- recorded answers --------------------------------------------------------------------------


@needs_corpus
def test_a_recorded_submissions_file_is_stored_filing_for_filing(edgar):
    body = recorded("CIK0001881551.json")
    edgar.serve("/submissions/CIK0001881551.json", Reply(body))
    set_cik("1881551")
    assert "211 filings read, 211 new" in poller.poll()
    expected = json.loads(body)["filings"]["recent"]
    assert Filing.objects.count() == 211
    assert set(Filing.objects.values_list("accession_number", flat=True)) == set(
        expected["accessionNumber"]
    )
    forms = Counter(Filing.objects.values_list("form", flat=True))
    assert forms["8-K"] == 44 and forms["8-K/A"] == 1 and forms["10-K/A"] == 1
    groups = Counter(Filing.objects.values_list("group", flat=True))
    # Amendments sit with their base forms; NT 10-Q is a notice, not a quarterly report.
    assert groups["quarterly"] == 12 + 1
    assert groups["annual"] == 3 + 1
    assert groups["current"] == 44 + 1
    assert groups["section-16"] == 15 + 9
    first = Filing.objects.get(accession_number=expected["accessionNumber"][0])
    assert first.filing_date.isoformat() == expected["filingDate"][0]
    assert first.primary_document == expected["primaryDocument"][0]
    source = EdgarSource.load()
    assert source.error == "" and source.updated_at is not None
    assert source.name == "Solidion Technology Inc."


@needs_corpus
def test_older_pages_are_read_once_and_join_the_recent_filings(edgar):
    edgar.serve("/submissions/CIK0001318605.json", Reply(recorded("CIK0001318605.json")))
    edgar.serve(
        "/submissions/CIK0001318605-submissions-001.json",
        Reply(recorded("CIK0001318605-submissions-001.json")),
    )
    set_cik("0001318605")
    poller.poll()
    assert Filing.objects.count() == 1002 + 720
    assert Filing.objects.order_by("filing_date").first().filing_date.isoformat() == "2005-02-17"
    assert EdgarSource.load().pages_read == ["CIK0001318605-submissions-001.json"]
    assert edgar.paths() == [
        "/submissions/CIK0001318605.json",
        "/submissions/CIK0001318605-submissions-001.json",
    ]
    poller.poll()
    # The older page lists settled history: the second poll reads the main file alone.
    assert edgar.paths()[2:] == ["/submissions/CIK0001318605.json"]
    assert Filing.objects.count() == 1722


@needs_corpus
def test_an_older_page_that_fails_keeps_the_recent_filings_and_says_so(edgar):
    # Apple's older page was not recorded: the local EDGAR answers 404 for it, as for any file.
    edgar.serve("/submissions/CIK0000320193.json", Reply(recorded("CIK0000320193.json")))
    set_cik("320193")
    poller.poll()
    assert Filing.objects.count() == 1005
    source = EdgarSource.load()
    assert "CIK0000320193-submissions-001.json" in source.error
    assert source.pages_read == []
    # Read again in full next time, not "not modified".
    assert source.edgar_last_modified == ""


@needs_corpus
def test_recorded_amendments_are_grouped_with_their_base_forms(edgar):
    edgar.serve("/submissions/CIK0000895419.json", Reply(recorded("CIK0000895419.json")))
    set_cik("895419")
    poller.poll()
    amendments = Filing.objects.filter(form="8-K/A")
    assert amendments.count() == 6
    assert set(amendments.values_list("group", flat=True)) == {"current"}
    assert Filing.objects.get(form="10-K/A").group == "annual"
    assert set(Filing.objects.filter(form__startswith="S-").values_list("group", flat=True)) == {
        "registration"
    }
    assert set(Filing.objects.filter(form="DEF 14A").values_list("group", flat=True)) == {"proxy"}


# --- idempotence, If-Modified-Since, the cache ------------------------------------------------


def test_a_second_poll_of_the_same_answer_changes_nothing(edgar, settings):
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(submissions([filing(2), filing(1)])))
    set_cik()
    assert "2 new, 0 changed" in poller.poll()
    before, changes = snapshot(), public_changes()
    settings.IRSITE_EDGAR_STAMP_SECONDS = 3600
    assert "0 new, 0 changed" in poller.poll()
    assert snapshot() == before
    assert public_changes() == changes  # no page re-rendered, nothing purged


def test_a_new_filing_moves_the_pages_and_purges_lists_and_feeds(edgar):
    edgar.serve(
        f"/submissions/CIK{CIK}.json",
        Reply(submissions([filing(1)])),
        Reply(submissions([filing(2), filing(1)])),
    )
    set_cik()
    poller.poll()
    changes = public_changes()
    purges = DBTaskResult.objects.filter(task_path__endswith="purge_front_cache").count()
    assert "1 new" in poller.poll()
    assert public_changes() > changes
    enqueued = DBTaskResult.objects.filter(task_path__endswith="purge_front_cache")
    assert enqueued.count() == purges + 2  # the change's two purges
    assert enqueued.last().args_kwargs["kwargs"]["keys"] == ["list"]


def test_a_changed_filing_is_updated_in_place(edgar):
    edgar.serve(
        f"/submissions/CIK{CIK}.json",
        Reply(submissions([filing(1, primaryDocDescription="8-K")])),
        Reply(submissions([filing(1, primaryDocDescription="CURRENT REPORT")])),
    )
    set_cik()
    poller.poll()
    assert "0 new, 1 changed" in poller.poll()
    assert Filing.objects.get().description == "CURRENT REPORT"


def test_if_modified_since_is_sent_and_304_keeps_the_list(edgar):
    stamp = "Thu, 05 Mar 2026 11:20:23 GMT"
    edgar.serve(
        f"/submissions/CIK{CIK}.json",
        Reply(submissions([filing(1)]), headers={"Last-Modified": stamp}),
        Reply(status=304),
    )
    set_cik()
    poller.poll()
    before = snapshot()
    assert poller.poll().startswith("not modified")
    assert edgar.requests[0].headers.get("If-Modified-Since") is None
    assert edgar.requests[1].headers["If-Modified-Since"] == stamp
    assert snapshot() == before
    assert EdgarSource.load().error == ""


def test_every_request_declares_who_sends_it(edgar):
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(submissions([filing(1)])))
    set_cik()
    poller.poll()
    assert edgar.requests[0].headers["User-Agent"] == AGENT


def test_requests_are_at_most_ten_a_second(edgar):
    pages = [f"CIK{CIK}-submissions-{n:03d}.json" for n in range(1, 6)]
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(submissions([filing(100)], pages)))
    for number, page in enumerate(pages, start=1):
        edgar.serve(f"/submissions/{page}", Reply(json.dumps(_page([filing(number)])).encode()))
    set_cik()
    poller.poll()
    assert len(edgar.requests) == 6 and Filing.objects.count() == 6
    starts = [seen.at for seen in edgar.requests]
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.09


def _page(rows: list[dict]) -> dict:
    return {key: [row[key] for row in rows] for key in rows[0]}


# --- bad answers never empty or corrupt the list -----------------------------------------------

GOOD = submissions([filing(2), filing(1)])
BAD_ANSWERS = {
    "truncated": Reply(GOOD, cut_after=len(GOOD) // 2),
    "missing-key": Reply(
        json.dumps(
            {
                **json.loads(GOOD),
                "filings": {
                    "recent": {
                        k: v
                        for k, v in json.loads(GOOD)["filings"]["recent"].items()
                        if k != "form"
                    },
                    "files": [],
                },
            }
        ).encode()
    ),
    "wrong-type": Reply(GOOD.replace(b'"size": [1002, 1001]', b'"size": ["big", 1001]')),
    "lists-of-two-lengths": Reply(
        GOOD.replace(b'"act": ["34", "34"]', b'"act": ["34"]'),
    ),
    "html": Reply(b"<!DOCTYPE html><html><body>Maintenance</body></html>", 200, "text/html"),
    "html-said-to-be-json": Reply(b"<html><body>Request Rate Threshold Exceeded</body></html>"),
    "another-cik": Reply(submissions([filing(2)], cik="0000320193")),
    "empty": Reply(b""),
    "forbidden": Reply(b"<html>Your request has been blocked</html>", 403, "text/html"),
    "too-many": Reply(b"", 429, headers={"Retry-After": "600"}),
    "server-error": Reply(b"", 503),
    "timeout": Reply(GOOD, delay=1.5),
    "not-found": Reply(b"<Error><Code>NoSuchKey</Code></Error>", 404, "application/xml"),
}


@pytest.mark.parametrize("kind", list(BAD_ANSWERS))
def test_a_bad_answer_keeps_the_last_good_list_and_is_shown_to_staff(edgar, kind):
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(GOOD), BAD_ANSWERS[kind])
    set_cik()
    poller.poll()
    good, changes = snapshot(), public_changes()
    assert len(good) == 2
    outcome = poller.poll()
    assert outcome.startswith("failed"), outcome
    assert snapshot() == good
    assert public_changes() == changes
    source = EdgarSource.load()
    assert source.error and source.failures == 1
    assert source.error in outcome
    assert source.next_check_at > clock.now() + timedelta(seconds=60)


def test_retry_after_is_honoured_and_back_off_grows(edgar, settings):
    settings.IRSITE_EDGAR_POLL_SECONDS = 300
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(b"", 429, headers={"Retry-After": "900"}))
    set_cik()
    poller.poll()
    source = EdgarSource.load()
    assert source.next_check_at >= clock.now() + timedelta(seconds=895)
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(b"", 403))
    poller.poll()
    poller.poll()
    source = EdgarSource.load()
    assert source.failures == 3
    # 300 s doubled per failure in a row: the third waits 1200 s.
    assert source.next_check_at >= clock.now() + timedelta(seconds=1195)


def test_a_good_answer_after_failures_clears_the_error(edgar):
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(b"", 503), Reply(GOOD))
    set_cik()
    poller.poll()
    assert EdgarSource.load().failures == 1
    poller.poll()
    source = EdgarSource.load()
    assert (source.error, source.failures, Filing.objects.count()) == ("", 0, 2)


def test_keys_irsite_does_not_read_are_ignored_and_reported(edgar):
    row = filing(1, newKeyFrom2027="x")
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(submissions([row])))
    set_cik()
    assert "1 new" in poller.poll()
    source = EdgarSource.load()
    assert source.error == ""
    assert "newKeyFrom2027" in source.notes


# --- fair access and outbound rules ------------------------------------------------------------


def test_without_a_declared_user_agent_nothing_is_sent(edgar, settings):
    settings.IRSITE_EDGAR_USER_AGENT = ""
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(GOOD))
    set_cik()
    outcome = poller.poll()
    assert edgar.requests == []
    assert "IRSITE_EDGAR_USER_AGENT" in outcome
    assert "IRSITE_EDGAR_USER_AGENT" in EdgarSource.load().error
    assert "IRSITE_EDGAR_USER_AGENT" in poller.not_ready()


def test_a_user_agent_without_a_contact_address_is_refused(edgar, settings):
    settings.IRSITE_EDGAR_USER_AGENT = "irsite"
    set_cik()
    assert "contact e-mail address" in poller.poll()
    assert edgar.requests == []


def test_the_command_refuses_to_start_without_a_user_agent_in_one_line(edgar, settings):
    settings.IRSITE_EDGAR_USER_AGENT = ""
    set_cik()
    with pytest.raises(CommandError) as refused:
        call_command("poll_edgar")
    assert "\n" not in str(refused.value)
    assert "IRSITE_EDGAR_USER_AGENT" in str(refused.value)


def test_a_base_url_on_a_private_address_is_refused(edgar, settings):
    settings.IRSITE_EDGAR_PRIVATE_HOSTS = []
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(GOOD))
    set_cik()
    assert "non-public address" in poller.poll()
    assert edgar.requests == []


# --- who polls, and when ------------------------------------------------------------------------


def test_one_worker_claims_a_due_poll(edgar):
    set_cik()
    assert tasks.enqueue_if_due() is True
    assert tasks.enqueue_if_due() is False
    assert DBTaskResult.objects.filter(task_path="filings.tasks.poll_edgar").count() == 1


def test_no_poll_without_a_cik(edgar):
    EdgarSource.load()
    assert tasks.enqueue_if_due() is False
    assert poller.poll() == "no CIK set: nothing to poll"


def test_the_worker_polls_when_due(edgar, worker):
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(GOOD))
    set_cik()
    worker()  # its check claims the due poll, then runs the queued task
    assert Filing.objects.count() == 2
    assert EdgarSource.load().next_check_at > clock.now()


def test_the_cik_is_set_once(edgar):
    edgar.serve(f"/submissions/CIK{CIK}.json", Reply(GOOD))
    set_cik()
    poller.poll()
    with pytest.raises(actions.ActionRefused, match="set once"):
        actions.set_cik("320193")
    assert EdgarSource.load().cik == CIK


def test_only_filings_listed_after_the_first_read_are_new_on_edgar(edgar):
    today = clock.now().date().isoformat()
    edgar.serve(
        f"/submissions/CIK{CIK}.json",
        Reply(submissions([filing(2, filed=today), filing(1, filed="2020-01-02")])),
        Reply(
            submissions(
                [filing(4, filed=today), filing(3, filed="2020-01-01"), filing(2), filing(1)]
            )
        ),
    )
    set_cik()
    poller.poll()  # the first read: history, however recent
    assert not Filing.objects.filter(new_on_edgar=True).exists()
    poller.poll()
    # Filed today and first listed now: new. Filed years ago (an old filing EDGAR lists late):
    # not news.
    assert list(
        Filing.objects.filter(new_on_edgar=True).values_list("accession_number", flat=True)
    ) == ["0000855654-26-000004"]


def test_the_worker_says_in_one_line_why_it_will_not_poll(edgar, settings, worker):
    settings.IRSITE_EDGAR_USER_AGENT = ""
    set_cik()
    said = io.StringIO()
    call_command("run_worker", "--once", stderr=said)
    assert said.getvalue().count("\n") == 1
    assert "IRSITE_EDGAR_USER_AGENT" in said.getvalue()
    assert edgar.requests == []
