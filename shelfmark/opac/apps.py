from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpacConfig(AppConfig):
    name = "shelfmark.opac"
    label = "opac"
    verbose_name = _("读者服务")
