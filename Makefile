# The two set-up commands of README.md: `make run` and `make test`. Both work on a fresh
# Debian/Ubuntu machine with Python 3.11: they create .venv and install what is missing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
INSTALLED := $(VENV)/.installed

.PHONY: run test bench messages vendor clean

$(INSTALLED): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check --upgrade pip
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

## make run: the product with its embedded defaults (SQLite, Huey consumer, demo world, dev inbox)
run: $(INSTALLED)
	@scripts/ensure_system.sh weasyprint
	@scripts/run.sh

## make test: lint, checks and the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
test: $(INSTALLED)
	@scripts/ensure_system.sh weasyprint chromium
	@scripts/test.sh

## make bench: the benchmarks of bench/ (results go to docs/benchmarks.md by hand)
bench: $(INSTALLED)
	@scripts/bench.sh

## make messages: extract translatable strings and compile the catalogues
messages: $(INSTALLED)
	DEMO=1 $(VENV)/bin/python manage.py makemessages -l it --no-obsolete --add-location file -i ".venv/*" -i "static/*" -i "staticfiles/*" -i "var/*" -i "tests/*" -i "bench/*"
	DEMO=1 $(VENV)/bin/python manage.py compilemessages -v0

## make vendor: fetch the pinned front-end libraries into static/vendor/
vendor: $(INSTALLED)
	$(VENV)/bin/python scripts/vendor_static.py

clean:
	rm -rf $(VENV) staticfiles *.egg-info
