"""gunicorn settings for `make serve` and production; every value can come from the environment.

gunicorn reads this file from the working directory. Command-line flags override it.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:"
                      f"{os.environ.get('PORT', '8000')}")  # fmt: skip
# Processes: two per core by default (each renders one request at a time per thread).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
# Threads per process; more than 1 selects the gthread worker, which also keeps
# client connections alive between requests.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Replace workers now and then, so a slow leak never becomes an outage. Not too often: a new
# worker loads Django and starts with no local page copies, so frequent recycling shows as
# throughput swings under load (bench/results/design-measurements.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10

# Behind a load balancer: trust its X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) from these.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Several instances may run on one host (tests, blue/green): no shared control socket.
control_socket_disable = True

# One JSON line per request and per error, on stdout.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "irsite.logs.GunicornJsonLogger"
