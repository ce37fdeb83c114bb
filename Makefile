# btoagents: `make demo` and `make test` work on a fresh clone; both build .venv first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint validate bench audit figures paper dashboard test-browser docs clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x $(PY) ]; then \
	  interp=$$(.ci/find-python); \
	  echo "Creating $(VENV) with $$interp"; \
	  "$$interp" -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet --upgrade pip; \
	$(PY) -m pip install --quiet -e '.[test,dev]'; \
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/btoagents demo --out results/demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

# two test processes (pytest-xdist): CI has two cores, and most tests run one simulation each
test: $(STAMP) lint
	$(VENV)/bin/pytest -m "not slow and not browser" -n 2

validate: $(STAMP)
	$(VENV)/bin/btoagents validate --out results/validation
	HYPOTHESIS_PROFILE=thorough $(VENV)/bin/pytest tests/properties
	$(VENV)/bin/pytest -m "slow and not browser"

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run.py --out benchmarks/results.json
	$(PY) benchmarks/sweep_memory.py --out benchmarks/sweep_memory.json

# robustness audit: 1,000 hostile command lines through the CLI, SIGKILLs of real sweeps on
# the process and Dask executors, two sweeps at once, damaged parts (reports in benchmarks/)
audit: $(STAMP)
	$(PY) benchmarks/fuzz_cli.py --examples 1000 --out benchmarks/fuzz_cli.json
	$(PY) benchmarks/results_integrity.py --kills 16 --out benchmarks/results_integrity.json

figures: $(STAMP)
	$(VENV)/bin/btoagents figures $(if $(QUICK),--quick,)

paper: figures
	paper/build.sh

dashboard: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dashboard]'
	$(PY) -m btoagents.viz.assets

test-browser: dashboard
	$(VENV)/bin/pytest -m browser

# the documentation site: docs/_build/html, built offline (nothing fetched while building) with
# every warning an error and every tutorial notebook executed (-E: all pages read again, so a
# tutorial that no longer runs fails; no page left from an earlier build); then every
# internal link and anchor is checked
docs: $(STAMP)
	$(PY) -m pip install --quiet -e '.[docs]'
	rm -rf docs/_build/html docs/api/generated
	$(PY) -m sphinx -b html -E -W --keep-going docs docs/_build/html
	BTOAGENTS_DOCS_SITE=docs/_build/html $(VENV)/bin/pytest -q -p no:cacheprovider tests/test_docs_links.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info docs/_build docs/_generated docs/api/generated
