import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")
django_application = get_wsgi_application()

# Repeats of cached public pages are answered before Django runs (releases/localpages.py).
from releases.localpages import LocalPageApplication  # noqa: E402

application = LocalPageApplication(django_application)
