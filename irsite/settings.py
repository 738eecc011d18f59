"""irsite settings, read from the environment (12-factor, django-environ).

Every variable is documented in `.env.example`. With no environment at all the site runs in
development mode on a local SQLite file; production sets DEBUG=False and a real SECRET_KEY.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from irsite.storage import media_storage

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
    "django.contrib.sitemaps",
    "django_prose_editor",
    # Background work (e-mail alerts) through django-tasks' database backend.
    "django_tasks",
    "django_tasks_db",
    # Admin sign-in throttling.
    "axes",
    "irsite.http",
    "irsite.contacts",
    "irsite.disclaimers",
    # Before alerts: the worker runs its go-live check first (irsite.webhooks.apps).
    "irsite.webhooks",
    "irsite.alerts",
    "releases",
    "events",
    "filings",
    "results",
    # The reports library (docs/reports.md).
    "reports",
    # The public JSON API (docs/api.md), over the apps it publishes.
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app server (see STORAGES).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "irsite.security.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A query string holding what the database refuses is a 400 before anything reads it.
    "irsite.http.query.QueryTextMiddleware",
    # A current copy of a public page, answered before what follows runs (irsite/http).
    "irsite.http.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "irsite.http.private.PrivateResponseMiddleware",
    # Last, so it sees the sign-in attempts the views above it answered.
    "axes.middleware.AxesMiddleware",
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
    # Behind a pooler in transaction mode (PgBouncer's pool_mode=transaction) a server-side
    # cursor (QuerySet.iterator()) outlives the transaction that opened it and its next fetch
    # fails ('portal ... does not exist'): DB_POOLER=transaction turns them off
    # (docs/deployment.md).
    if env.str("DB_POOLER", default="") == "transaction":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # Parameters bound on the server (Django's `server_side_binding`) and a statement a
    # connection has run five times prepared (psycopg's `prepare_threshold`, which Django sets
    # to None, "off", unless given), so PostgreSQL stops planning it anew: the release page's
    # statement took longer to plan than to run (bench/results/perf-20261207.md). Opt-in
    # (DB_PREPARED_STATEMENTS=1) until the whole suite has run with it on. Never behind a
    # transaction-mode pooler, which lends a connection per transaction and loses what was
    # prepared on it.
    if env.bool("DB_PREPARED_STATEMENTS", default=False):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
# Read replicas (PostgreSQL streaming replicas of DATABASE_URL), comma-separated URLs: anonymous
# public pages read from one of them, everything else from the primary (irsite/replicas.py,
# docs/deployment.md "PostgreSQL"). None by default.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    _replica = env.db_url_config(_url)
    _primary = DATABASES["default"]
    if (
        _primary["ENGINE"] != "django.db.backends.postgresql"
        or _replica["ENGINE"] != _primary["ENGINE"]
    ):
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs PostgreSQL, as DATABASE_URL.")
    _replica["CONN_MAX_AGE"] = _primary["CONN_MAX_AGE"]
    _replica["CONN_HEALTH_CHECKS"] = True
    if _primary.get("DISABLE_SERVER_SIDE_CURSORS"):
        _replica["DISABLE_SERVER_SIDE_CURSORS"] = True
    for _option in ("server_side_binding", "prepare_threshold"):
        if _option in _primary.get("OPTIONS", {}):
            _replica.setdefault("OPTIONS", {})[_option] = _primary["OPTIONS"][_option]
    # A replica that stops answering costs a request this long, not a hung worker.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # The test database of a replica is the primary's (the suite never replicates).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["irsite.replicas.ReplicaRouter"] if DATABASE_REPLICAS else []
# A replica further behind the primary than this (seconds) serves no reads until it catches up;
# each process measures each replica at most every DATABASE_REPLICA_CHECK_SECONDS.
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=1.0)
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=1.0)
# A front-cache purge first waits this long (at most) for every replica to replay the change;
# a replica still behind gets the purge now and again once it has (irsite/http/frontcache.py).
DATABASE_REPLICA_PURGE_WAIT = env.float("DATABASE_REPLICA_PURGE_WAIT", default=2.0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests run workers in threads and subprocesses: they need a test database they can open.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}
    # A web server's SQLite (docs/text-and-sizes.md): readers never wait for a writer (WAL),
    # and a write transaction takes its lock when it starts and waits up to 30 s for it,
    # instead of failing with "database is locked" when two editors save at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# One time format on the staff's screens, with its zone (irsite/formats).
FORMAT_MODULE_PATH = ["irsite.formats"]
# Press-release times are stated in the issuer's local time.
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "admin:login"
# Where a sign-in goes when its "next" is missing or leaves the site (refused): the desk, not
# Django's default /accounts/profile/, which does not exist here.
LOGIN_REDIRECT_URL = "admin:index"

# --- irsite ---------------------------------------------------------------------------------
# Four-eyes rule: the approver of a release must not be the last person who changed its content.
IRSITE_FOUR_EYES = env.bool("IRSITE_FOUR_EYES", default=True)
# How long a reviewer's share link stays valid unless revoked.
IRSITE_PREVIEW_LINK_HOURS = env.int("IRSITE_PREVIEW_LINK_HOURS", default=48)
# Seconds shared caches (Varnish, a CDN) may keep any public response (s-maxage), the same
# whatever is scheduled; the site purges them at each change (irsite/http/frontcache.py).
IRSITE_PUBLIC_MAX_AGE = env.int("IRSITE_PUBLIC_MAX_AGE", default=300)
# The front cache the worker purges: Varnish URLs (deploy/varnish/), none by default.
IRSITE_EDGE_PURGE_URLS = env.list("IRSITE_EDGE_PURGE_URLS", default=[])
IRSITE_EDGE_PURGER = env.str("IRSITE_EDGE_PURGER", default="irsite.http.frontcache.VarnishPurger")
# Views whose answer is one item's own page: only those responses lack the "list" surrogate key
# (irsite/http/frontcache.py), so a go-live purges every list without touching other items.
IRSITE_EDGE_ITEM_VIEWS = ["releases:detail"]
IRSITE_RELEASES_PER_PAGE = 20
# Category slugs whose releases report results: the home page leads with the newest of them
# (irsite.home; a release linked to an earnings call counts too).
IRSITE_RESULTS_CATEGORIES = env.list(
    "IRSITE_RESULTS_CATEGORIES", default=["earnings", "results", "financial-results"]
)
# Above releases.models.BODY_MAX_BYTES (4 MB), so a body over that limit gets a form error.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- the one clock (irsite/clock.py) ----------------------------------------------------------
# "database": every publication decision takes the database's time, read every
# IRSITE_CLOCK_CHECK_SECONDS and carried forward on the monotonic clock; "process": this
# process's own wall clock (the unit tests, which move it with time-machine).
IRSITE_CLOCK = env.str("IRSITE_CLOCK", default="database")
IRSITE_CLOCK_CHECK_SECONDS = env.float("IRSITE_CLOCK_CHECK_SECONDS", default=2.0)
# A process whose wall clock is further than this from the database's is reported by /healthz
# and sends no e-mail alert until it is back in bound.
IRSITE_CLOCK_MAX_SKEW = env.float("IRSITE_CLOCK_MAX_SKEW", default=1.0)

# --- caching: public pages and feeds (irsite/http/pagecache.py) ----------------------------------
# Local memory by default (per process); CACHE_URL=redis://host:6379/0 shares one cache, and so
# one invalidation, between every process and server. Redis goes through irsite.http.redis, which
# serves pages uncached with a logged warning instead of failing while Redis is unreachable
# (django-redis was measured against it and is slower to fail: docs/deployment.md).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# (django-environ names django-redis for redis:// where that is installed, Django's own otherwise.)
if CACHES["default"]["BACKEND"] in {
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
}:
    CACHES["default"]["BACKEND"] = "irsite.http.redis.TolerantRedisCache"
elif CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 2000)
# django-environ leaves ?key_prefix= as a lowercase option Django ignores: every deployment (and
# every test server) sharing one Redis database would then share one prefix.
if "key_prefix" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = CACHES["default"].pop("key_prefix")
CACHES["default"].setdefault("KEY_PREFIX", "irsite")
# Server-side cache of public pages and feeds (0 turns it off, e.g. to benchmark cold pages).
IRSITE_PAGE_CACHE = env.bool("IRSITE_PAGE_CACHE", default=True)
# Seconds between each process's reads of the committed count of changes: how late a change
# whose invalidation never reached Redis can be seen (irsite/http/pagecache.py).
IRSITE_GENERATION_CHECK_SECONDS = env.float("IRSITE_GENERATION_CHECK_SECONDS", default=1.0)
# Search: words in a query beyond this are ignored, and so are characters beyond the cap.
IRSITE_SEARCH_MAX_TERMS = 10
IRSITE_SEARCH_MAX_LENGTH = 200
# Search ranks the newest this many matches (best first); older matches follow them newest first,
# so a search costs the same for a word every release contains (releases/public/search.py).
# Not lower without measuring at your size: at 1,000,000 releases 100 made PostgreSQL walk the
# date index for a rare word (14.6 s; bench/results/search-20261207.md).
IRSITE_SEARCH_RANKED = env.int("IRSITE_SEARCH_RANKED", default=200)

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

# Logs: one JSON object per line on stdout (gunicorn's access log uses the same formatter,
# see gunicorn.conf.py). LOG_FORMAT=text keeps plain lines for development.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "irsite.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            **(
                {"formatter": "json"}
                if env.str("LOG_FORMAT", default="text" if DEBUG else "json") == "json"
                else {}
            ),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # CACHE_LOG_LEVEL=DEBUG logs each page render of the public cache (the benchmark's storm
    # counts them, bench/front.py); unset, it follows LOG_LEVEL.
    "loggers": {"irsite.http": {"level": env.str("CACHE_LOG_LEVEL", default="NOTSET")}},
}

# --- email alerts (irsite.alerts) -------------------------------------------------------------
# Background work runs through django-tasks with its database backend: no server beyond the
# database, and a task is enqueued in the same transaction as the rows it works on.
# Four queues, run on three threads in each worker: "purge" (front-cache purges: a go-live's, a
# correction's, a withdrawal's run at their second whatever else is running) on one; "pdf"
# (renditions) and "edgar" (the SEC filings poll) on another, so neither delays a purge or an
# alert; "default" (alerts and the rest) on the main one.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "pdf", "edgar", "purge"],
    }
}
# SMTP from EMAIL_URL, e.g. smtp+tls://user:password@mail.example.com:587; the console by default
# (a deploy check warns when production has no real mail server).
vars().update(environ.Env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="investors@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The sign-up rate limits count in the default cache (CACHES, above); several web processes
# need a shared one.
# How long a confirmation link stays valid.
IRSITE_ALERTS_CONFIRM_HOURS = env.int("IRSITE_ALERTS_CONFIRM_HOURS", default=72)
# Sign-up requests allowed per hour from one IP address, and for one email address.
IRSITE_ALERTS_RATE_PER_IP = env.int("IRSITE_ALERTS_RATE_PER_IP", default=20)
IRSITE_ALERTS_RATE_PER_ADDRESS = env.int("IRSITE_ALERTS_RATE_PER_ADDRESS", default=3)
# Seconds between the worker's checks for releases that have just gone live (a scheduled
# go-live is also checked at its second).
IRSITE_ALERTS_CHECK_SECONDS = env.float("IRSITE_ALERTS_CHECK_SECONDS", default=1.0)
# Fan-out (docs/deployment.md, "E-mail alerts at scale"): subscribers planned per transaction,
# recipients per sending task (one SMTP connection each), and the most messages a second one
# worker process sends (0: as fast as the mail server takes them). A relay's limit (SES,
# Postmark, a company MTA) divided by the number of workers is this rate.
IRSITE_ALERTS_PLAN_CHUNK = env.int("IRSITE_ALERTS_PLAN_CHUNK", default=1000)
IRSITE_ALERTS_BATCH_SIZE = env.int("IRSITE_ALERTS_BATCH_SIZE", default=100)
IRSITE_ALERTS_RATE = env.float("IRSITE_ALERTS_RATE", default=0)
# Deliveries claimed (and recorded sent) per UPDATE while sending: after a withdrawal commits, a
# sending worker starts fewer than this many more messages (irsite/alerts/sending.py).
IRSITE_ALERTS_CLAIM_GROUP = env.int("IRSITE_ALERTS_CLAIM_GROUP", default=25)
# Only releases that went live within this many hours are emailed (never imported history).
IRSITE_ALERTS_WINDOW_HOURS = env.int("IRSITE_ALERTS_WINDOW_HOURS", default=24)
# Attempts per delivery; the n-th retry waits IRSITE_ALERTS_RETRY_SECONDS * 5**(n-1).
IRSITE_ALERTS_MAX_ATTEMPTS = env.int("IRSITE_ALERTS_MAX_ATTEMPTS", default=4)
IRSITE_ALERTS_RETRY_SECONDS = env.int("IRSITE_ALERTS_RETRY_SECONDS", default=60)
# Hard refusals (5xx for the address) in a row before a subscriber is marked bouncing.
IRSITE_ALERTS_BOUNCE_LIMIT = env.int("IRSITE_ALERTS_BOUNCE_LIMIT", default=3)
# A delivery claimed longer ago than this by a worker that never finished is sent again.
IRSITE_ALERTS_LEASE_SECONDS = env.int("IRSITE_ALERTS_LEASE_SECONDS", default=300)
# The PDF rendition (releases.media.pdf): WeasyPrint is stopped after this many seconds (by a
# correction's approval, which the approver waits for, after the second); the HTML it is given
# and the PDF it makes are refused past these sizes. A release whose PDF cannot be made is
# published all the same; its PDF answers 503 with Retry-After.
IRSITE_PDF_RENDER_SECONDS = env.float("IRSITE_PDF_RENDER_SECONDS", default=60)
IRSITE_PDF_APPROVAL_SECONDS = env.float("IRSITE_PDF_APPROVAL_SECONDS", default=15)
IRSITE_PDF_MAX_HTML_BYTES = env.int("IRSITE_PDF_MAX_HTML_BYTES", default=8 * 1024 * 1024)
IRSITE_PDF_MAX_BYTES = env.int("IRSITE_PDF_MAX_BYTES", default=64 * 1024 * 1024)
# The worker (irsite.worker): a task left running longer than this by a worker that died is put
# back and runs again (longer than any task may take: a rendition stops at
# IRSITE_PDF_RENDER_SECONDS); after this many claims it fails for good.
IRSITE_TASK_LEASE_SECONDS = env.float("IRSITE_TASK_LEASE_SECONDS", default=180)
IRSITE_TASK_MAX_ATTEMPTS = env.int("IRSITE_TASK_MAX_ATTEMPTS", default=5)
# Asked to stop (SIGTERM), a worker finishes its task within this many seconds or puts it back.
IRSITE_WORKER_STOP_SECONDS = env.float("IRSITE_WORKER_STOP_SECONDS", default=20)

# --- the SEC filings list (filings, docs/filings.md) -----------------------------------------
# SEC fair access: who polls EDGAR, with a contact address ("Example Corp ir@example.com");
# the poller sends nothing without it. The issuer's CIK is set in the admin (EDGAR source).
IRSITE_EDGAR_USER_AGENT = env.str("IRSITE_EDGAR_USER_AGENT", default="")
# Where the submissions JSON is read (a local server in the tests), and where links point.
IRSITE_EDGAR_BASE_URL = env.str("IRSITE_EDGAR_BASE_URL", default="https://data.sec.gov")
IRSITE_EDGAR_ARCHIVES_URL = env.str("IRSITE_EDGAR_ARCHIVES_URL", default="https://www.sec.gov")
# Hosts the poller may reach although they resolve to private addresses (none in production).
IRSITE_EDGAR_PRIVATE_HOSTS = env.list("IRSITE_EDGAR_PRIVATE_HOSTS", default=[])
IRSITE_EDGAR_POLL_SECONDS = env.float("IRSITE_EDGAR_POLL_SECONDS", default=300)
# The SEC's limit is 10 requests a second; the poller spaces its requests by this.
IRSITE_EDGAR_MAX_REQUESTS_PER_SECOND = env.float("IRSITE_EDGAR_MAX_REQUESTS_PER_SECOND", default=5)
IRSITE_EDGAR_TIMEOUT = env.float("IRSITE_EDGAR_TIMEOUT", default=10)
IRSITE_EDGAR_MAX_BYTES = env.int("IRSITE_EDGAR_MAX_BYTES", default=32 * 1024 * 1024)
IRSITE_EDGAR_MAX_BACKOFF_SECONDS = env.float("IRSITE_EDGAR_MAX_BACKOFF_SECONDS", default=3600)
# No good answer for this long: the admin and /healthz ("degraded") say the list is stale.
IRSITE_EDGAR_STALE_SECONDS = env.float("IRSITE_EDGAR_STALE_SECONDS", default=3600)
# "Last updated from EDGAR" on the pages moves with each change, else at most this often.
IRSITE_EDGAR_STAMP_SECONDS = env.float("IRSITE_EDGAR_STAMP_SECONDS", default=3600)

# --- webhooks (irsite.webhooks) ------------------------------------------------------------------
# Endpoint URLs at loopback, private or link-local addresses are refused (at registration and at
# each delivery) unless this is set: for a receiver on the same machine, e.g. in tests.
IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS", default=False)
# A receiver that has not answered within this many seconds is tried again later; short, so a
# slow receiver delays no other.
IRSITE_WEBHOOKS_TIMEOUT_SECONDS = env.float("IRSITE_WEBHOOKS_TIMEOUT_SECONDS", default=5.0)
# Attempts per delivery; the n-th retry waits IRSITE_WEBHOOKS_RETRY_SECONDS * 4**(n-1), at most 6 h.
IRSITE_WEBHOOKS_MAX_ATTEMPTS = env.int("IRSITE_WEBHOOKS_MAX_ATTEMPTS", default=10)
IRSITE_WEBHOOKS_RETRY_SECONDS = env.float("IRSITE_WEBHOOKS_RETRY_SECONDS", default=30.0)
# An endpoint failing without a success this long is disabled and the staff are e-mailed.
IRSITE_WEBHOOKS_DISABLE_AFTER_HOURS = env.float("IRSITE_WEBHOOKS_DISABLE_AFTER_HOURS", default=24)
# After a rotation the previous secret signs too (a second signature) for this long.
IRSITE_WEBHOOKS_ROTATION_HOURS = env.float("IRSITE_WEBHOOKS_ROTATION_HOURS", default=24)
# A delivery claimed longer ago than this by a worker that never finished is sent again.
IRSITE_WEBHOOKS_LEASE_SECONDS = env.float("IRSITE_WEBHOOKS_LEASE_SECONDS", default=60)
# Only what happened within this many hours is announced (never imported history).
IRSITE_WEBHOOKS_WINDOW_HOURS = env.int("IRSITE_WEBHOOKS_WINDOW_HOURS", default=24)

# --- production serving --------------------------------------------------------------------
# Static files: WhiteNoise serves them from gunicorn with far-future caching. Production uses
# compressed files with content hashes in their names (needs `collectstatic`, which `make serve`
# runs); development and the test suite read the source files, so no collectstatic is needed.
# Uploaded files (irsite.uploads): never served from MEDIA_ROOT or the bucket directly, only
# through the view that checks the release is public; MEDIA_URL stays unset for that reason.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or BASE_DIR / "var" / "media")
# Upload limits in bytes: one file, and all the attachments of one release together.
IRSITE_ATTACHMENT_MAX_BYTES = env.int("IRSITE_ATTACHMENT_MAX_BYTES", default=25 * 1024 * 1024)
IRSITE_RELEASE_FILES_MAX_BYTES = env.int(
    "IRSITE_RELEASE_FILES_MAX_BYTES", default=100 * 1024 * 1024
)
# Images larger than this many pixels are refused (Pillow's decompression-bomb guard).
IRSITE_IMAGE_MAX_PIXELS = env.int("IRSITE_IMAGE_MAX_PIXELS", default=50_000_000)

STORAGES = {
    # MEDIA_STORAGE: local (MEDIA_ROOT) or s3 (a private bucket); irsite/storage.py.
    "default": media_storage(env),
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
AUTHENTICATION_BACKENDS = [
    "irsite.security.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "releases.admin.signin.AuditedAxesHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a load balancer the client is the last address it appended to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "irsite.security.client_ip"
IRSITE_TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
# The proxies' own addresses (the app servers read the same variable for X-Forwarded-Proto):
# X-Forwarded-For is believed only on requests that come from one of them.
IRSITE_PROXY_ADDRESSES = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])
# Seconds added to the answer of each further failed sign-in from one address (capped).
IRSITE_LOGIN_FAILURE_DELAY = env.float("LOGIN_FAILURE_DELAY", default=0.5)
IRSITE_LOGIN_FAILURE_DELAY_MAX = 2.0
