from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "irsite.contacts"
    label = "contacts"
    verbose_name = "Company and contacts"
