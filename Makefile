# Retour — two commands: `make run` and `make test`. See README.md.
#
# Everything is overridable on the command line: `make test PYTHON=python3.12 VENV=/tmp/venv`.

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2
BROWSER_PACKAGES ?= chromium

BIN := $(VENV)/bin
VENV_PY := $(BIN)/python
PIP := $(VENV_PY) -m pip --disable-pip-version-check
# pip older than 21.3 cannot install a pyproject.toml project in editable mode.
UPGRADE_PIP := $(VENV_PY) -c 'import pip, sys; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (21, 3))' \
	|| $(PIP) install -qq --upgrade pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

# Translations: every .po file has a compiled .mo beside it (the .mo files are not committed).
PO_FILES := $(shell find retour -path '*/LC_MESSAGES/*.po' 2>/dev/null)
MO_FILES := $(PO_FILES:.po=.mo)

.DEFAULT_GOAL := help
.PHONY: help install install-test messages run test check browser bench fuzz soak clean

help:
	@echo "make run     install, migrate, load the demo and serve web + worker on http://$(HOST):$(PORT)"
	@echo "make test    install with the test tools, run 'make check', then the test suite"
	@echo "make check   ruff (lint + format) and mypy"
	@echo "make bench   Retour against a bare Django floor under load, side by side (figures, not a test)"
	@echo "make fuzz    schemathesis over every API operation against a live server (>= 5000 cases)"
	@echo "make soak    kill the worker and web processes under load, then check emails, tasks, returns"
	@echo "make clean   remove the virtualenv, caches and compiled translations (./var is kept)"

# --- installation --------------------------------------------------------------------------

$(VENV_PY):
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11+" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "error: '$(PYTHON) -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }

$(STAMP): pyproject.toml | $(VENV_PY)
	@echo "Installing Retour into $(VENV)..."
	@$(UPGRADE_PIP)
	$(PIP) install -qq --editable .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(VENV_PY)
	@echo "Installing Retour and its test tools into $(VENV)..."
	@$(UPGRADE_PIP)
	$(PIP) install -qq --editable '.[test]'
	@touch $@ $(STAMP)

ifneq ($(strip $(PO_FILES)),)
$(MO_FILES) &: $(PO_FILES) | $(STAMP)
	$(BIN)/retour compilemessages
	@touch -c $(MO_FILES)
endif

messages: $(MO_FILES)

install: $(STAMP) messages

install-test: $(TEST_STAMP) messages

# --- running -------------------------------------------------------------------------------

# Links in emails and on slips point at the address `make run` serves on, unless set otherwise.
run: export RETOUR_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/retour migrate
	$(BIN)/retour demo
	@echo "Serving on http://$(HOST):$(PORT) (web + worker); Ctrl-C stops both."
	$(BIN)/retour serve --host $(HOST) --port $(PORT)

# --- quality -------------------------------------------------------------------------------

check: install-test
	@status=0; \
	echo "== ruff check"; $(BIN)/ruff check . || status=1; \
	echo "== ruff format --check"; $(BIN)/ruff format --check --output-format concise . || status=1; \
	echo "== mypy retour"; $(BIN)/mypy retour || status=1; \
	exit $$status

# Browser tests drive Debian's Chromium; without it they skip with a reason, so a failed
# install is reported and tolerated.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "note: /usr/bin/chromium is missing (install Debian's '$(BROWSER_PACKAGES)'); browser tests will be skipped"; \
	else \
		echo "Installing $(BROWSER_PACKAGES) for the browser tests..."; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; } \
			|| echo "warning: could not install $(BROWSER_PACKAGES); browser tests will be skipped"; \
	fi

test: install-test browser
	@$(MAKE) --no-print-directory check
	@# pytest exits 5 when it collected no test: that is not a failure of the suite.
	@echo "== pytest"; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) -rs $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest: no tests were collected"; exit 0; fi; \
	exit $$status

# --- benchmark -----------------------------------------------------------------------------

bench: install
	@if command -v wrk >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing wrk..."; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
			|| echo "warning: could not install wrk; the Python load generator will be used"; \
	fi
	$(VENV_PY) bench/run.py $(BENCH_ARGS)

# --- fuzzing -------------------------------------------------------------------------------

# A live server with the demo data, on DATABASE_URL (point it at a scratch PostgreSQL database)
# or a temporary SQLite database; FUZZ_ARGS="--max-examples 500 --seed 1" to go further.
FUZZ_ARGS ?=
fuzz: install-test messages
	$(VENV_PY) scripts/fuzz.py $(FUZZ_ARGS)

# --- soak ----------------------------------------------------------------------------------

# Kills the worker and web processes repeatedly under bounded load on 127.0.0.1, then checks:
# every notification delivered once by Message-ID, no task row left running, no return in an
# impossible state. DATABASE_URL picks the database (default: a new SQLite file). SOAK_ARGS
# passes options, e.g. SOAK_ARGS="--returns 90 --kills 10".
soak: install-test
	$(VENV_PY) scripts/soak.py $(SOAK_ARGS)

# --- cleaning ------------------------------------------------------------------------------

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find retour -path '*/LC_MESSAGES/*.mo' -delete
