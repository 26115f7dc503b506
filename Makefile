# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install dev serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## load the demo company into the embedded database and serve on http://127.0.0.1:8000
	$(BIN)/cxloop demo

serve: $(STAMP)
	$(BIN)/cxloop serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint  ## every test, on SQLite and (when 127.0.0.1:5432 answers) PostgreSQL
	$(BIN)/pytest -n 2 --dist loadgroup

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
