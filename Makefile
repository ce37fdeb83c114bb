# btoagents: `make demo` and `make test` work on a fresh clone; both build .venv first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint validate bench audit figures paper dashboard test-browser clean

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

test: $(STAMP) lint
	$(VENV)/bin/pytest -m "not slow and not browser"

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

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
