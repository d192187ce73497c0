# Entr'Actes: the two commands are "make run" and "make test".
VENV := .venv
PY := $(VENV)/bin/python
# make run PORT=8001 HOST=0.0.0.0
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test setup messages lint typecheck check bench-report serve bench-load import-doc

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || { python=$$(scripts/find-python) && "$$python" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

setup: $(VENV)/.installed messages

messages: $(MO_FILES)

# Compiled again only when a catalogue changed (two test runs may share the checkout).
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "msgfmt manque : apt-get install gettext"; exit 1; }
	@DEBUG=on $(PY) manage.py compilemessages --ignore=.venv -v 0

## run: set up, migrate the SQLite database, create demo accounts, serve on $(HOST):$(PORT)
##      (default 127.0.0.1:8000) with the background task worker (PDF generation) beside it
run: setup
	@scripts/write-dev-env
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py demo
	@HOST='$(HOST)' PORT='$(PORT)' scripts/run-dev

## test: the whole suite (DATABASE_URL=postgres://... runs it on PostgreSQL)
test: setup
	$(VENV)/bin/pytest -q

## import-doc: write the sheets' tables of docs/import.md from exchange/spec.py
import-doc: setup
	DEBUG=on $(VENV)/bin/python manage.py shell -v 0 -c "from pathlib import Path; from exchange.spec import document; p = Path('docs/import.md'); p.write_text(document(p.read_text(encoding='utf-8')), encoding='utf-8')"

## serve: run as in production on DATABASE_URL (gunicorn + task worker), Ctrl-C stops
serve: setup
	@scripts/serve

## bench-report: time all figures and the busiest pages on the demo copied 1x, 10x, 50x
##      (BENCH_SCALES=1,10); its PostgreSQL database is DROPPED and created again:
##      BENCH_DATABASE_URL, else DATABASE_URL, else .../entractes_bench (name with "bench")
BENCH_SCALES ?= 1,10,50
bench-report: setup
	DEBUG=on DATABASE_URL="$${BENCH_DATABASE_URL:-$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/entractes_bench}}" \
	  $(PY) manage.py bench_report --scales $(BENCH_SCALES)

## bench-load: 20 locust users for 60 s on gunicorn + PostgreSQL demo data copied 10x
##      (BENCH_SCALE=10), figures in var/bench-load.txt
bench-load: setup
	$(VENV)/bin/pip install -q -e '.[bench]'
	@scripts/bench-load

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every app's services, access rules, figures and person modules (a new one is picked up).
TYPECHECKED = $(wildcard */services.py */access.py */figures.py */person.py */*/person.py)

## typecheck: mypy with django-stubs on $(TYPECHECKED) (settings in pyproject.toml)
typecheck: $(VENV)/.installed
	DEBUG=on $(VENV)/bin/mypy $(TYPECHECKED)

check: $(VENV)/.installed
	DEBUG=on $(PY) manage.py makemigrations --check --dry-run
