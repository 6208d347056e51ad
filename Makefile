# The README's two commands: `make run` and `make test`.  Each creates .venv
# with python3 and installs what it needs, so a fresh clone needs only python3.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test index browser clean

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

test: $(VENV)/.test-deps browser
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) index/_MAIN_* index/*.seg index/*.toc index/SITREP_SCHEMA
