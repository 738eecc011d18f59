from django.apps import AppConfig


class DisclaimersConfig(AppConfig):
    name = "irsite.disclaimers"
    label = "disclaimers"
    verbose_name = "Standard texts"
