# Civicly: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test install install-test translations demo clean

# Message catalogs: the .po files are the source; the compiled .mo files are git-ignored, so every install
# compiles them (again whenever a catalog changes), and a fresh clone serves translated pages.
TRANSLATIONS := civicly/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
COMPILE_CATALOGS := $(BIN)/pybabel -q compile -d $(TRANSLATIONS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(CATALOGS) | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(COMPILE_CATALOGS)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(CATALOGS) | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(COMPILE_CATALOGS)
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# After changing translatable text: refresh the template and every catalog, translate what is new or fuzzy
# (tests/i18n fails until then), then compile.
translations: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file --project Civicly \
	  --copyright-holder "Civicly contributors" --msgid-bugs-address "" -o $(TRANSLATIONS)/messages.pot civicly
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete
	$(COMPILE_CATALOGS)

demo: install
	$(BIN)/civicly db upgrade
	$(BIN)/civicly seed-demo

run: demo
	$(BIN)/civicly run --host 127.0.0.1 --port $(PORT)

test: install-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache
