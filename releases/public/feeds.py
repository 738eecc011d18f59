import io
from typing import TYPE_CHECKING

from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape
from django.utils.http import http_date, parse_http_date_safe

from irsite.contacts.models import CompanyProfile
from irsite.plaintext import xml_safe

from ..models import Category, Release
from .views import public_category

if TYPE_CHECKING:
    _Generator = SyndicationFeed  # what the mixins below are mixed into
else:
    _Generator = object


class WrittenAtOnce(_Generator):
    """A feed generator that writes the whole document into the response in one piece.

    Django's writes ~660 small pieces straight into the response, each through a text wrapper
    and `HttpResponse.write`: 6 % of a feed's instructions. (That the server then sends one
    piece, not hundreds, `irsite.http.pagecache.serve_public` ensures for every public response.)
    """

    def write(self, outfile, encoding: str) -> None:
        buffer = io.StringIO()
        super().write(buffer, encoding)
        outfile.write(buffer.getvalue())


def _xml_safe(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(v) for v in value)
    return value


class XmlSafe(_Generator):
    """A feed generator that passes on only characters XML 1.0 allows.

    Text is normalised where it enters (`irsite.plaintext`); this is the net under it for rows
    written any other way, so one stored control character never takes the feed from every
    subscriber (Django's XML writer refuses it with a 500, or writes XML no reader parses).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs) -> None:
        super().add_item(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})


class RssFeedWrittenAtOnce(WrittenAtOnce, XmlSafe, Rss201rev2Feed):
    pass


class AtomFeedWrittenAtOnce(WrittenAtOnce, XmlSafe, Atom1Feed):
    pass


def guid(release: Release) -> str:
    """A release's GUID in every feed (RSS ``guid``, Atom ``id``): the URN of its UUID,
    independent of slug and headline, so an edited release is never a "new" item. The JSON
    API's id of a release is the UUID this names (`api.v1.releases`)."""
    return f"urn:uuid:{release.uuid}"


class ReleasesRssFeed(Feed):
    """The 20 latest public releases, optionally of one category."""

    feed_type: type[SyndicationFeed] = RssFeedWrittenAtOnce

    def __call__(self, request, *args, **kwargs):
        if slug := kwargs.get("slug"):
            found = public_category(request, slug)
            if isinstance(found, HttpResponse):
                return found  # the category's old slug: 301 to its feed, so readers follow
            request.irsite_category = found  # not on self: one Feed instance serves every request
        response = super().__call__(request, *args, **kwargs)
        # Django dates the feed by its newest item; a withdrawal removes an item, which is a
        # change too, for a reader that only sends If-Modified-Since.
        withdrawn = Release.objects.withdrawn()
        if slug := kwargs.get("slug"):
            withdrawn = withdrawn.filter(categories__slug=slug)
        last_withdrawal = withdrawn.aggregate(at=Max("withdrawn_at"))["at"]
        dated = parse_http_date_safe(response.headers.get("Last-Modified", ""))
        if last_withdrawal and (dated is None or last_withdrawal.timestamp() > dated):
            response.headers["Last-Modified"] = http_date(last_withdrawal.timestamp())
        return response

    def get_object(self, request, slug: str | None = None) -> Category | None:
        self.company = CompanyProfile.load()
        # Enclosure URLs must be absolute (RSS 2.0); Django adds the domain to links only.
        self.base_url = request.build_absolute_uri("/")[:-1]
        return request.irsite_category if slug else None

    def title(self, category: Category | None) -> str:
        name = self.company.short_name or "Company"
        return f"{name} press releases{f': {category}' if category else ''}"

    def link(self, category: Category | None) -> str:
        return category.get_absolute_url() if category else reverse("releases:list")

    def description(self, category: Category | None) -> str:
        name = self.company.legal_name or "the company"
        # "ImmunoGen, Inc." ends the sentence itself.
        return f"Press releases of {name}{'' if name.endswith('.') else '.'}"

    def author_name(self, category: Category | None) -> str:
        # RFC 4287 4.1.1: an Atom feed names an author (here, for every entry): the issuer.
        return self.company.legal_name or self.company.short_name or "Investor relations"

    def author_link(self, category: Category | None) -> str | None:
        return self.company.website or None

    def items(self, category: Category | None):
        releases = Release.objects.public().for_feed()
        if category:
            releases = releases.filter(categories=category)
        return releases[:20]

    def item_title(self, release: Release) -> str:
        return release.headline

    def item_description(self, release: Release) -> str:
        # RSS and Atom (type="html") descriptions are HTML to a reader; the excerpt is text.
        return escape(release.excerpt())

    def item_pubdate(self, release: Release):
        return release.published_at

    def item_updateddate(self, release: Release):
        return release.last_modified

    def item_guid(self, release: Release) -> str:
        return guid(release)

    item_guid_is_permalink = False

    def item_enclosures(self, release: Release) -> list[Enclosure]:
        """Every attachment, in order, with its length in bytes and media type. RSS 2.0 allows
        one enclosure per item (RSS Advisory Board profile), so RSS carries the first."""
        enclosures = [
            Enclosure(self.base_url + a.get_absolute_url(), str(a.size), a.content_type)
            for a in release.attachment_list
        ]
        return enclosures[:1] if self.feed_type is RssFeedWrittenAtOnce else enclosures

    def item_categories(self, release: Release) -> list[str]:
        return [c.name for c in release.category_list]


class ReleasesAtomFeed(ReleasesRssFeed):
    feed_type = AtomFeedWrittenAtOnce
    subtitle = ReleasesRssFeed.description
