# The two commands of the README: `make demo` and `make test`. Both create .venv when missing.
# `make e2e`: the openIMIS web app (the SPA kit at SPA_KIT) in Chromium against a throwaway demo.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
SPA_KIT ?= ../shared/spa

.PHONY: demo test e2e install lint schema bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): setup.py | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: $(STAMP)
	PY=$(PY) SPA_KIT=$(SPA_KIT) bash tests/e2e/run.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

schema: $(STAMP)
	DEBUG=1 $(PY) manage.py graphql_schema --schema config.schema.schema --out schema.graphql

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache var/e2e
