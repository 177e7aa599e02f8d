# Civicly: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
DEMO_CASES ?= 300

.PHONY: run test install install-test translations demo clean py2-client sso-provider

# Message catalogs: the .po files are the source; the compiled .mo files are git-ignored build products. Building
# the package compiles them (setup.py): beside the .po for the editable install below, which runs again whenever a
# catalog changes, so a fresh clone serves translated pages.
TRANSLATIONS := civicly/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml setup.py $(CATALOGS) | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml setup.py $(CATALOGS) | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# After changing translatable text: refresh the template and every catalog, translate what is new or fuzzy
# (tests/i18n fails until then), then compile.
translations: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file --project Civicly \
	  --copyright-holder "Civicly contributors" --msgid-bugs-address "" -o $(TRANSLATIONS)/messages.pot civicly
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

# The demo model: trained once on the bundled data, French ministries as labels (data/label_maps/demo.csv).
DEMO_MODEL := instance/models/ACTIVE.json
DEMO_DATA := $(sort $(wildcard data/*.csv))

# Retrained when the data or the classifier code changes (an artifact of an older model format will not load). Signed
# with the key generated in instance/model_signing_key, which `make run` then loads it with.
$(DEMO_MODEL): $(DEMO_DATA) $(wildcard classifier/*.py) | $(VENV)/.installed
	@echo "Training the demo routing model on $(words $(DEMO_DATA)) bundled data files (about a minute)..."
	$(BIN)/civicly db upgrade  # training is recorded in the administration audit
	$(BIN)/civicly model train $(addprefix --data ,$(DEMO_DATA)) --label-map data/label_maps/demo.csv --promote

demo: install $(DEMO_MODEL)
	$(BIN)/civicly db upgrade
	$(BIN)/civicly seed-demo --cases $(DEMO_CASES)

# The worker groups similar reports and sends e-mails after each submission (its log: instance/worker.log);
# it stops with the server.
run: demo
	$(BIN)/civicly worker --interval 1 >> instance/worker.log 2>&1 & trap 'kill $$!' EXIT; \
	$(BIN)/civicly run --host 127.0.0.1 --port $(PORT)

# ruff with Flask's own rule set (pyproject.toml) first: a finding fails the run before the suite starts.
test: install-test
	@if command -v npm >/dev/null; then $(MAKE) -s sso-provider; else echo "No npm here: tests/sso will be skipped."; fi
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Performance figures against baselines measured in the same run (docs/performance.md); BENCH_ARGS=--full adds 1M rows.
.PHONY: bench
bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench $(BENCH_ARGS)

$(VENV)/.installed-bench: pyproject.toml setup.py $(CATALOGS) | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

# The py2-only `open311` client, for tests/api/test_real_clients.py (skipped where this is not installed).
PY2_DIR := .venv-py2
PY2_CANDIDATES ?= $(wildcard $(HOME)/.pyenv/versions/2.7*/bin/python) /usr/bin/python2.7 /usr/local/bin/python2.7

py2-client: $(PY2_DIR)/.installed

$(PY2_DIR)/.installed:
	@py2=""; for p in $(PY2_CANDIDATES); do \
	  if "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (2, 7))' 2>/dev/null; then py2="$$p"; break; fi; done; \
	if [ -z "$$py2" ]; then echo "No Python 2.7 here: the Open311 py2 client test will be skipped."; else \
	  "$$py2" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
	    --target $(PY2_DIR)/lib open311==1.1 2>&1 | grep -v "is ignored: it is neither a file nor a directory" >&2; \
	  "$$py2" -c 'import sys; sys.path.insert(0, "$(PY2_DIR)/lib"); import open311' \
	  && ln -sf "$$py2" $(PY2_DIR)/python && touch $@; fi

# The local OpenID provider that tests/sso signs in through (node and npm; installed again when its lock file changes).
SSO_PROVIDER := tests/sso/provider

sso-provider: $(SSO_PROVIDER)/node_modules/.installed

$(SSO_PROVIDER)/node_modules/.installed: $(SSO_PROVIDER)/package-lock.json
	cd $(SSO_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error >/dev/null
	touch $@

clean:
	rm -rf $(VENV) $(PY2_DIR) $(SSO_PROVIDER)/node_modules instance .pytest_cache
