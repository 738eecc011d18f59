from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from irsite.urlcache import reverse_cached

from .times import reader_date

register = template.Library()


@register.filter
def year_url(year: int) -> str:
    """The year archive's URL: `{{ y|year_url }}`, as `{% url 'releases:year' y %}` but cheap
    enough for a menu of twenty years on every list page."""
    return reverse_cached("releases:year", year)


@register.simple_tag
def release_item(release, level: int = 3) -> str:
    """One row of a release list (home page, `/news/`, archives).

    Written with `format_html` rather than as an included template: a list page prints twenty
    of these, and the template engine spent more time on them than on everything else.
    """
    local = timezone.localtime(release.published_at)
    subheadline = next(iter(release.subheadlines), "")
    categories = release.category_list
    return format_html(
        '<li class="release-item">\n  <time datetime="{}">{}</time>\n'
        '  <h{}><a href="{}">{}</a></h{}>\n{}{}</li>\n',
        local.isoformat(),
        reader_date(local),
        level,
        release.get_absolute_url(),
        release.headline,
        level,
        format_html('  <p class="subheadline">{}</p>\n', subheadline) if subheadline else "",
        format_html(
            '  <p class="categories">{}</p>\n',
            format_html_join(
                ", ", '<a href="{}">{}</a>', ((c.get_absolute_url(), c.name) for c in categories)
            ),
        )
        if categories
        else "",
    )
