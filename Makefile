# Two commands matter: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Exact versions of every Python package, used as pip constraints by `make install`.
LOCK := requirements.lock
# One compiled catalogue per language, made from that language's .po files.
CATALOGUES := $(sort $(patsubst %/,%/carevia.mo,$(dir $(wildcard src/carevia/locale/*/*.po))))

.PHONY: run test install lock lint types pytest unit integration e2e bench clean

run: install
	$(BIN)/carevia serve --host $(HOST) --port $(PORT) --seed-if-new

test: install lint types pytest

install: $(VENV)/.installed static/vendor/.built $(CATALOGUES)

$(VENV)/.installed: pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[embedded,dev]'
	touch $@

# Re-resolves every dependency to its newest version allowed by pyproject.toml, in a
# throwaway virtualenv, and writes the result to $(LOCK). Commit the file it writes.
lock:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=...)")'
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[embedded,dev]'
	{ echo '# Exact versions for `make install`; regenerate with `make lock`, never by hand.'; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable; } > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)
	rm -rf .lock-venv

static/vendor/.built: package.json package-lock.json scripts/build-assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $@

.SECONDEXPANSION:
$(CATALOGUES): $$(wildcard $$(@D)/*.po) scripts/compile_catalogues.py $(VENV)/.installed
	$(BIN)/python scripts/compile_catalogues.py $(@D)

lint: install
	$(BIN)/ruff check src tests e2e bench
	$(BIN)/ruff format --check src tests e2e bench
	$(BIN)/lint-imports

types: install
	$(BIN)/mypy

# Two runs: Playwright's sync API holds an event loop that async tests must not share.
# Each runs on one worker per core, every worker with its own database server; a browser
# worker also starts its own app and Chromium, and takes whole files, so a journey's
# steps stay in one browser against one app.
pytest: install
	$(BIN)/pytest tests --numprocesses auto --maxprocesses 4
	$(BIN)/pytest e2e --numprocesses auto --maxprocesses 2 --dist loadfile

unit: install
	$(BIN)/pytest tests/unit

integration: install
	$(BIN)/pytest tests/integration --numprocesses auto --maxprocesses 4

e2e: install
	$(BIN)/pytest e2e --numprocesses auto --maxprocesses 2 --dist loadfile

bench: install
	$(BIN)/python bench/catalogue.py

clean:
	rm -rf $(VENV) .lock-venv node_modules static/vendor var $(CATALOGUES) .pytest_cache .mypy_cache .ruff_cache e2e/artifacts
