from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Z3950Config(AppConfig):
    name = "shelfmark.protocols.z3950"
    label = "z3950"
    verbose_name = _("Z39.50 套录")
