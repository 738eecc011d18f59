# irsite: `make run` serves the demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links that leave a request (confirmation and alert e-mails) use SITE_URL; by default it follows
# HOST and PORT, so `PORT=8801 make run` mails links to :8801.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

.PHONY: run test test-fast lint format lock migrate demo clean help serve front-cache bench bench-front bench-servers bench-fanout bench-ceiling two-servers faults bench-admin

help:
	@echo "make run    - set up .venv, migrate SQLite, load the demo, serve on http://$(HOST):$(PORT)"
	@echo "make test   - lint and the whole test suite (DATABASE_URL picks the database)"
	@echo "make test-fast - the unit-level tests on all cores: no browser, server or slow tests"
	@echo "make lint   - ruff, import-linter (the direction of dependency), mypy"
	@echo "make lock   - re-pin requirements.lock from pyproject.toml"
	@echo "make serve  - the production stack: granian + WhiteNoise, DEBUG off (HTTPS=False locally)"
	@echo "make front-cache - make serve behind Varnish on FRONT_PORT, the worker purging it"
	@echo "make bench  - benchmark on PostgreSQL (SIZES=1000,10000,100000; PEER=1 adds Wagtail;"
	@echo "              FRONT=1 adds make bench-front)"
	@echo "make bench-front - Varnish vs nginx static, go-live through Varnish, go-live storm"
	@echo "make bench-servers - irsite vs the Wagtail peer, both cached, under gunicorn and granian"
	@echo "make bench-fanout  - alert fan-out: mails/s per worker into a local SMTP server (aiosmtpd)"
	@echo "make bench-ceiling - gunicorn alone on this machine: the ceiling of a cached page"
	@echo "make bench-admin   - admin pages (lists, search, audit, save, diff) at ADMIN_SIZES releases"

# The venv is rebuilt whenever the pins change.
$(BIN)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "irsite needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

venv: $(BIN)/.installed

migrate: venv
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py load_demo --users
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py load_demo_events

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (admin at /admin/)"
	@# The worker (email alerts, background tasks) runs beside the server and stops with it.
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# ruff; import-linter holds the direction of dependency (pyproject.toml [tool.importlinter],
# README "Architecture"); mypy with django-stubs checks the app code's types.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv lint node_modules/.package-lock.json
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The unit-level part of the suite, for the loop of a change (docs/testing.md): no browser,
# no real server or worker process, no long property run, no import of the real filings; on
# every core (pytest-xdist), property tests with 10 examples where they set none, the test
# databases kept between runs (--reuse-db migrates them; PYTEST_ARGS=--create-db after an edited
# migration or a switch of branch).
# `make test` runs everything.
FAST_MARKERS ?= not browser and not server and not varnish and not slow and not corpus
test-fast: venv
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} -m "$(FAST_MARKERS)" \
	  --hypothesis-profile=fast --reuse-db -q $(PYTEST_ARGS)

# The browser tests inject axe-core (npm, pinned in package-lock.json) into Debian's chromium
# (/usr/bin/chromium; .ci/run installs it). npm ci runs again only when the lock file changes.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Re-pins requirements.lock from pyproject.toml in a throwaway venv. The current pins are kept as
# constraints, so a run changes only what a changed range or a new package needs and a second run
# writes the same file; UPGRADE=1 drops them and takes the newest versions the ranges allow.
# The lock lists what irsite needs, never irsite itself; the in-tree build leftovers are removed.
LOCK_VENV ?= /tmp/irsite-lock
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet $(if $(filter 1,$(UPGRADE)),,-c requirements.lock) ".[dev]"
	rm -rf build irsite.egg-info
	{ echo "# Exact versions installed by \`make\` (pip install -r requirements.lock)."; \
	  echo "# Ranges are in pyproject.toml; regenerate with \`make lock\` after changing them."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude irsite; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles node_modules artifacts

# --- production stack (docs/deployment.md) ----------------------------------------------------
# `make serve` runs what production runs: migrate, collectstatic (hashed, compressed), the app
# server (APP_SERVER, below; WEB_CONCURRENCY). Settings come from the environment;
# locally it speaks plain HTTP (HTTPS=False) and keeps a generated SECRET_KEY in var/.
# The app server: granian (irsite/server.py) by default, gunicorn (gunicorn.conf.py) on request;
# docs/deployment.md says why.
APP_SERVER ?= granian
ifeq ($(APP_SERVER),gunicorn)
APP_SERVER_CMD = $(BIN)/gunicorn irsite.wsgi:application
else
APP_SERVER_CMD = $(BIN)/python -m irsite.server
endif
SERVE_ENV = DEBUG=False HTTPS=$${HTTPS:-False} HOST=$(HOST) PORT=$(PORT) \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}"

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@
	@chmod 600 $@

serve: venv var/secret_key
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py render_releases
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Serving the production stack on http://$(HOST):$(PORT)/ with $(APP_SERVER) (Ctrl-C stops)"
	$(SERVE_ENV) exec $(APP_SERVER_CMD)

# `make front-cache`: what production runs behind its front cache (docs/deployment.md). Varnish
# (deploy/varnish/irsite.vcl, backend = PORT) answers on FRONT_PORT; the app server on PORT; the worker
# purges Varnish at each go-live, correction, withdrawal and company/contact/category change;
# it is started again whenever it exits (as the service in deploy/systemd/ is).
FRONT_PORT ?= 8080
FRONT_ENV = IRSITE_EDGE_PURGE_URLS=http://$(HOST):$(FRONT_PORT) SITE_URL=http://$(HOST):$(FRONT_PORT) TRUSTED_PROXIES=1
front-cache: venv var/secret_key
	@command -v varnishd >/dev/null || { echo "varnishd is missing: apt-get install varnish varnish-modules"; exit 1; }
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	@mkdir -p var/varnish && chmod 755 var var/varnish
	sed 's/\.port = "8000";/.port = "$(PORT)";/' deploy/varnish/irsite.vcl > var/varnish/irsite.vcl
	@echo "Varnish on http://$(HOST):$(FRONT_PORT)/ in front of $(APP_SERVER) on $(PORT) (Ctrl-C stops all)"
	varnishd -F -n $(CURDIR)/var/varnish/n -a $(HOST):$(FRONT_PORT) -f $(CURDIR)/var/varnish/irsite.vcl \
	  -s malloc,256m -T none & varnish=$$!; \
	( trap 'kill $$w 2>/dev/null; wait $$w; exit 0' TERM; while :; do \
	  $(SERVE_ENV) $(FRONT_ENV) $(BIN)/python manage.py run_worker & w=$$!; wait $$w; rc=$$?; \
	  echo "The worker exited ($$rc); starting it again in 1 s" >&2; sleep 1; done ) & worker=$$!; \
	trap 'kill $$varnish $$worker 2>/dev/null; wait $$varnish $$worker' EXIT INT TERM; \
	$(SERVE_ENV) $(FRONT_ENV) $(APP_SERVER_CMD)

# Benchmarks (not part of `make test`): bench/README.md. PEER=1 also runs the Wagtail peer.
SIZES ?= 1000,10000,100000
bench: venv
	$(BIN)/python bench/bench.py --sizes $(SIZES) $(if $(filter 1,$(PEER)),--peer) $(BENCH_ARGS)
	$(if $(filter 1,$(FRONT)),$(BIN)/python bench/front.py $(FRONT_ARGS))

# The front cache (issue 15): Varnish vs nginx static, go-live/correction/withdrawal through
# Varnish, 64 clients across a go-live second (bench/README.md).
bench-front: venv
	$(BIN)/python bench/front.py $(FRONT_ARGS)

# Alert fan-out (issue 30): mails/s per worker into aiosmtpd, first and last mail, worker
# memory; FANOUT_COUNTS subscribers, FANOUT_WORKERS workers (bench/results/fanout-*.md).
FANOUT_COUNTS ?= 10000
FANOUT_WORKERS ?= 1,2
bench-fanout: venv
	$(BIN)/python bench/fanout.py --counts $(FANOUT_COUNTS) --workers $(FANOUT_WORKERS) \
	  --out bench/results/fanout-$$(date +%Y%m%d).md $(FANOUT_ARGS)

# irsite cached and the Wagtail peer cached under the same app servers (gunicorn, granian).
bench-servers: venv
	$(BIN)/python bench/servers.py $(BENCH_ARGS)

# gunicorn's own ceiling on this machine: a WSGI app that only returns the page's bytes.
bench-ceiling: venv
	$(BIN)/python bench/ceiling.py $(BENCH_ARGS)

# Two app servers on one PostgreSQL database and one Redis (run by .ci/run).
two-servers: venv
	$(BIN)/python tests/two_servers.py

# PostgreSQL and Redis stopped under load, a worker killed (stops shared services briefly!).
faults: venv
	$(BIN)/python bench/faults.py $(FAULTS_ARGS)

# The admin at scale: p50 per admin page at ADMIN_SIZES releases with revisions and audit
# entries, in its own PostgreSQL database (bench/admin.py; bench/results/admin-*.md).
ADMIN_SIZES ?= 100000,1000000
bench-admin: venv
	$(BIN)/python bench/admin.py --sizes $(ADMIN_SIZES) \
	  --out bench/results/admin-$$(date +%Y%m%d).md $(ADMIN_ARGS)
