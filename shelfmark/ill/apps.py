from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IllConfig(AppConfig):
    name = "shelfmark.ill"
    label = "ill"
    verbose_name = _("馆际互借")
