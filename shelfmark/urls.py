"""URL map: admin, JSON API, staff pages, language switch."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from shelfmark.api import api

urlpatterns = [
    path("", RedirectView.as_view(url="/staff/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("shelfmark.accounts.urls")),
    path("staff/catalog/", include("shelfmark.catalog.urls")),
    path("staff/copycat/", include("shelfmark.protocols.z3950.urls")),  # Z39.50 copy cataloguing
    path("staff/circulation/", include("shelfmark.circulation.urls")),
    path("staff/lists/", include("shelfmark.booklists.urls")),
    path("staff/union/", include("shelfmark.union_catalog.urls")),  # member sources, harvests, clusters, decisions
    path("staff/alliance/", include("shelfmark.alliance.urls")),  # local documents, gap report, scorecards
    path("staff/ill/", include("shelfmark.ill.urls")),  # interlibrary loan queues and requests
    path("ill/iso18626", include("shelfmark.ill.urls_protocol")),  # ISO 18626 messages from partner installations
    path("oai", include("shelfmark.protocols.oaipmh.urls")),  # OAI-PMH 2.0 provider for harvesters
    path("sru", include("shelfmark.protocols.sru.urls")),  # SRU 1.2/2.0 search with CQL
    path("", include("shelfmark.opac.urls")),  # reader pages: /account/, /records/<id>/
]
