from django.contrib import admin
from django.urls import include, path

from releases.views import HomeView

admin.site.site_header = "irsite"
admin.site.site_title = "irsite admin"
admin.site.index_title = "Investor relations"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("news/", include("releases.urls")),
    path("contacts/", include("irsite.contacts.urls")),
    path("admin/", admin.site.urls),
    path("alerts/", include("irsite.alerts.urls")),
]
