"""The messages irsite sends: a confirmation link, and a release as an alert.

Every message is built here from templates in `templates/alerts/email/`, with the company's name
as the sender's display name and absolute links built from `SITE_URL`.
"""

import email
import email.message
import re
import secrets
from email.utils import format_datetime, formataddr
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from irsite.contacts.models import CompanyProfile, Contact, LetterheadFields
from irsite.plaintext import single_line
from irsite.richtext import sanitize_html
from releases.models import Release
from releases.text import SUMMARY_SOURCE_CHARS, first_paragraph_with_dateline

from . import tokens
from .models import AlertBatch, Delivery, Subscriber

if TYPE_CHECKING:
    from .topics import TopicParts

# How much of a release an alert quotes before the link to the page.
LEAD_PARAGRAPHS = 2


def date_header() -> str:
    """The Date header in the company's zone ("-0500"), as its releases state their times,
    rather than "-0000" (RFC 5322: the zone of the sender where it is known)."""
    return format_datetime(timezone.localtime())


def copyright_line(year: int, legal_name: str) -> str:
    """“© 2026 ImmunoGen, Inc.”: one full stop, whether or not the legal name ends in one."""
    if not legal_name:
        return ""
    return f"© {year} {legal_name}" + ("" if legal_name.endswith(".") else ".")


def sender(company: CompanyProfile) -> str:
    name = single_line(company.legal_name or company.short_name)
    return formataddr((name, settings.DEFAULT_FROM_EMAIL)) if name else settings.DEFAULT_FROM_EMAIL


def _company_name(company: LetterheadFields) -> str:
    # Printed in headers (Subject, List-Id): one line, whatever is stored.
    return single_line(company.short_name or company.legal_name) or "Investor relations"


class _Paragraphs(HTMLParser):
    """The text of each paragraph and bullet of sanitized release HTML, in order; headings and
    tables are left out, so a lead never ends on a lone "Study highlights". Images are not sent
    (the alert links the page and its PDF); one inside a paragraph leaves "[Image: alt text]"."""

    BLOCKS = {"p", "li", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.BLOCKS:
            if self._depth == 0:
                self._current = []
            self._depth += 1
        elif tag == "br" and self._current is not None:
            self._current.append(" ")
        elif tag == "img" and self._current is not None:
            # An alert quotes text only: an image in a quoted paragraph is its alt text.
            alt = " ".join((dict(attrs).get("alt") or "").split())
            if alt:
                self._current.append(f" [Image: {alt}] ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS and self._depth:
            self._depth -= 1
            if self._depth == 0 and self._current is not None:
                text = " ".join("".join(self._current).split())
                if text:
                    self.paragraphs.append(text)
                self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


def lead_paragraphs(release: Release, count: int = LEAD_PARAGRAPHS) -> list[str]:
    """The first paragraphs as plain text, the dateline in front of the first (as printed)."""
    parser = _Paragraphs()
    # The lead is at the start: a body of megabytes is not sanitized whole for each e-mail.
    lead = sanitize_html(release.body[:SUMMARY_SOURCE_CHARS])
    parser.feed(str(first_paragraph_with_dateline(lead, release.dateline)))
    parser.close()
    return parser.paragraphs[:count]


def confirmation_message(subscriber: Subscriber) -> EmailMessage:
    company = CompanyProfile.load()
    context = {
        "company_name": _company_name(company),
        "confirm_url": tokens.confirm_url(subscriber),
        "hours": settings.IRSITE_ALERTS_CONFIRM_HOURS,
        "subscriber": subscriber,
    }
    return EmailMessage(
        subject=f"Confirm your {context['company_name']} press release alerts",
        body=render_to_string("alerts/email/confirm.txt", context),
        from_email=sender(company),
        to=[subscriber.email],
        headers={"Date": date_header()},
    )


def already_subscribed_message(subscriber: Subscriber) -> EmailMessage:
    """Sent instead of a confirmation when an active address asks again: only its owner learns."""
    company = CompanyProfile.load()
    context = {
        "company_name": _company_name(company),
        "preferences_url": tokens.preferences_url(subscriber),
        "subscriber": subscriber,
    }
    return EmailMessage(
        subject=f"You already receive {context['company_name']} press release alerts",
        body=render_to_string("alerts/email/already_subscribed.txt", context),
        from_email=sender(company),
        to=[subscriber.email],
        headers={"Date": date_header()},
    )


def message_id_of(batch: AlertBatch, subscriber: Subscriber) -> str:
    """The same Message-ID on every attempt of one delivery, so a resend after a crash in the
    moment between "accepted by SMTP" and "recorded as sent" is recognisable as the same message
    (mail providers and clients that see a Message-ID twice show it once)."""
    domain = urlsplit(settings.SITE_URL).hostname or "irsite.invalid"
    if batch.release is None:  # a topic's item (an event, a filing): its batch is its name
        return f"<alert.{batch.topic}.b{batch.pk}.{subscriber.pk}@{domain}>"
    return f"<alert.{batch.release.uuid}.{batch.round}.{subscriber.pk}@{domain}>"


def _contact_groups(release: Release) -> list[tuple[str, list]]:
    """The release's contacts by audience, each line led by its audience ("Investors: …"),
    except a contact the filing names no audience for: its label is the section's own heading,
    "Contacts", which printed before it read "Contacts" then "Contacts: …" (issue 29)."""
    return [
        ("" if group[0].audience == Contact.Audience.UNSPECIFIED else label, group)
        for label, group in release.contacts_by_audience()
    ]


class AlertParts:
    """What every message of one alert batch shares (the release, its letterhead and contacts
    as approved, its lead, the company), read and built once per batch of recipients rather
    than once per message."""

    text_template = "alerts/email/release.txt"
    html_template = "alerts/email/release.html"

    def __init__(self, batch: AlertBatch) -> None:
        release = batch.release
        assert release is not None  # a release's batch (a topic's: `topics.TopicParts`)
        # A later round exists only because an approver resent a correction: say what changed.
        corrections = list(release.corrections.all()) if batch.round > 1 else []
        company = CompanyProfile.load()
        company_name = _company_name(company)
        letterhead = release.printed_letterhead
        self.batch = batch
        self.context = {
            "company_name": company_name,
            # What the release itself says (its letterhead and contacts as approved), not today's.
            "publisher": _company_name(letterhead),
            "contact_groups": _contact_groups(release),
            "release": release,
            "release_url": settings.SITE_URL + release.get_absolute_url(),
            "published": timezone.localtime(release.published_at),
            "paragraphs": lead_paragraphs(release),
            # The letterhead's logo and legal name as approved; the colour is the site's now.
            "logo_url": letterhead.logo and settings.SITE_URL + letterhead.get_logo_url(),
            "legal_name": single_line(letterhead.legal_name),
            "copyright": copyright_line(
                timezone.localtime(release.published_at).year, single_line(letterhead.legal_name)
            ),
            "colour": company.colour,
            "attachments": [
                {
                    "title": a.title,
                    "url": settings.SITE_URL + a.get_absolute_url(),
                    "label": a.kind_label,
                    "size": a.size,
                }
                for a in release.attachment_list
            ],
            "corrections": corrections,
        }
        # A header is one line (RFC 5322 2.2): built only from single-line text.
        headline = single_line(release.headline)
        self.subject = f"Corrected: {headline}" if batch.round > 1 else headline
        self.from_email = sender(company)
        self.list_id = f"{company_name} press releases <{list_id()}>"


def alert_message(
    delivery: Delivery, parts: "AlertParts | TopicParts | None" = None
) -> EmailMultiAlternatives:
    """The alert of ``delivery``'s batch to its subscriber; ``parts``: the batch's shared
    parts, when several messages of one batch are built."""
    subscriber = delivery.subscriber
    parts = parts or AlertParts(delivery.batch)
    unsubscribe_url = tokens.unsubscribe_url(subscriber)
    context = parts.context | {
        "subscriber": subscriber,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": tokens.preferences_url(subscriber),
    }
    message = EmailMultiAlternatives(
        subject=parts.subject,
        body=render_to_string(parts.text_template, context),
        from_email=parts.from_email,
        to=[subscriber.email],
        headers={
            "Message-ID": message_id_of(parts.batch, subscriber),
            # RFC 8058: mail clients offer "unsubscribe" and POST to the link without a login.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": parts.list_id,
            "Auto-Submitted": "auto-generated",
            "Date": date_header(),
        },
    )
    message.attach_alternative(render_to_string(parts.html_template, context), "text/html")
    return message


def list_id() -> str:
    return f"press-releases.{urlsplit(settings.SITE_URL).hostname or 'irsite.invalid'}"


class _Stand:
    """The subscriber as the templates see it while the batch's message is built once: each
    personal part is a placeholder (`Personaliser`)."""

    def __init__(self, email: str, category_names: str) -> None:
        self.email = email
        self.category_names = category_names


class _Raw:
    """A message already in bytes (CRLF), as the SMTP backend asks a MIME object for them.

    Sent as these bytes (never generated again); read like the `email.message.Message` that
    `EmailMessage.message()` returns (``message()["Date"]``, ``get_payload()``, ...), parsed
    from them on first use, so whoever reads an alert sees exactly what was sent."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self._parsed: email.message.Message | None = None

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(unixfrom, linesep).decode("ascii", errors="replace")

    def _message(self) -> email.message.Message:
        if self._parsed is None:
            self._parsed = email.message_from_bytes(self.raw)
        return self._parsed

    def __getitem__(self, name: str):
        return self._message()[name]

    def __contains__(self, name: str) -> bool:
        return name in self._message()

    def __getattr__(self, name: str):
        return getattr(self._message(), name)


class PrebuiltAlert(EmailMultiAlternatives):
    """An alert whose bytes were made from its batch's by replacing the personal parts; the
    fields (to, body, the HTML alternative) are the same message's, for whoever reads them."""

    def __init__(self, raw: bytes, **kwargs) -> None:
        super().__init__(**kwargs)
        self.raw = raw

    def message(self):
        return _Raw(self.raw)


# A personal part longer than this, or not ASCII, makes a message of its own (`Personaliser`):
# a replacement must never stretch a line past SMTP's 998 or put 8-bit text in a 7-bit part.
_PERSONAL_MAX = 300
# An address the bytes may carry as it is: nothing Django would encode, quote or refuse.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


class Personaliser:
    """A batch's message built once (templates rendered and MIME bytes generated with a
    placeholder for each personal part: the address, its categories, its two links, the
    Message-ID), then, per subscriber, those placeholders replaced in the bytes.

    Rendering and flattening a multipart message was ~10 ms a mail (bench/results/
    fanout-profile-20261207.md); a replacement is microseconds. Used only when the bytes hold
    each placeholder verbatim (no quoted-printable or base64 part, nothing folded through
    one); otherwise, and for a subscriber whose parts are not short ASCII, `alert_message`."""

    KEYS = ("email", "categories", "preferences", "unsubscribe")

    def __init__(self, parts: "AlertParts | TopicParts") -> None:
        self.parts = parts
        tag = secrets.token_hex(6)
        self.text_marks = {k: f"irsiteT{k}{tag}x" for k in self.KEYS}
        self.html_marks = {k: f"irsiteH{k}{tag}x" for k in self.KEYS}
        self.to_mark = f"irsiteto{tag}@placeholder.invalid"
        self.id_mark = f"irsiteid{tag}x"
        self.list_mark = f"irsitelist{tag}x"
        self.text = render_to_string(parts.text_template, self._context(self.text_marks))
        self.html = render_to_string(parts.html_template, self._context(self.html_marks))
        message = EmailMultiAlternatives(
            subject=parts.subject,
            body=self.text,
            from_email=parts.from_email,
            to=[self.to_mark],
            headers=self._headers(f"<{self.id_mark}>", self.list_mark),
        )
        message.attach_alternative(self.html, "text/html")
        # Django's SafeMIME classes take a linesep (the stubs' Message does not): SMTP's CRLF.
        self.raw = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
        self.usable = self._verbatim()

    def _context(self, marks: dict[str, str]) -> dict:
        stand = _Stand(marks["email"], marks["categories"])
        return self.parts.context | {
            "subscriber": stand,
            "unsubscribe_url": marks["unsubscribe"],
            "preferences_url": marks["preferences"],
        }

    def _headers(self, message_id: str, unsubscribe: str) -> dict[str, str]:
        return {
            "Message-ID": message_id,
            # RFC 8058: mail clients offer "unsubscribe" and POST to the link without a login.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.parts.list_id,
            "Auto-Submitted": "auto-generated",
            "Date": date_header(),
        }

    def _verbatim(self) -> bool:
        if re.search(rb"(?im)^content-transfer-encoding:\s*(quoted-printable|base64)", self.raw):
            return False
        counts = [(m, self.text.count(m)) for m in self.text_marks.values()]
        counts += [(m, self.html.count(m)) for m in self.html_marks.values()]
        counts += [(self.to_mark, 1), (self.id_mark, 1), (self.list_mark, 1)]
        return all(self.raw.count(m.encode()) == n for m, n in counts)

    def message(self, delivery: Delivery) -> EmailMultiAlternatives:
        subscriber = delivery.subscriber
        unsubscribe_url = tokens.unsubscribe_url(subscriber)
        values = {
            "email": subscriber.email,
            "categories": subscriber.category_names(),
            "preferences": tokens.preferences_url(subscriber),
            "unsubscribe": unsubscribe_url,
        }
        if not (
            self.usable
            and _PLAIN_ADDRESS.fullmatch(subscriber.email)
            and all(
                v.isascii() and v.isprintable() and len(v) <= _PERSONAL_MAX for v in values.values()
            )
        ):
            # Django's own checks (a header must be one line, an address an address) refuse
            # what the bytes would carry unchecked: a row written around the sign-up form.
            return alert_message(delivery, self.parts)
        message_id = message_id_of(self.parts.batch, subscriber)
        pairs = [(self.text_marks[k], v) for k, v in values.items()]
        pairs += [(self.html_marks[k], escape(v)) for k, v in values.items()]
        raw = _replace(self.raw, [*pairs, (self.to_mark, subscriber.email)])
        raw = _replace(raw, [(self.id_mark, message_id[1:-1]), (self.list_mark, unsubscribe_url)])
        message = PrebuiltAlert(
            raw,
            subject=self.parts.subject,
            body=_replace_text(self.text, pairs),
            from_email=self.parts.from_email,
            to=[subscriber.email],
            headers=self._headers(message_id, unsubscribe_url),
        )
        message.attach_alternative(_replace_text(self.html, pairs), "text/html")
        return message


def _replace(raw: bytes, pairs: list[tuple[str, str]]) -> bytes:
    for mark, value in pairs:
        raw = raw.replace(mark.encode(), str(value).encode())
    return raw


def _replace_text(text: str, pairs: list[tuple[str, str]]) -> str:
    for mark, value in pairs:
        text = text.replace(mark, str(value))
    return text
