from django.urls import path, register_converter

from irsite.http import cache_publicly

from . import views
from .converters import GroupConverter
from .feeds import FilingsRssFeed

register_converter(GroupConverter, "filinggroup")

app_name = "filings"
urlpatterns = [
    path("", views.filing_list, name="list"),
    path("feed/rss/", cache_publicly(FilingsRssFeed()), name="rss"),
    path("feed/rss/<filinggroup:group>/", cache_publicly(FilingsRssFeed()), name="group-rss"),
]
