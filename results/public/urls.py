from django.urls import path, register_converter

from irsite.http import cache_publicly

# The releases' URLconf registers the <year> converter the kit URLs share.
from releases.public import urls as _releases_urls  # noqa: F401

from . import views
from .feeds import KitsAtomFeed, KitsRssFeed


class PeriodConverter:
    """`q1` to `q4` and `fy`, lower case only: one spelling per page."""

    regex = "q[1-4]|fy"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PeriodConverter, "fiscalperiod")

app_name = "results"
urlpatterns = [
    path("", views.KitListView.as_view(), name="list"),
    path("<year:year>/<fiscalperiod:period>/", views.KitDetailView.as_view(), name="detail"),
    path("feed/rss/", cache_publicly(KitsRssFeed()), name="rss"),
    path("feed/atom/", cache_publicly(KitsAtomFeed()), name="atom"),
    path("files/<str:name>", views.kit_file, name="file"),
]
