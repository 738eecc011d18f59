"""What search engines and link previews read of a release."""

from ..models import Release


def organization(name: str, url: str = "") -> dict:
    """A schema.org Organization, its keys always in this order (the page's bytes, and so its
    ETag, must not depend on whether it came from a stored record: jsonb sorts keys)."""
    publisher = {"@type": "Organization", "name": name}
    if url:
        publisher["url"] = url
    return publisher


def publisher_of(release: Release) -> dict:
    """The publisher as the release's letterhead names it (frozen at approval)."""
    company = release.printed_letterhead
    return organization(company.legal_name or company.short_name, company.website)


def news_article(
    release: Release,
    url: str,
    image_url: str | None = None,
    *,
    description: str | None = None,
    publisher: dict | None = None,
) -> dict:
    """schema.org NewsArticle: https://schema.org/NewsArticle. The publisher is the company as
    the release's letterhead names it (frozen at approval); ``image_url`` is the absolute URL of
    the release image, if it has one. ``description`` and ``publisher``, when given, come from
    the stored record (`releases.record.rendering`) instead of the release's rows."""
    published, modified = release.published_at, release.last_modified
    assert published is not None and modified is not None  # the page of a public release
    if publisher:
        publisher = organization(publisher["name"], publisher.get("url", ""))
    else:
        publisher = publisher_of(release)
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": release.headline,
        "description": release.excerpt() if description is None else description,
        "datePublished": published.isoformat(),
        "dateModified": modified.isoformat(),
        "url": url,
        "mainEntityOfPage": url,
        "publisher": publisher,
        "author": publisher,
    }
    if image_url:
        article["image"] = [image_url]
    return article
