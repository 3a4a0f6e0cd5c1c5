# The two commands a new user needs: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= index_data
HOST ?= 127.0.0.1
PORT ?= 8000
FALLBACK := .venv-fallback

.PHONY: run test lint typecheck index test-fallback bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when the project's declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# Build the demo index from seeds/ when there is none yet, then serve the search page.
run: $(VENV)/.installed
	@if [ ! -e "$(INDEX)/_MAIN_WRITELOCK" ] && ! ls "$(INDEX)"/*.toc >/dev/null 2>&1; then \
		$(BIN)/newsfind index seeds/ --index "$(INDEX)"; fi
	$(BIN)/newsfind serve --index "$(INDEX)" --host $(HOST) --port $(PORT)

index: $(VENV)/.installed
	$(BIN)/newsfind index seeds/ --index "$(INDEX)"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check indexer webapp

typecheck: $(VENV)/.installed
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The library's tests against the fallback Whoosh distribution, in a venv of its own:
# whoosh3 and whoosh-reloaded ship the same module and must never share an environment.
# Both distributions write the same whoosh/ files, so uninstalling one deletes the other's too:
# start from neither, and force the fallback's files back in last.
$(FALLBACK)/.installed: pyproject.toml
	$(PYTHON) -m venv $(FALLBACK)
	$(FALLBACK)/bin/python -m pip install -q --upgrade pip
	$(FALLBACK)/bin/python -m pip uninstall -q -y whoosh3 whoosh-reloaded
	$(FALLBACK)/bin/python -m pip install -q -e '.[test]'
	$(FALLBACK)/bin/python -m pip uninstall -q -y whoosh3
	$(FALLBACK)/bin/python -m pip install -q --force-reinstall whoosh-reloaded==2.7.5
	$(FALLBACK)/bin/python -c 'import whoosh; assert whoosh.versionstring().startswith("2.7")'
	touch $@

test-fallback: $(FALLBACK)/.installed
	$(FALLBACK)/bin/python -c 'import whoosh; assert whoosh.versionstring().startswith("2.7"), whoosh.versionstring()'
	$(FALLBACK)/bin/python -m pytest -m 'not browser' $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test,bench]'

clean:
	rm -rf $(VENV) $(FALLBACK) .pytest_cache .mypy_cache .ruff_cache
