from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "irsite.contacts"
    label = "contacts"
    verbose_name = "Company and contacts"

    def ready(self) -> None:
        # The logos' folder, and every logo referred to: the company's, and each one a
        # letterhead keeps (a published release prints it for ever) (`irsite.storedfiles`).
        from irsite import storedfiles

        from .models import LOGO_FOLDER, CompanyProfile, Letterhead

        def referenced_names() -> list[str]:
            return [
                *Letterhead.objects.exclude(logo="").values_list("logo", flat=True),
                *CompanyProfile.objects.exclude(logo="").values_list("logo", flat=True),
            ]

        storedfiles.declare("contacts", [LOGO_FOLDER], referenced_names)
