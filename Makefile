# The two commands a new user needs (see README.md):
#   make demo   set everything up, then audit the bundled sample agency and print its gap report
#   make test   set everything up, then run linters, type checks and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
REPORT_LANG ?= vi

.PHONY: setup test-deps demo serve-demo test test-fast lint bench docs docs-site messages compile-messages clean

setup: $(VENV)/.installed

# constraints.txt pins the versions the tests were last run with: a new release of a dependency
# (Ansible's messages, say) must not change a CI run behind our back
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,network,serve]'
	# bytecode now, as pip writes it for an installed package (an editable install leaves it to
	# the first run, and a machine with PYTHONDONTWRITEBYTECODE would compile at every start)
	$(BIN)/python -m compileall -q egov_audit
	touch $@

demo: setup
	REPORT_LANG=$(REPORT_LANG) tools/demo.sh

# the national service over the store `make demo` left (.demo/national.db), on 127.0.0.1:8080
serve-demo: setup
	@test -f .demo/national.db || { echo "run make demo first"; exit 2; }
	@cat .demo/credentials.txt
	@echo "http://127.0.0.1:8080"
	$(BIN)/egov-audit serve --db .demo/national.db --port 8080

# openssh-server (the lab of real SSH hosts) and Chromium (HTML report tests); root only:
# without root those tests are skipped
test-deps:
	tools/install-test-deps.sh

# the CLI's messages (gettext, Babel): extract them and update the Vietnamese catalog, then
# translate the new entries of egov_audit/locale/vi/LC_MESSAGES/egov_audit.po and compile
messages: setup
	$(BIN)/python tools/messages.py

compile-messages: setup
	$(BIN)/python tools/messages.py --compile

lint: setup
	$(BIN)/ruff check egov_audit tests benchmarks tools playbooks
	$(BIN)/mypy
	$(BIN)/mypy playbooks/library/egov_host_facts.py
	$(BIN)/mypy playbooks/module_utils
	$(BIN)/mypy playbooks/action_plugins/egov_host_facts.py
	$(BIN)/mypy playbooks/library/egov_device_facts.py
	$(BIN)/mypy playbooks/action_plugins/egov_device_facts.py
	$(BIN)/mypy playbooks/library/egov_facility_facts.py
	$(BIN)/mypy playbooks/action_plugins/egov_facility_facts.py
	$(BIN)/mypy playbooks/terminal_plugins/frr.py
	$(BIN)/mypy playbooks/cliconf_plugins/frr.py

# the fuzz tier (tests/integration/fuzz) tries 300 generated inputs per reader here, 25 in test-fast
test: lint docs-site test-deps
	EGOV_FUZZ_EXAMPLES=300 $(BIN)/pytest -q

# the inner loop: no root, no lab, no browser, no database server, under a minute
test-fast: setup
	$(BIN)/pytest -q -n 2 -m "not lab and not browser and not postgres and not slow"

# docs/requirements/*.md and README.md's catalogue block, from policies/ and reference_models/
docs: setup
	$(BIN)/python tools/gen_docs.py

# the documentation site from docs/ (mkdocs.yml) into site/: a broken link or page fails it
docs-site: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

bench: setup
	$(BIN)/python benchmarks/bench_validate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
