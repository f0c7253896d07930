# pyredis — the commands a newcomer needs. `make up` runs the seed's topology, `make test` the suite.
# Debian's own CPython 3.11 when it can make a venv (package python3.11-venv, which .ci/run
# installs): built with PGO and LTO, it runs pyredis ~5-8% faster than a plain source build;
# else whatever python3 is on PATH
PY ?= $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' >/dev/null 2>&1 && echo /usr/bin/python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test up bench lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q tests

up: $(STAMP)
	$(BIN)/pyredis up sentinel

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) build *.egg-info
