# Rakor: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
CATALOGS := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run serve setup install translations extract-messages test test-fast test-sqlite test-postgres lint audit format bench clean

# The suite runs on every core through pytest-xdist, each worker on a database of its
# own; `make test WORKERS=0` runs it in one process.
WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(WORKERS)

run: setup
	@echo ""
	@echo "Rakor is starting on http://127.0.0.1:5000 (Ctrl+C stops it)."
	@echo "Public form of the demo meeting: http://127.0.0.1:5000/m/rakor2025"
	RAKOR_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

# Everything `run` needs, safe to repeat: it keeps existing data.
setup: install translations
	RAKOR_ENV=development $(FLASK) db upgrade
	RAKOR_ENV=development $(FLASK) seed
	RAKOR_ENV=development $(FLASK) demo

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

translations: install $(COMPILED)

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -l $* >/dev/null

# After changing user-facing text: refresh the catalog, then translate the new entries.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output --no-wrap .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --no-wrap --ignore-obsolete

# The whole suite on SQLite; with TEST_DATABASE_URL set, again on that database.
test: test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-sqlite: install translations
	env -u TEST_DATABASE_URL $(PYTEST)

# Everyday work: the whole suite on SQLite except the browser tests.
test-fast: install translations
	env -u TEST_DATABASE_URL $(PYTEST) -m "not browser"

test-postgres: install translations
	@test -n "$$TEST_DATABASE_URL" || (echo "Set TEST_DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"; exit 2)
	$(PYTEST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Known vulnerabilities in the runtime packages: requirements.txt and what it pulls in,
# resolved as pip would, checked against PyPI's advisory data. --strict: a package that
# could not be checked fails the run instead of passing unchecked.
audit: install
	$(BIN)/pip-audit --requirement requirements.txt --strict --progress-spinner off

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install translations
	$(BIN)/python bench/submit_load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
