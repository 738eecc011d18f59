"""The "Reports" topic of e-mail alerts (`irsite.alert_topics`, registered in `reports.apps`):
a report of the library (annual report, proxy statement, sustainability report) at its
publication second.

Found by the reports' own publication rule (`ReportQuerySet.public`) at the database's time,
so a report is never mailed before its second, whatever a worker host's clock says.
"""

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from irsite.alert_topics import Item, Message, Topic
from irsite.plaintext import single_line

from ..models import Report

SLUG = "reports"


def due(now: datetime, since: datetime) -> list[Item]:
    reports = Report.objects.public(now).filter(published_at__gte=since)
    pairs = reports.values_list("pk", "published_at")
    return [Item(f"report:{pk}", at) for pk, at in pairs if at]  # public: it has one


def message(key: str, now: datetime) -> Message | None:
    report = Report.objects.public(now).filter(pk=key.partition(":")[2]).first()
    if report is None:
        return None  # withdrawn before the mail left: pending mails are cancelled
    page = settings.SITE_URL + report.get_absolute_url()
    context = {"report": report, "page_url": page}
    return Message(
        subject=f"{report.get_kind_display()}: {single_line(report.title)}",
        text=render_to_string("reports/email/alert.txt", context),
        html=render_to_string("reports/email/alert.html", context),
        links=(
            ("Reports library", page),
            ("The report (PDF)", settings.SITE_URL + report.get_file_url()),
        ),
    )


TOPIC = Topic(
    slug=SLUG,
    label="Reports",
    description="annual reports, proxy statements and sustainability reports",
    due=due,
    message=message,
)
