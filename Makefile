# The commands a person types. The two that matter most:
#   make run    set up and run the whole system (Ctrl-C stops it)
#   make test   run every test against real PostgreSQL, broker and schema registry
SHELL := /bin/bash
STACK := deploy/local/stack.sh
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run up down status logs demo test test-only lint deploy-check images fmt bench chaos chaos-only sqlx-prepare pyenv clean-state

## run: install what is missing, start everything, follow the logs; Ctrl-C stops it all
run:
	@$(STACK) up
	@trap '$(STACK) down' INT TERM EXIT; $(STACK) logs

## up: start everything in the background and wait until healthy
up:
	@$(STACK) up

## down: stop exactly what `make up` started
down:
	@$(STACK) down

status:
	@$(STACK) status

## demo: publish a sample accepted quote (as CPQ would) and follow its order to the end
demo:
	./target/debug/omsctl quote accept --sample fiber-bundle --follow

logs:
	@$(STACK) logs

## test: bring up what the tests need (PostgreSQL, broker, registry, Python venv, Chromium), run every test.
## A stack that was already up is left running; one started here is stopped afterwards.
test:
	@set -euo pipefail; \
	if $(STACK) is-up; then started=false; else started=true; fi; \
	$(STACK) pyenv; \
	$(STACK) up --infra; \
	rc=0; $(MAKE) --no-print-directory test-only || rc=$$?; \
	if $$started; then $(STACK) down; fi; \
	exit $$rc

## test-only: run the tests against a stack that is already up, then a short fault-suite run
test-only: lint deploy-check
	cargo nextest run --workspace --no-fail-fast --profile ci
	$(MAKE) --no-print-directory chaos-only DURATION=$(CI_CHAOS_DURATION)

## chaos: the fault suite (docs/reliability.md): every process killed, paused and restarted
## under load on private infrastructure, then nothing lost or duplicated is checked.
## DURATION=10m for a long run (at least one round of every fault runs), SEED=n to replay.
DURATION ?= 60s
CI_CHAOS_DURATION ?= 30s
chaos:
	@$(STACK) up --infra
	@$(MAKE) --no-print-directory chaos-only

chaos-only:
	cargo build --bins --quiet
	./target/debug/oms-chaos --duration $(DURATION) $(if $(SEED),--seed $(SEED))

## bench: bring up the stack's infrastructure, build release binaries and print every
## benchmark's figures as `name: value` lines (docs/performance.md explains them)
bench:
	@$(STACK) up --infra
	cargo build --release -q --bins
	./target/release/oms-bench messaging
	./target/release/oms-bench capture
	./target/release/oms-bench pipeline

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings

## deploy-check: without a cluster, render every Kubernetes overlay and validate it against the
## Kubernetes and operator schemas, check the topics generated from deploy/topics.conf, lint the
## Dockerfile (docs/deployment.md, "Checks")
deploy-check:
	@$(STACK) pyenv
	cd deploy/kubernetes && ../../.state/venv/bin/python -m unittest --quiet test_manifests
	.state/venv/bin/python deploy/kubernetes/manifests.py check

## images: build every container image (needs Docker with BuildKit; not available in CI here)
IMAGE_REGISTRY ?= oms
IMAGE_TAG ?= $(shell git rev-parse --short HEAD)
images:
	@for target in order-capture decomposition fulfillment asset projections relay omsctl; do \
	  docker build --target $$target -t $(IMAGE_REGISTRY)/$$target:$(IMAGE_TAG) . || exit 1; done

fmt:
	cargo fmt --all

pyenv:
	@$(STACK) pyenv

## sqlx-prepare: regenerate the committed compile-time query data of every crate using sqlx macros
sqlx-prepare:
	@for pair in $$(cat deploy/local/sqlx-crates.conf | grep -v '^#'); do \
	  deploy/local/sqlx-prepare.sh $${pair%%=*} $${pair##*=}; done

clean-state: down
	rm -rf .state
