# Every target sets up .venv itself, so `make test` and `make verify` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup test lint verify docs bench mutants serve clean

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs,dask]'
	npm ci --no-audit --no-fund --loglevel=error   # KaTeX for build-time math (docs/hooks/katex.py)
	touch $(STAMP)

setup: $(STAMP)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/python -m pytest

verify: setup
	$(BIN)/python -m derivations
	$(BIN)/mkdocs build --strict --site-dir site

docs: verify

serve: setup
	$(BIN)/mkdocs serve

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks

# Mutation testing of softmax/ with mutmut 3 (not part of `make test`): writes mutants/report.md
# and mutants/report.json. mutants/plan.toml groups the modules with the tests that judge
# them; GROUPS picks groups (default: all), e.g. `make mutants GROUPS="inputs model"`.
GROUPS ?=
mutants: setup
	$(BIN)/python -m pip install --quiet -e '.[mutants]'
	$(BIN)/python mutants/run.py --groups "$(GROUPS)"

clean:
	rm -rf $(VENV) site .pytest_cache .ruff_cache build/mutmut build/mutmut-kernels
