from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shelfmark.accounts"
    label = "accounts"
    verbose_name = _("馆员与权限")
