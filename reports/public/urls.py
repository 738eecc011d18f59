from django.urls import path

from irsite.http import cache_publicly

# The releases' URLconf registers the <year> converter the report URLs share.
from releases.public import urls as _releases_urls  # noqa: F401

from . import views
from .feeds import ReportsAtomFeed, ReportsRssFeed

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("<year:year>/", views.ReportListView.as_view(), name="year"),
    path("feed/rss/", cache_publicly(ReportsRssFeed()), name="rss"),
    path("feed/atom/", cache_publicly(ReportsAtomFeed()), name="atom"),
    path("files/<str:name>", views.report_file, name="file"),
]
