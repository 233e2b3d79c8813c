from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shelfmark.demo"
    label = "demo"
    verbose_name = "Demo data"
