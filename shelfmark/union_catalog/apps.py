from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnionCatalogConfig(AppConfig):
    name = "shelfmark.union_catalog"
    label = "union_catalog"
    verbose_name = _("联合书目")
