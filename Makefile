# Beheer: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= $(if $(filter postgres%,$(DATABASE_URL)),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/postgres)
PYTEST_WORKERS ?= 2

.PHONY: run test lint typecheck pytest pytest-sqlite pytest-postgres bench messages clean

$(VENV)/.base: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Beheer needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

## make run: set up, migrate SQLite in ./data, load demo data, serve at BEHEER_BIND (default 127.0.0.1:8000)
run: $(VENV)/.base
	$(VENV)/bin/beheer migrate --no-input -v 0
	$(VENV)/bin/beheer demo
	@echo ""
	@echo "  Beheer: $$($(PY) -c 'from beheer.core.bind import local_url; print(local_url())')/"
	@echo "  Demo logins (password demo-wachtwoord-2026):"
	@echo "    demo.behandelaar (operator)   demo.coordinator (coordinator)"
	@echo "    demo.beheerder (administrator) demo.melder (caller, self-service portal)"
	@echo ""
	$(VENV)/bin/beheer run

## make test: ruff, mypy and pytest on SQLite, and on PostgreSQL when one is reachable
test: lint typecheck pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check beheer tests bench tools
	$(VENV)/bin/ruff format --check beheer tests bench tools
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy beheer
	DJANGO_SETTINGS_MODULE=beheer.test_settings $(PY) manage.py makemigrations --check --dry-run

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: $(VENV)/.dev
	@echo "== pytest on SQLite =="
	env -u DATABASE_URL $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS)

pytest-postgres: $(VENV)/.dev
	@if $(PY) bench/pg_ready.py "$(PG_URL)"; then \
		echo "== pytest on PostgreSQL =="; \
		DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS); \
	elif [ -n "$$BEHEER_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is required here but not reachable at $(PG_URL)"; exit 1; \
	else \
		echo "== PostgreSQL not reachable at $(PG_URL): the suite ran on SQLite only =="; \
	fi

## make bench: seed 1,000,000 meldingen and measure (BENCH_TICKETS=20000 for a quick run)
bench: $(VENV)/.dev
	$(PY) bench/run.py

## make messages: refresh the Dutch translation files (needs gettext) and compile them
messages: $(VENV)/.dev
	cd beheer && ../$(PY) ../manage.py makemessages -l nl -l en --no-obsolete --ignore "tests/*"
	cd beheer && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) build *.egg-info
