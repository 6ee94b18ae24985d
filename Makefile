# Everything a newcomer needs: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# uv installs all three environments (.venv, LocalStack's, checkov's) from one cache of wheels;
# pip re-downloads every wheel on each install.
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
# Python 3.13 is the Lambda runtime's version. The LocalStack tooling is what finds it (pyenv,
# PATH, ...); before .venv exists any python3 can run that (standard library only).
PYTHON313 ?= $(shell PYTHONPATH=$(CURDIR)/infra python3 -m imagejobs_dev.localstack python313 2>/dev/null)

# checkov pins an old boto3 that clashes with the SAM CLI's, so it gets a venv of its own.
CHECKOV_VERSION := 3.3.30
CHECKOV := $(VENV)/tools/checkov/bin/checkov

export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

# The test tiers, one folder of tests/ each (README, "Tests"): `make test-<tier>` runs one.
TIERS := docs logic static integration localstack e2e perf
# make test runs the tests that need LocalStack in one pytest, in order, on one LocalStack and
# one deployed stack; beside it, the tiers that need none on WORKERS pytest-xdist workers (each
# pays pytest's start-up and collection again, so one tier alone runs without them).
WORKERS ?= 2

.PHONY: help setup build up down demo test lint gallery clean browser screenshot $(addprefix test-,$(TIERS))

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'
	@printf "  make %-11s %s\n" "test-TIER" "One tier of tests: $(addprefix test-,$(TIERS))"

# The venv has pip too: `sam build` installs the functions' requirements with the pip of the
# python3.13 on PATH, which is this one.
$(VENV)/.installed: pyproject.toml functions/requirements.txt clients/python/pyproject.toml
	@if [ -z "$(PYTHON313)" ]; then echo "Python 3.13 not found: install it (pyenv install 3.13) or pass PYTHON313=/path/to/python3.13" >&2; exit 1; fi
	$(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip install --quiet --python $(PY) -e '.[dev]' -e ./clients/python  # the SDK, which the imagejobs CLI is built on
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

# The client's types are generated from the API's document, never committed: one source.
TS_SCHEMA := $(TS)/src/schema.ts
$(TS_SCHEMA): docs/openapi.json $(TS_INSTALLED)
	cd $(TS) && npm run --silent generate

$(CHECKOV): | $(VENV)/.installed
	$(UV) venv --quiet --python $(PY) $(VENV)/tools/checkov
	$(UV) pip install --quiet --python $(VENV)/tools/checkov/bin/python checkov==$(CHECKOV_VERSION)

setup: $(VENV)/.installed $(TS_SCHEMA)  ## Create .venv, LocalStack's own venv and the TypeScript client's node_modules (idempotent)
	$(PY) -m imagejobs_dev.localstack install

build: setup  ## sam build, unless the build is current: what make up deploys
	@$(PY) -m imagejobs_dev.stack build

# Deploys what `sam build` wrote, each function's code mounted from its build folder. HOT_RELOAD=1:
# mounted from this clone instead, so an edit in functions/ is live on the next invocation
# (README, "Dev loop"); SAM_DEPLOY=1: with `sam deploy`, as to AWS. Unchanged inputs skip both
# the build and the deploy (imagejobs_dev.stack). Every model is offered; IMAGE_ENGINE=bedrock
# makes a Stability model the default. Bedrock calls go to BEDROCK_ENDPOINT_URL, else to the
# project's stand-in (docs/bedrock.md).
up: setup  ## Start LocalStack (or reuse a running one) and deploy; last line is JSON (HOT_RELOAD=1 SAM_DEPLOY=1 IMAGE_ENGINE=bedrock BEDROCK_ENDPOINT_URL=)
	@$(PY) -m imagejobs_dev.stack up $(if $(HOT_RELOAD),--hot-reload) $(if $(SAM_DEPLOY),--sam-deploy) \
		$(if $(IMAGE_ENGINE),--image-engine $(IMAGE_ENGINE)) \
		$(if $(BEDROCK_ENDPOINT_URL),--bedrock-endpoint-url $(BEDROCK_ENDPOINT_URL))

down:  ## Stop what `make up` started (LocalStack and the Bedrock stand-in)
	@$(PY) -m imagejobs_dev.stack down

demo: up  ## Set up, deploy, generate an image, print where it is and the web page's URL
	@$(VENV)/bin/imagejobs generate "a lighthouse on a cliff above a stormy sea at sunset" \
		--width 768 --height 512 --seed 7 --wait --out out
	@$(PY) -m imagejobs_dev.stack show | $(PY) -c 'import json, sys; s = json.load(sys.stdin); \
		print(f"web page: {s["api_url"]} (open it in a browser; API key: {s["api_key"]})")'

# The checks are independent of each other: they run side by side, each one's output in one
# piece (mypy alone takes as long as the rest together).
LINT_STEPS := $(addprefix lint-,ruff mypy openapi ts imports sam-validate cfn-lint checkov)
lint: setup $(CHECKOV)  ## ruff, mypy, import layers and cycles, docs/openapi.json, the TS client, sam validate --lint, cfn-lint, checkov
	@$(MAKE) --no-print-directory -j3 --output-sync=target $(LINT_STEPS)

.PHONY: $(LINT_STEPS) ts-test
$(LINT_STEPS): setup $(CHECKOV)
lint-ruff:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
lint-mypy:
	$(VENV)/bin/mypy
lint-openapi:
	$(PY) -m imagejobs_dev.openapi --check
lint-ts:
	cd $(TS) && npm run --silent lint  # tsc --noEmit over the types setup generated; prettier
lint-imports:
	$(VENV)/bin/lint-imports --no-logo --no-cache
lint-sam-validate:
	$(VENV)/bin/sam validate --lint
lint-cfn-lint:
	$(VENV)/bin/cfn-lint template.yaml
lint-checkov:
	$(CHECKOV) --file template.yaml --framework cloudformation --compact --quiet --skip-download

$(addprefix test-,$(TIERS)): test-%: setup
	$(PY) -m pytest tests/$*

gallery: $(VENV)/.installed  ## Redraw tests/golden/contact-sheet.png: each style, five prompts
	$(PY) -m imagejobs_dev.gallery

# The browser tests drive Debian's chromium (Playwright's own download is not used); a font
# package so that screenshots have text on a bare machine.
browser:  ## Install Debian's chromium for the browser tests, if it is missing
	@command -v chromium >/dev/null || { \
		export DEBIAN_FRONTEND=noninteractive; \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -q && \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core; }

# apt's chromium install (when missing), sam build (for the e2e tests' make up) and the
# TypeScript client's unit tests (its e2e test runs in pytest's) run beside lint's checks. The
# report of the pytest tests that need no LocalStack follows the other's.
test:  ## Lint, then every test tier: logic, static, integration, localstack, e2e (the page in chromium), perf
	@$(MAKE) --no-print-directory -j3 --output-sync=target $(LINT_STEPS) browser build ts-test
	@log=$$(mktemp); echo "The tests that need no LocalStack run beside; their report follows."; \
	$(PY) -m pytest -n $(WORKERS) --dist loadgroup -m "not localstack" > $$log 2>&1 & beside=$$!; \
	$(PY) -m pytest -m localstack; status=$$?; \
	wait $$beside || status=1; cat $$log; rm -f $$log; exit $$status

ts-test: setup
	cd $(TS) && npm test

SCREENSHOT ?= docs/web-page.png
screenshot: setup browser  ## Redraw docs/web-page.png: the page with a finished edit, from the stack on LocalStack
	IMAGEJOBS_SCREENSHOT=$(SCREENSHOT) $(PY) -m pytest -q \
		tests/e2e/test_web_edits.py::test_a_chosen_photo_with_a_painted_mask_is_erased_there_only

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
