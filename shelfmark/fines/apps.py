from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinesConfig(AppConfig):
    name = "shelfmark.fines"
    label = "fines"
    verbose_name = _("费用")
