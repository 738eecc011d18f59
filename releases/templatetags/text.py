from django import template

from releases import text

register = template.Library()


@register.filter
def plain_text(html: str) -> str:
    """Sanitized HTML as the words a reader sees: `{{ body|plain_text|truncatewords:80 }}`.
    Unlike `striptags`, entities are decoded (printing escapes them once) and blocks keep a space
    between them."""
    return text.plain_text(html)
