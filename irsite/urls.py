from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path

from events.public.sitemaps import EventSitemap
from filings.public.sitemaps import FilingsSitemap
from irsite.contacts.views import brand_css
from irsite.health import healthz
from irsite.home import HomeView
from irsite.http.pagecache import cache_publicly
from releases.public.sitemaps import Sections, section_view
from releases.public.views import RobotsView
from reports.public.sitemaps import ReportSitemap
from results.public.sitemaps import ResultsSitemap

# The sitemap's sections: the releases' and, beside them, the other apps' (each always listed,
# empty and undated until one of its items is public).
SITEMAPS = Sections(
    more={
        "events": EventSitemap,
        "filings": FilingsSitemap,
        "results": ResultsSitemap,
        "reports": ReportSitemap,
    }
)

admin.site.site_header = "irsite"
admin.site.site_title = "irsite admin"
admin.site.index_title = "Investor relations"


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """`/favicon.ico`, which browsers and feed readers ask for on their own, to the site's icon
    (resolved per request: the static file's hashed name changes with its content)."""
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("news/", include("releases.public.urls")),
    path("contacts/", include("irsite.contacts.urls")),
    path("events/", include("events.public.urls")),
    path("filings/", include("filings.public.urls")),
    path("results/", include("results.public.urls")),
    path("reports/", include("reports.public.urls")),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        cache_publicly(sitemap_index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<str:section>.xml",
        cache_publicly(section_view, reads=("p",)),
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/sitemap.xml"},
        name="sitemap-section",
    ),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("alerts/", include("irsite.alerts.urls")),
    path("api/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
    path("brand.css", brand_css, name="brand-css"),
    path("favicon.ico", favicon, name="favicon"),
]

# A database outage answers 503 "try again", not a traceback or a bare 500.
handler500 = "irsite.errors.server_error"
