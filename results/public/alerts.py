"""The "Results" topic of e-mail alerts (`irsite.alert_topics`, registered in `results.apps`):
a results kit at the second it became public: its release's go-live, or the kit's approval if a
second person approved it after the release was live.

Found by the kits' own publication rule (`KitQuerySet.public`) at the database's time, so a kit
is never mailed before its release's second, whatever a worker host's clock says; the message
names only what the kit page shows at that moment.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string

from irsite.alert_topics import Item, Message, Topic
from irsite.plaintext import single_line

from ..models import ResultsKit

SLUG = "results"


def due(now: datetime, since: datetime) -> list[Item]:
    # A kit is public from the later of its release's go-live and its own approval.
    public_since = Greatest(
        F("release__published_at"), Coalesce(F("approved_at"), F("release__published_at"))
    )
    kits = ResultsKit.objects.public(now).annotate(since=public_since).filter(since__gte=since)
    return [Item(f"kit:{pk}", at) for pk, at in kits.values_list("pk", "since") if at]


def message(key: str, now: datetime) -> Message | None:
    kit = ResultsKit.objects.public(now).filter(pk=key.partition(":")[2]).first()
    if kit is None:
        return None  # the release was withdrawn: pending mails are cancelled
    page = settings.SITE_URL + kit.get_absolute_url()
    context = {
        "kit": kit,
        "release": kit.release,
        "documents": list(kit.documents.current()),
        "page_url": page,
    }
    return Message(
        subject=f"Results: {single_line(kit.title)}",
        text=render_to_string("results/email/alert.txt", context),
        html=render_to_string("results/email/alert.html", context),
        links=(("Results kit", page),),
    )


TOPIC = Topic(
    slug=SLUG,
    label="Results",
    description="each quarter's results kit: release, call and documents",
    due=due,
    message=message,
)
