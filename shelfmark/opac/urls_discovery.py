"""Public discovery pages: search, suggestions, item pages (what an item's QR code encodes), OpenSearch."""

from django.urls import URLPattern, path, re_path

from shelfmark.opac.views import item, search

urlpatterns: list[URLPattern] = [
    path("search/", search.search, name="search"),
    path("search/suggest", search.suggest, name="suggest"),
    path("opensearch.xml", search.opensearch, name="opensearch"),
    # /i/<code> is what an item's QR code encodes (holdings.qr.payload): any case, with or without a slash.
    re_path(r"^i/(?P<code>[^/]+)/?$", item.item, name="item"),
    re_path(r"^i/(?P<code>[^/]+)/hold/$", item.hold, name="item_hold"),
]
