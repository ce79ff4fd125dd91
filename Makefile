# The two commands of the README: `make demo` and `make test`. Both create .venv when missing.
# `make e2e`: the openIMIS web app (the SPA kit at SPA_KIT) in Chromium against a throwaway demo.
# `make serve`, `make worker`, `make beat`: the production processes (README, "Production run").
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
SPA_KIT ?= ../shared/spa

.PHONY: demo test e2e install lint schema bench clean serve worker beat

# The production processes: DEBUG off, and persistent database connections (PostgreSQL then keeps
# its prepared statements from one request to the next) unless DB_CONN_MAX_AGE says otherwise.
PROD := DEBUG=0 DB_CONN_MAX_AGE=$${DB_CONN_MAX_AGE:-60}
# $(call need,VARIABLE,what to set it to): stop with a clear message when the environment lacks it.
need = @test -n "$$$(1)" || { echo "make $@: $(1) is not set; $(2)" >&2; exit 1; }
NEED_SECRET = $(call need,SECRET_KEY,set it to 50 random characters \
  (python3 -c 'import secrets; print(secrets.token_urlsafe(50))'): the same on every machine)
NEED_DATABASE = $(call need,DATABASE_URL,set it to the shared PostgreSQL \
  (postgres://user:password@host:5432/name))
NEED_BROKER = $(call need,CELERY_BROKER_URL,set it to the shared broker \
  (amqp://user:password@host:5672// or redis://host:6379/1))

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

serve: $(STAMP)
	$(NEED_SECRET)
	$(NEED_DATABASE)
	$(PROD) $(PY) manage.py migrate --noinput
	$(PROD) $(PY) manage.py collectstatic --noinput
	$(PROD) exec $(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi

worker: $(STAMP)
	$(NEED_SECRET)
	$(NEED_DATABASE)
	$(NEED_BROKER)
	$(PROD) exec $(VENV)/bin/celery -A config worker -l info

beat: $(STAMP)
	$(NEED_SECRET)
	$(NEED_DATABASE)
	$(NEED_BROKER)
	@mkdir -p var
	$(PROD) exec $(VENV)/bin/celery -A config beat -l info

e2e: $(STAMP)
	PY=$(PY) SPA_KIT=$(SPA_KIT) bash tests/e2e/run.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

schema: $(STAMP)
	DEBUG=1 $(PY) manage.py graphql_schema --schema config.schema.schema --out schema.graphql

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache var/e2e
