from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shelfmark.core"
    label = "core"
    verbose_name = "Core"
