from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoldingsConfig(AppConfig):
    name = "shelfmark.holdings"
    label = "holdings"
    verbose_name = _("馆藏单册")

    def ready(self) -> None:
        """Add the "library holding it" facet to catalogue search."""
        from shelfmark.catalog.search import facets
        from shelfmark.holdings.facets import HoldingLibrary

        facets.register(HoldingLibrary())
