# audiopaper: `make demo` builds the sample issue, `make test` runs the tests (not the slow
# ones), `make test-all` runs every test (what CI runs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-all lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/audiopaper build examples/hengyang-daily.md -o output --engine kokoro

test: $(STAMP)
	$(BIN)/python -m pytest -q

# -m "" lifts the default `-m 'not slow'` (pyproject.toml)
test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ""

lint: $(STAMP)
	$(BIN)/ruff check audiopaper tests
	$(BIN)/mypy audiopaper

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py

clean:
	rm -rf $(VENV) output/editions output/.cache output/*.xml output/*.html output/*.sqlite
