# The two commands of the README: `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# One catalog for the core and one per plugin, each in <folder>/translations.
CATALOGS := portal $(patsubst %/,%,$(dir $(wildcard plugins/*/__init__.py)))

.PHONY: demo test install translations compile-translations chromium

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed compile-translations

compile-translations: $(VENV)/.installed
	@for d in $(CATALOGS); do [ ! -d $$d/translations ] || $(VENV)/bin/pybabel -q compile --use-fuzzy -d $$d/translations -D messages; done

# Re-extract the messages of each catalog's folder and merge them (then translate the new ones).
translations: $(VENV)/.installed
	@for d in $(CATALOGS); do \
	  mkdir -p $$d/translations; \
	  $(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output -o $$d/translations/messages.pot $$d || exit 1; \
	  if [ -f $$d/translations/zh_Hans_CN/LC_MESSAGES/messages.po ]; then \
	    $(VENV)/bin/pybabel -q update -N --no-wrap -i $$d/translations/messages.pot -d $$d/translations -D messages; \
	  else \
	    $(VENV)/bin/pybabel -q init --no-wrap -i $$d/translations/messages.pot -d $$d/translations -D messages -l zh_Hans_CN; \
	  fi; \
	done

# Debian's Chromium for the browser tests (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(VENV)/bin/portal demo

test: install chromium
	$(PY) -m pytest
