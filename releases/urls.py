from django.urls import path, register_converter

from . import views
from .cache import cache_publicly
from .feeds import ReleasesAtomFeed, ReleasesRssFeed


class TwoDigitConverter:
    """Months and days as the permanent URL prints them: 01, not 1."""

    regex = "[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:02d}"


register_converter(TwoDigitConverter, "dd")

app_name = "releases"
urlpatterns = [
    path("", views.ReleaseListView.as_view(), name="list"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("<int:year>/", views.ReleaseListView.as_view(), name="year"),
    path("<int:year>/<dd:month>/<dd:day>/<slug:slug>/", views.ReleaseDetailView.as_view(),
         name="detail"),
    path("<int:year>/<dd:month>/<dd:day>/<slug:slug>.pdf", views.release_pdf, name="pdf"),
    path("category/<slug:slug>/", views.ReleaseListView.as_view(), name="category"),
    path("feed/rss/", cache_publicly(ReleasesRssFeed()), name="rss"),
    path("feed/atom/", cache_publicly(ReleasesAtomFeed()), name="atom"),
    path("category/<slug:slug>/feed/rss/", cache_publicly(ReleasesRssFeed()),
         name="category-rss"),
    path("category/<slug:slug>/feed/atom/", cache_publicly(ReleasesAtomFeed()),
         name="category-atom"),
    path("preview/<str:token>/", views.preview_link_view, name="preview"),
    path("files/<str:name>", views.attachment_file, name="file"),
]  # fmt: skip
