from django.urls import path

from irsite.http import cache_publicly

# The releases' URLconf registers the <year> and <dd> converters the event URLs share.
from releases.public import urls as _releases_urls  # noqa: F401

from . import views
from .feeds import EventsAtomFeed, EventsRssFeed

app_name = "events"
urlpatterns = [
    path("", views.EventListView.as_view(), name="list"),
    path("calendar.ics", views.calendar_ics, name="calendar"),
    path("<year:year>/<dd:month>/<dd:day>/<slug:slug>/", views.EventDetailView.as_view(),
         name="detail"),
    path("<year:year>/<dd:month>/<dd:day>/<slug:slug>.ics", views.event_ics, name="ics"),
    path("feed/rss/", cache_publicly(EventsRssFeed()), name="rss"),
    path("feed/atom/", cache_publicly(EventsAtomFeed()), name="atom"),
    path("files/<str:name>", views.event_file, name="file"),
]  # fmt: skip
