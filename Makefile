# SalesTrack — every command a developer needs. `make demo` and `make test` are the README's
# quick start; both start with `make install`, which builds .venv from uv.lock.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# An interpreter >= 3.12: $PYTHON if given, else pyenv's build of the version in
# .python-version, else any pyenv 3.12+, else python3.12/3.13/python3 on the PATH.
# uv must never download one (UV_PYTHON_DOWNLOADS=never).
PYTHON ?= $(shell for p in $$(ls -d $$HOME/.pyenv/versions/$$(cat .python-version)*/bin/python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V) $$(command -v python3.12 python3.13 python3 2>/dev/null); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && echo "$$p" && break; done)
# uv: the one on the PATH if it works, else the one installed in $(PYTHON) (bootstrapped by
# `make uv` with pip). pyenv shims can name a uv that belongs to another version, so test it.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo "$(PYTHON) -m uv")
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
# The Makefile is the developer's tool: DEBUG on unless the environment says otherwise
# (production runs from the Dockerfile with its own environment).
export DEBUG ?= true

VENV_PY := .venv/bin/python
MANAGE := $(VENV_PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: python
python:
	@if [ -z "$(PYTHON)" ]; then echo "No Python >= 3.12 found (tried pyenv, python3.13, python3.12, python3). Set PYTHON=/path/to/python3.12." >&2; exit 1; fi

.PHONY: uv
uv: python
	@$(UV) --version >/dev/null 2>&1 || { echo "uv not found: installing it into $(PYTHON) with pip"; "$(PYTHON)" -m pip install --quiet uv; }

.PHONY: install
install: uv ## Create or update .venv from uv.lock (Python >= 3.12, no interpreter downloads) and compile the translations
	@$(UV) sync --locked --python "$(PYTHON)" --quiet
	@$(MAKE) -s --no-print-directory compilemessages
	@$(VENV_PY) --version

# Translations (docs/i18n.md): the catalogues in locale/ are committed as .po; their compiled
# .mo files are not. Each is compiled with GNU gettext's msgfmt only when its .po is newer,
# so `make install` costs nothing when no catalogue changed.
LANGUAGES_MESSAGES := -l es -l zh_Hans
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=mutants --ignore=node_modules \
	--ignore=staticfiles --ignore=var --ignore=docs --ignore=.bench
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)

.PHONY: messages
messages: ## Collect every marked string into locale/{es,zh_Hans}/LC_MESSAGES/django.po and djangojs.po
	@$(MAKE) --no-print-directory install
	$(MANAGE) makemessages $(LANGUAGES_MESSAGES) $(MESSAGES_IGNORE) --add-location file --no-obsolete
	$(MANAGE) makemessages -d djangojs $(LANGUAGES_MESSAGES) $(MESSAGES_IGNORE) --add-location file --no-obsolete

.PHONY: compilemessages
compilemessages: $(PO_FILES:.po=.mo) ## Compile the catalogues whose .po changed (msgfmt, from gettext)

# msgfmt when GNU gettext is installed; else polib from the venv (scripts/compile_catalogues.py).
locale/%.mo: locale/%.po
	@if command -v msgfmt >/dev/null; then msgfmt --check-format -o $@ $<; \
	  else $(VENV_PY) scripts/compile_catalogues.py $<; fi

.PHONY: migrate
migrate: install
	$(MANAGE) migrate --noinput

.PHONY: demo
demo: migrate ## Install, migrate, load demo data, print the logins and serve on http://127.0.0.1:8000 (PORT=8001 to change)
	$(MANAGE) seed_demo
	@echo "Serving SalesTrack on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(MANAGE) runserver $(HOST):$(PORT)

.PHONY: capture-demo
capture-demo: migrate ## Replay today's email and call events of the demo reps through the API (DAY=YYYY-MM-DD)
	$(MANAGE) capture_demo $(if $(DAY),--day $(DAY))

.PHONY: screenshots
screenshots: install ## Redraw the README's screenshots (docs/screenshots/) from a throwaway demo
	$(VENV_PY) scripts/screenshots.py

.PHONY: lint
lint: install ## ruff check + ruff format --check + the dependency contracts (import-linter)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache

.PHONY: format
format: install ## Apply ruff's fixes and formatting
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

.PHONY: mutate
mutate: install ## Mutation testing of the rules against their tests (mutmut; [tool.mutmut] in pyproject.toml). MUTANTS='dashboards.scope*' runs a subset
	@rm -rf mutants
	@# The read side's tests need PostgreSQL, as `make test` chooses it; one child, since the
	@# children would share one test database (docs/mutation.md).
	@source scripts/test-database.sh && export CONN_MAX_AGE=0 && \
	  .venv/bin/mutmut run --max-children 1 $(MUTANTS); status=$$?; \
	  .venv/bin/mutmut results | grep -c survived | xargs printf 'Survivors: %s (list: .venv/bin/mutmut results; show one: .venv/bin/mutmut show NAME)\n'; \
	  exit $$status

.PHONY: test
test: install ## The whole suite: lint, dependency contracts, Django checks, migrations check, pytest
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	@# CONN_MAX_AGE=0: the live server's threads must not hold connections past the test
	@# database's teardown.
	@source scripts/test-database.sh && export CONN_MAX_AGE=0 && \
	  $(MANAGE) check && \
	  $(MANAGE) makemigrations --check --dry-run && \
	  .venv/bin/pytest $(PYTEST_ARGS)

.PHONY: api-fuzz
api-fuzz: install ## schemathesis against the API with many more examples and its coverage phase (minutes)
	@source scripts/test-database.sh && export CONN_MAX_AGE=0 API_FUZZ_LONG=1 API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-50} && \
	  .venv/bin/pytest tests/api/test_schemathesis.py -q -p no:randomly

.PHONY: worker
worker: install ## Run a Celery worker (needs REDIS_URL)
	.venv/bin/celery -A salestrack worker --loglevel=info

.PHONY: beat
beat: install ## Run Celery beat, the one nightly schedule (needs REDIS_URL)
	.venv/bin/celery -A salestrack beat --loglevel=info

.PHONY: serve
serve: migrate ## Serve with gunicorn as in production — DEBUG off, hashed static files — on plain HTTP locally
	@export $(PRODUCTION_LIKE); \
	  $(MANAGE) collectstatic --noinput -v0 && \
	  .venv/bin/gunicorn salestrack.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 2

.PHONY: ci
ci: ## What CI runs: services up, fresh PostgreSQL database, make test, no skips
	bash .ci/run

.PHONY: clean
clean: ## Remove .venv, the SQLite database and collected static files
	rm -rf .venv db.sqlite3 staticfiles

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/salestrack_bench

.PHONY: bench-data
bench-data: install ## Create the PostgreSQL benchmark database and seed the large demo set (once, ~3 min)
	@url="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}"; name="$${url##*/}"; \
	  psql "$${url%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$$name'" | grep -q 1 \
	    || psql "$${url%/*}/postgres" -qc "CREATE DATABASE \"$$name\""; \
	  DATABASE_URL="$$url" $(MANAGE) migrate --noinput -v0 && DATABASE_URL="$$url" $(MANAGE) bench --prepare-only

BENCH_DOUBLE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/salestrack_bench_double

.PHONY: bench-double-data
bench-double-data: bench-data ## A copy of the bench set with twice the activities per day (once)
	@url="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}"; double="$(BENCH_DOUBLE_DATABASE_URL)"; \
	  name="$${double##*/}"; \
	  if ! psql "$${double%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$$name'" | grep -q 1; then \
	    echo "Copying the bench set and doubling its activities (once, a few minutes)…"; \
	    psql "$${url%/*}/postgres" -qc "CREATE DATABASE \"$$name\" TEMPLATE \"$${url##*/}\"" && \
	    psql "$$double" -qc "INSERT INTO activities_activity (rep_id, date, kind, outcome, prospect_id, \
	        opportunity_id, prospect_status, quantity, duration_minutes, follow_up_on, notes, source, \
	        created_at, updated_at) SELECT rep_id, date, kind, outcome, prospect_id, opportunity_id, \
	        prospect_status, quantity, duration_minutes, follow_up_on, notes, source, created_at, \
	        updated_at FROM activities_activity" && \
	    DATABASE_URL="$$double" $(MANAGE) rollups --rebuild && psql "$$double" -qc "VACUUM ANALYZE"; \
	  fi; \
	  DATABASE_URL="$$double" $(MANAGE) migrate --noinput -v0

# The benchmark and the load test run as production does: DEBUG off, hashed static files.
# DEVTOOLS keeps the bench command itself installed.
PRODUCTION_LIKE := DEBUG=false DEVTOOLS=true SECRET_KEY=local-only-not-a-secret RUN_TASKS_IN_PROCESS=true \
	SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0

.PHONY: bench
bench: bench-double-data ## Benchmark on PostgreSQL with the large demo set (and twice its activities); writes BENCHMARKS.md
	@export $(PRODUCTION_LIKE) DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}"; \
	  $(MANAGE) collectstatic --noinput -v0 && \
	  $(MANAGE) bench --double "$(BENCH_DOUBLE_DATABASE_URL)"

LOAD_SECONDS ?= 120
# Browser users: five reps logging for every manager on the dashboards (issue 28 doubles it).
LOAD_USERS ?= 60
# Tools writing through the API beside the 60 browser users (100 activities a request).
LOAD_API_WRITERS ?= 5

.PHONY: load
load: bench-data ## Load test: 50 reps logging + 10 managers on dashboards + 5 API writers, 2 minutes, against gunicorn + a Celery worker on 127.0.0.1 with the bench data
	@url="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}"; run=$$(date +%s); log=/tmp/salestrack-load-$$run.txt; \
	  export DATABASE_URL="$$url" REDIS_URL="$${LOAD_REDIS_URL:-redis://127.0.0.1:6379/1}" \
	    LOAD_RUN_ID=$$run LOAD_LOG=$$log DEBUG=false \
	    SECRET_KEY=load-test-only-$$run SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false \
	    CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 ALLOWED_HOSTS=127.0.0.1 AXES_FAILURE_LIMIT=1000 \
	    LOAD_API_WRITERS=$(LOAD_API_WRITERS) LOAD_USERS=$(LOAD_USERS); \
	  pids="/tmp/salestrack-load.pid /tmp/salestrack-load-worker.pid"; rm -f $$pids; \
	  trap 'kill $$(cat $$pids 2>/dev/null) 2>/dev/null; rm -f $$pids' EXIT; \
	  $(VENV_PY) -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).ping()" 2>/dev/null \
	    || { echo "make load needs Redis at $$REDIS_URL (the worker's broker)" >&2; exit 1; }; \
	  $(MANAGE) migrate --noinput -v0 && $(MANAGE) collectstatic --noinput -v0 && \
	  .venv/bin/celery -A salestrack purge -f >/dev/null && \
	  .venv/bin/celery -A salestrack worker --concurrency 1 --loglevel warning --detach \
	    --pidfile /tmp/salestrack-load-worker.pid --logfile /tmp/salestrack-load-worker.log && \
	  .venv/bin/gunicorn -c gunicorn.conf.py salestrack.wsgi --bind 127.0.0.1:8100 --timeout 90 \
	    --daemon --pid /tmp/salestrack-load.pid --access-logfile /dev/null && sleep 2 && \
	  export LOAD_API_TOKEN=$$($(MANAGE) api_token create --user ana@demo.salestrack.test --name load-$$run --expires-in-days 1 2>/dev/null); \
	  .venv/bin/locust -f devtools/loadtest/locustfile.py --headless -u $$(($(LOAD_USERS) + $(LOAD_API_WRITERS))) -r 5 -t $(LOAD_SECONDS)s --only-summary --stop-timeout 10 ; \
	  status=$$?; kill $$(cat $$pids 2>/dev/null) 2>/dev/null; sleep 2; \
	  $(VENV_PY) -m devtools.loadtest.verify && exit $$status
