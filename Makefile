# Gemeente-assistent: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV     ?= .venv
PY       := $(VENV)/bin/python
RASA     := $(VENV)/bin/rasa
MODEL    := models/gemeente.tar.gz
STAMP    := $(VENV)/.installed
REQS     := requirements/requirements.in requirements/dev.in requirements/constraints.txt
TRAIN_INPUTS := $(shell find data domain -name '*.yml' 2>/dev/null) config.yml $(wildcard components/*.py)
NODE_DIRS := $(dir $(wildcard webchat/package-lock.json tests/browser/package-lock.json))
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install run shell test test-unit test-model test-core test-nlu test-browser validate lint \
        train nlu-report bench bench-xsid bench-security bench-scale purge signals lock clean services \
        test-security test-scale test-workbench trainer

help:
	@echo "make run     install what is missing, train if needed, start the assistant on localhost"
	@echo "make test    install what is missing and run every test"
	@echo "make trainer the trainers' workbench alone on http://localhost:8002/"
	@echo "other: shell, train, nlu-report, bench, bench-xsid, bench-security, bench-scale, test-scale,"
	@echo "       test-security, test-workbench, purge, signals, validate, lint, lock, clean"

# ---------------------------------------------------------------- install
$(STAMP): $(REQS)
	@set -e; py=$$(scripts/find-python.sh); \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi; \
	$(PY) -m pip install --quiet --upgrade "pip<24.1" wheel; \
	$(PY) -m pip install --quiet -c requirements/constraints.txt \
	    -r requirements/requirements.in -r requirements/dev.in
	@touch $(STAMP)

var/spacy-nl/assistant-spacy.json: $(STAMP) scripts/prepare_spacy.py
	@$(PY) scripts/prepare_spacy.py var/spacy-nl

node-deps: $(foreach d,$(NODE_DIRS),$(d)node_modules/.installed)
%/node_modules/.installed: %/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the web chat (apt-get install nodejs npm)"; exit 1; }
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(STAMP) var/spacy-nl/assistant-spacy.json node-deps

lock: ## re-resolve and pin all Python dependencies
	$(PY) -m pip install -r requirements/requirements.in -r requirements/dev.in
	( echo "# Pinned versions of everything installed into .venv (regenerate: make lock)."; \
	  $(PY) -m pip freeze --exclude-editable ) > requirements/constraints.txt

# ---------------------------------------------------------------- train
$(MODEL): $(TRAIN_INPUTS) | install
	@mkdir -p models
	$(RASA) train --config config.yml --domain domain --data data \
	    --out models --fixed-model-name gemeente
	@touch $(MODEL)

train: $(MODEL)

# ---------------------------------------------------------------- run
run: install $(MODEL)
	@scripts/run.sh

trainer: install
	@$(PY) -m workbench --port $${WORKBENCH_PORT:-8002}

shell: install $(MODEL)
	@scripts/run.sh --shell

# ---------------------------------------------------------------- checks
services:
	@scripts/services.sh

validate: install
	@$(PY) scripts/validate.py

lint: install
	$(VENV)/bin/ruff check .

test-unit: install services
	$(PY) -m pytest -m "not model and not browser and not scale" -q

test-core: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors \
	    --out reports/core --no-plot

test-nlu: $(MODEL)
	$(PY) scripts/nlu_check.py --model $(MODEL) --out reports/nlu

test-model: $(MODEL) services
	$(PY) -m pytest -m "model and not security and not scale" -q

# the hostile end-to-end suite of issue 13 (one assistant start; docs/security.md)
test-security: $(MODEL) services
	$(PY) -m pytest -m "security" -q -s

# two Rasa instances + two action servers behind nginx on PostgreSQL/Redis (docs/production.md)
test-scale: $(MODEL) services
	@scripts/test-scale.sh

test-browser: $(MODEL) node-deps
	scripts/browser-test.sh

test-workbench: install node-deps
	scripts/workbench-browser-test.sh

test: install validate lint test-unit test-core test-nlu test-model test-security test-scale test-browser \
      test-workbench
	@echo "make test: all checks passed"

nlu-report: $(MODEL)
	$(PY) scripts/nlu_check.py --model $(MODEL) --out reports/nlu --report

bench: install
	$(PY) scripts/bench.py $(ARGS)

bench-xsid: install
	$(PY) scripts/bench_xsid.py $(ARGS)

# issue 13: a second resident's latency while 1 MB messages arrive (a figure, not a test)
bench-security: install $(MODEL)
	$(PY) scripts/bench_security.py $(ARGS)

bench-scale: $(MODEL) services
	@scripts/ensure-nginx.sh
	$(PY) scripts/bench_scale.py $(ARGS)

purge: install
	TRACKER_DB_URL=$${TRACKER_DB_URL:-sqlite:///var/tracker.db} $(PY) -m app.purge

signals: install
	$(PY) -m app.signals $(ARGS)

clean:
	rm -rf models reports results .rasa var/spacy-nl .pytest_cache .ruff_cache .mypy_cache
