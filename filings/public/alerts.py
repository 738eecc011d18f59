"""The "SEC filings" topic of e-mail alerts (`irsite.alert_topics`, registered in
`filings.apps`): one alert per filing new on EDGAR (`Filing.new_on_edgar`: listed by a poll
after the list was first read, so a first read's history or an older page read late is never
mailed), to the subscribers who chose it, once (the alerts' batch is unique per key).

A filing the IR team hides before its alert has gone is not sent (`FilingQuerySet.public`, asked
again when each batch of recipients is sent). Offered only once the site follows a CIK.
"""

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from irsite.alert_topics import Item, Message, Topic
from irsite.plaintext import single_line

from ..models import EdgarSource, Filing

SLUG = "filings"


def due(now: datetime, since: datetime) -> list[Item]:
    rows = Filing.objects.public().filter(
        new_on_edgar=True, first_seen_at__gte=since, first_seen_at__lte=now
    )
    return [Item(f"filing:{pk}", at) for pk, at in rows.values_list("pk", "first_seen_at")]


def message(key: str, now: datetime) -> Message | None:
    filing = Filing.objects.public().filter(pk=key.partition(":")[2]).first()
    if filing is None:
        return None
    context = {"filing": filing}
    links = [("Filing on EDGAR", filing.index_url)]
    if filing.document_url:
        links.append(("Document", filing.document_url))
    links.append(("All SEC filings", settings.SITE_URL + reverse("filings:list")))
    return Message(
        subject=f"SEC filing: Form {single_line(filing.form)}, {single_line(filing.title)}",
        text=render_to_string("filings/email/alert.txt", context),
        html=render_to_string("filings/email/alert.html", context),
        links=tuple(links),
    )


def offered() -> bool:
    return EdgarSource.objects.exclude(cik="").exists()


TOPIC = Topic(
    slug=SLUG,
    label="SEC filings",
    description="each new filing on EDGAR",
    due=due,
    message=message,
    offered=offered,
)
