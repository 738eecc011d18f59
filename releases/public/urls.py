from django.urls import path, register_converter

from irsite.http import cache_publicly

from . import views
from .converters import TwoDigitConverter, YearConverter
from .feeds import ReleasesAtomFeed, ReleasesRssFeed

register_converter(TwoDigitConverter, "dd")
register_converter(YearConverter, "year")

app_name = "releases"
urlpatterns = [
    path("", views.ReleaseListView.as_view(), name="list"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("<year:year>/", views.ReleaseListView.as_view(), name="year"),
    path("<year:year>/<dd:month>/<dd:day>/<slug:slug>/", views.ReleaseDetailView.as_view(),
         name="detail"),
    path("<year:year>/<dd:month>/<dd:day>/<slug:slug>.pdf", views.release_pdf, name="pdf"),
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
