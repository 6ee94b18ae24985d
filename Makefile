# Everything a newcomer needs: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Python 3.13 is the Lambda runtime's version. The LocalStack tooling is what finds it (pyenv,
# PATH, ...); before .venv exists any python3 can run that (standard library only).
PYTHON313 ?= $(shell PYTHONPATH=$(CURDIR)/infra python3 -m imagejobs_dev.localstack python313 2>/dev/null)

# checkov pins an old boto3 that clashes with the SAM CLI's, so it gets a venv of its own.
CHECKOV_VERSION := 3.3.30
CHECKOV := $(VENV)/tools/checkov/bin/checkov

export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: help setup up down demo test lint unit gallery clean browser screenshot

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml functions/requirements.txt clients/python/pyproject.toml
	@if [ -z "$(PYTHON313)" ]; then echo "Python 3.13 not found: install it (pyenv install 3.13) or pass PYTHON313=/path/to/python3.13" >&2; exit 1; fi
	$(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet -e ./clients/python  # the SDK, which the imagejobs CLI is built on
	@touch $@

# The TypeScript client (clients/typescript): Node.js 20+ from Debian's packages when there is
# no node, then its locked dependencies (npm ci, from npm's cache when it has them).
TS := clients/typescript
TS_INSTALLED := $(TS)/node_modules/.package-lock.json
$(TS_INSTALLED): $(TS)/package.json $(TS)/package-lock.json
	@command -v node >/dev/null || { \
		export DEBIAN_FRONTEND=noninteractive; \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -q && \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -q --no-install-recommends nodejs npm; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || { \
		echo "the TypeScript client needs Node.js 20 or later; this is $$(node --version)" >&2; exit 1; }
	cd $(TS) && npm ci --no-audit --no-fund --prefer-offline --loglevel=error

$(CHECKOV): | $(VENV)/.installed
	$(PYTHON313) -m venv $(VENV)/tools/checkov
	$(VENV)/tools/checkov/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)

setup: $(VENV)/.installed $(TS_INSTALLED)  ## Create .venv, LocalStack's own venv and the TypeScript client's node_modules (idempotent)
	$(PY) -m imagejobs_dev.localstack install

# HOT_RELOAD=1: the functions' code is mounted from this clone, so an edit in functions/ is
# live on the next invocation (README, "Dev loop"). Unchanged inputs skip sam build/deploy.
# Every model is offered; IMAGE_ENGINE=bedrock makes a Stability model the default. Bedrock
# calls go to BEDROCK_ENDPOINT_URL, else to the project's stand-in (docs/bedrock.md).
up: setup  ## Start LocalStack (or reuse a running one) and deploy; last line is JSON (HOT_RELOAD=1 IMAGE_ENGINE=bedrock BEDROCK_ENDPOINT_URL=)
	@$(PY) -m imagejobs_dev.stack up $(if $(HOT_RELOAD),--hot-reload) \
		$(if $(IMAGE_ENGINE),--image-engine $(IMAGE_ENGINE)) \
		$(if $(BEDROCK_ENDPOINT_URL),--bedrock-endpoint-url $(BEDROCK_ENDPOINT_URL))

down:  ## Stop what `make up` started (LocalStack and the Bedrock stand-in)
	@$(PY) -m imagejobs_dev.stack down

demo: up  ## Set up, deploy, generate an image, print where it is and the web page's URL
	@$(VENV)/bin/imagejobs generate "a lighthouse on a cliff above a stormy sea at sunset" \
		--width 768 --height 512 --seed 7 --wait --out out
	@$(PY) -m imagejobs_dev.stack show | $(PY) -c 'import json, sys; s = json.load(sys.stdin); \
		print(f"web page: {s["api_url"]} (open it in a browser; API key: {s["api_key"]})")'

lint: setup $(CHECKOV)  ## ruff, mypy, import layers and cycles, docs/openapi.json, the TS client, sam validate --lint, cfn-lint, checkov
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m imagejobs_dev.openapi --check
	cd $(TS) && npm run --silent lint  # its types are docs/openapi.json's; tsc --noEmit
	$(VENV)/bin/lint-imports --no-logo --no-cache
	$(VENV)/bin/sam validate --lint
	$(VENV)/bin/cfn-lint template.yaml
	$(CHECKOV) --file template.yaml --framework cloudformation --compact --quiet --skip-download

unit: setup  ## Fast in-process tests only: logic (in-memory) and moto
	$(PY) -m pytest tests/logic tests/integration

gallery: $(VENV)/.installed  ## Redraw tests/golden/contact-sheet.png: each style, five prompts
	$(PY) -m imagejobs_dev.gallery

# The browser tests drive Debian's chromium (Playwright's own download is not used); a font
# package so that screenshots have text on a bare machine.
browser:  ## Install Debian's chromium for the browser tests, if it is missing
	@command -v chromium >/dev/null || { \
		export DEBIAN_FRONTEND=noninteractive; \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -q && \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core; }

test: lint browser  ## Lint, then every test: unit, LocalStack plugins, end to end, the page in chromium
	cd $(TS) && npm test  # the TypeScript client's unit tests (its e2e test runs in pytest's)
	$(PY) -m pytest

screenshot: setup browser  ## Redraw docs/web-page.png: the page with a finished job, from the stack on LocalStack
	IMAGEJOBS_SCREENSHOT=docs/web-page.png $(PY) -m pytest -q \
		tests/e2e/test_web.py::test_a_prompt_typed_into_the_page_ends_as_its_picture

clean: down  ## Remove build output and local environments
	rm -rf .aws-sam .localstack out $(VENV)

# Benchmarks (README, "Performance"): N jobs at concurrency C end to end on LocalStack;
# FULL=1 also times `make test`; QUOTA jobs (0: none) drain through a model that admits
# QUOTA_RATE requests a minute (the Bedrock stand-in); SOAK Lambda invocations (0: none) watch
# LocalStack's threads and memory. Prints a table; the last line is the JSON file's path.
N ?= 200
C ?= 10
QUOTA ?= 300
QUOTA_RATE ?= 60
SOAK ?= 50000
.PHONY: bench
bench: setup  ## Benchmarks: cold start, warm overhead, render, end to end, quota burst, soak (N=200 C=10 QUOTA=300 QUOTA_RATE=60 SOAK=50000 FULL=1)
	@$(PY) -m tests.perf.bench --jobs $(N) --concurrency $(C) --quota-jobs $(QUOTA) \
		--quota-requests $(QUOTA_RATE) --soak $(SOAK) $(if $(FULL),--full)

# The API's OpenAPI document, generated from the handlers' routes and models (README, "The API").
.PHONY: openapi
openapi: $(VENV)/.installed  ## Regenerate docs/openapi.json from the code (make lint checks it is current)
	$(PY) -m imagejobs_dev.openapi
