from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibrariesConfig(AppConfig):
    name = "shelfmark.libraries"
    label = "libraries"
    verbose_name = _("图书馆网络")
