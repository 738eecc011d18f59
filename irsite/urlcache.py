"""`reverse()` for the links a public page prints dozens of times.

A list page prints about a hundred links (releases, their categories, the year archive), and
resolving each through `reverse()` is a measurable share of rendering it
(bench/results/design-measurements.md). A URL is a pure function of the view name, its
arguments, the URLconf and the script prefix, so it is remembered under all four.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def reverse_cached(viewname: str, *args: object) -> str:
    return _reverse(viewname, args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=16384)
def _reverse(viewname: str, args: tuple, urlconf: str, prefix: str) -> str:
    return reverse(viewname, args=args, urlconf=urlconf)
