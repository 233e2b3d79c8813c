from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Sip2Config(AppConfig):
    name = "shelfmark.protocols.sip2"
    label = "sip2"
    verbose_name = _("SIP2 自助设备")
