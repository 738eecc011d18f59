# irsite: `make run` serves the demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format lock migrate demo clean help

help:
	@echo "make run    - set up .venv, migrate SQLite, load the demo, serve on http://$(HOST):$(PORT)"
	@echo "make test   - lint and the whole test suite (DATABASE_URL picks the database)"
	@echo "make lint   - ruff check and format check"
	@echo "make lock   - re-pin requirements.lock from pyproject.toml"

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

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (admin at /admin/)"
	@# The worker (email alerts, background tasks) runs beside the server and stops with it.
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv lint node_modules/.package-lock.json
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests inject axe-core (npm, pinned in package-lock.json) into Debian's chromium
# (/usr/bin/chromium; .ci/run installs it). npm ci runs again only when the lock file changes.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

lock:
	rm -rf /tmp/irsite-lock && $(PYTHON) -m venv /tmp/irsite-lock
	/tmp/irsite-lock/bin/pip install --quiet ".[dev]"
	{ echo "# Exact versions installed by \`make\` (pip install -r requirements.lock)."; \
	  echo "# Ranges are in pyproject.toml; regenerate with \`make lock\` after changing them."; \
	  /tmp/irsite-lock/bin/pip freeze --exclude-editable | grep -v -e '^pip==' -e '^irsite'; } > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles node_modules artifacts
