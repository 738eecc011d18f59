from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def email_is_configured(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """In production, alerts and confirmation links must really leave the machine."""
    backend = settings.EMAIL_BACKEND
    if "console" in backend or "locmem" in backend or "dummy" in backend:
        return [
            checks.Warning(
                f"EMAIL_BACKEND is {backend}: email alerts would not reach anyone.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@mail.example.com:587",
                id="alerts.W001",
            )
        ]
    return []
