# The two commands a new user needs (see README.md):
#   make demo   set everything up, then audit the bundled sample agency and print its gap report
#   make test   set everything up, then run linters, type checks and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
REPORT_LANG ?= vi

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	@echo "== egov-audit validate inventories/song-lam (sample province, level 3) =="
	$(BIN)/egov-audit validate inventories/song-lam --lang $(REPORT_LANG) --fail-on none
	@echo "== all sample agencies together, with the national cross-agency checks =="
	$(BIN)/egov-audit validate inventories/* --documentation-as-public --lang $(REPORT_LANG) \
		--fail-on none | sed -n '/== .*Summary\|== .*Tổng hợp/,$$p'

lint: setup
	$(BIN)/ruff check egov_audit tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python benchmarks/bench_validate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
