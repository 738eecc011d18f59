"""irsite settings, read from the environment (12-factor, django-environ).

Every variable is documented in `.env.example`. With no environment at all the site runs in
development mode on a local SQLite file; production sets DEBUG=False and a real SECRET_KEY.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# An optional .env file beside manage.py; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

# Development may run on a throwaway key; production must bring its own real one.
_DEV_SECRET_KEY = "django-insecure-irsite-development-only-never-use-in-production"  # noqa: S105 - development only, refused when DEBUG is off
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set; production (DEBUG=False) needs one.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY is not a real secret (under 50 characters or 'django-insecure'); "
        "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
# The public base URL, used where a link leaves the request (feeds' GUIDs, exports).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_prose_editor",
    "irsite.contacts",
    "irsite.disclaimers",
    "releases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "irsite.middleware.PrivateResponseMiddleware",
]

ROOT_URLCONF = "irsite.urls"
WSGI_APPLICATION = "irsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "irsite.contacts.context_processors.company",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before each request reuses them, so a restarted
    # PostgreSQL costs one failed request per worker at most, not a stuck worker.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Press-release times are stated in the issuer's local time.
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "admin:login"

# --- irsite ---------------------------------------------------------------------------------
# Four-eyes rule: the approver of a release must not be the last person who changed its content.
IRSITE_FOUR_EYES = env.bool("IRSITE_FOUR_EYES", default=True)
# How long a reviewer's share link stays valid unless revoked.
IRSITE_PREVIEW_LINK_HOURS = env.int("IRSITE_PREVIEW_LINK_HOURS", default=48)
# Public pages may be cached this long at most; never past the next scheduled go-live.
IRSITE_PUBLIC_MAX_AGE = env.int("IRSITE_PUBLIC_MAX_AGE", default=300)
IRSITE_RELEASES_PER_PAGE = 20

# --- production hardening (only where DEBUG is off) -------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS=False is the plain-HTTP local switch (`make serve`): the redirect, HSTS and secure
    # cookies all follow it unless set one by one.
    HTTPS = env.bool("HTTPS", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
    # A load balancer probes /healthz over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: the admin's forms carry the token.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- production serving (issue 6) -------------------------------------------------------------
# Static files: WhiteNoise serves them from gunicorn with far-future caching. Production uses
# compressed files with content hashes in their names (needs `collectstatic`, which `make serve`
# runs); development and the test suite read the source files, so no collectstatic is needed.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
MIDDLEWARE.insert(2, "irsite.security.ContentSecurityPolicyMiddleware")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Errors: a database outage answers 503 with a plain page (irsite.errors), never a traceback.
# Content-Security-Policy: public pages have no inline script or style; the staff-only admin
# (and its rich-text editor) needs inline ones.
IRSITE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
IRSITE_CSP_ADMIN = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)

# Admin sign-in throttling (django-axes, attempts in the database so that every app server
# sees them): each failure from an address is answered more slowly, the Nth locks the address
# out for a while, and the lockout is written to the audit trail (irsite.security).
INSTALLED_APPS.append("axes")
AUTHENTICATION_BACKENDS = [
    "irsite.security.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AXES_HANDLER = "irsite.security.AuditedAxesHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a load balancer the client is the last address it appended to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "irsite.security.client_ip"
IRSITE_TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
# Seconds added to the answer of each further failed sign-in from one address (capped).
IRSITE_LOGIN_FAILURE_DELAY = env.float("LOGIN_FAILURE_DELAY", default=0.5)
IRSITE_LOGIN_FAILURE_DELAY_MAX = 2.0

# Logs: one JSON object per line on stdout (gunicorn's access log uses the same formatter,
# see gunicorn.conf.py). LOG_FORMAT=text keeps plain lines for development.
LOGGING["formatters"] = {"json": {"()": "irsite.logs.JsonFormatter"}}
LOGGING["handlers"]["console"]["stream"] = "ext://sys.stdout"
if env.str("LOG_FORMAT", default="text" if DEBUG else "json") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"

# --- cache (minimal; the public-pages branch owns the page cache) -------------------------------
# CACHE_URL, e.g. redis://127.0.0.1:6379/1 (Django's built-in RedisCache). A Redis outage must
# make pages slower, not fail them: irsite.cache.TolerantRedisCache logs and falls through.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "irsite.cache.TolerantRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
        socket_timeout=env.float("CACHE_TIMEOUT", default=0.5),
    )
# Benchmarks switch the server-side page cache off (0) and on (1); the public-pages branch
# reads this switch.
IRSITE_PAGE_CACHE = env.bool("IRSITE_PAGE_CACHE", default=True)
