"""What search engines and link previews read of a release."""

from .models import Release


def news_article(release: Release, url: str, image_url: str | None = None) -> dict:
    """schema.org NewsArticle: https://schema.org/NewsArticle. The publisher is the company as
    the release's letterhead names it (frozen at approval); ``image_url`` is the absolute URL of
    the release image, if it has one."""
    company = release.printed_letterhead
    publisher = {"@type": "Organization", "name": company.legal_name or company.short_name}
    if company.website:
        publisher["url"] = company.website
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": release.headline,
        "description": release.excerpt(),
        "datePublished": release.published_at.isoformat(),
        "dateModified": release.last_modified.isoformat(),
        "url": url,
        "mainEntityOfPage": url,
        "publisher": publisher,
        "author": publisher,
    }
    if image_url:
        article["image"] = [image_url]
    return article
