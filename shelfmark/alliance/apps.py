from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "shelfmark.alliance"
    label = "alliance"
    verbose_name = _("图书馆联盟")
