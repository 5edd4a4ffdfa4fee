# The two commands of the README: `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LOCALES := portal/translations

.PHONY: demo test install translations compile-translations chromium

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed compile-translations

compile-translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d $(LOCALES) -D messages

# Re-extract the messages and merge them into every catalog (then translate the new ones).
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o $(LOCALES)/messages.pot .
	$(VENV)/bin/pybabel update -N --no-wrap -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages

# Debian's Chromium for the browser tests (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(VENV)/bin/portal demo

test: install chromium
	$(PY) -m pytest
