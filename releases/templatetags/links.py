"""`{% link "name" %}`: `{% url %}` for the site's fixed links, remembered (`irsite.urlcache`).

The site's header, footer and e-mail sign-up print a dozen links on every public page;
resolving each through `reverse()` was a sixth of an uncached release page's time.
"""

from django import template

from irsite.urlcache import reverse_cached

register = template.Library()


@register.simple_tag
def link(viewname: str) -> str:
    return reverse_cached(viewname)
