# Two commands on a fresh machine: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3978
HOST ?= 127.0.0.1

.PHONY: run test install migrate samples lint clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

fixloop.toml:
	cp fixloop.example.toml fixloop.toml

migrate: $(STAMP)
	$(BIN)/fixloop migrate

samples: migrate fixloop.toml
	$(BIN)/fixloop import kb samples/kb --if-empty
	$(BIN)/fixloop import tickets samples/tickets.csv --format csv --if-empty

run: samples
	@echo ""
	@echo "Fixloop is starting on http://$(HOST):$(PORT) (GET /healthz, GET /metrics)."
	@echo "  Try it without a workspace, in another terminal:  $(BIN)/fixloop chat --as employee"
	@echo "  (also --as agent, --as manager, --as leader), or:  $(BIN)/fixloop causes | kpis | digest"
	@echo "  Connect Slack: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (README: Connect Slack)."
	@echo "  Connect Teams: set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID (README)."
	@echo ""
	$(BIN)/fixloop serve --host $(HOST) --port $(PORT)

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
