# The README's two commands: `make run` and `make test`.  Each creates .venv
# with python3 and installs what it needs, so a fresh clone needs only python3.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test index browser axe opensearch opensearch-launcher clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-deps

# Index ./seeds (incremental: only new or changed files are read), then serve.
run: $(VENV)/.run-deps
	$(BIN)/sitrep index
	$(BIN)/sitrep serve

index: $(VENV)/.run-deps
	$(BIN)/sitrep index

# The page tests drive Debian's chromium; install it when missing and we are root.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "The page tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }
	@# wrk: tests/test_bench.py runs bench/load.py end to end at a small size.
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; \
	  else echo "The load test needs Debian's wrk (sudo apt-get install wrk); it is skipped" >&2; fi; }

# axe-core for the accessibility tests, from the npm registry into tests/a11y
# (the test evaluates it inside pages served on 127.0.0.1).
axe:
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error; \
	else echo "The accessibility tests need npm (apt-get install npm); they are skipped" >&2; fi

# The OpenSearch tests' node (#18), built with Maven from Maven Central. Without
# java or mvn this prints the one line that says what to install, and those
# tests skip; a failed build stops here.
OPENSEARCH_NODE := tests/opensearch/opensearch-node
OPENSEARCH_PORT ?= 9200
OPENSEARCH_DATA ?= tests/opensearch/target/node-data

opensearch-launcher:
	@$(OPENSEARCH_NODE) build || [ $$? = 3 ]

# One real node on 127.0.0.1:$(OPENSEARCH_PORT) in the foreground; Ctrl-C stops it.
opensearch:
	$(OPENSEARCH_NODE) start --data $(OPENSEARCH_DATA) --port $(OPENSEARCH_PORT)

test: $(VENV)/.test-deps browser axe opensearch-launcher
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) tests/a11y/node_modules index/_MAIN_* index/*.seg index/*.toc index/SITREP_SCHEMA
