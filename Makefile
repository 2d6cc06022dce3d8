# scs-cert-operator entry points. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
CLUSTER_DIR ?= $(CURDIR)/.cluster
CP := e2e/control-plane
# PATH with the locally built kubectl/helm/etcd/kube-apiserver (after `make tools`).
TOOLS_ENV = eval "$$(bash $(CP)/build-tools.sh --print-env)"

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the scs-cert binary (debug)
	$(CARGO) build

.PHONY: tools
tools: ## Build etcd, kube-apiserver, kubectl and helm from Go sources (cached per version)
	bash $(CP)/build-tools.sh

.PHONY: crds
crds: ## Regenerate crds/ from the code, and its copies in the chart and config/crd (commit the result)
	$(CARGO) run --quiet -- crds --output-dir crds
	cp crds/*.yaml charts/scs-cert-operator/files/crds/
	cp crds/*.yaml config/crd/bases/

.PHONY: fmt
fmt: ## Format the code
	$(CARGO) fmt

.PHONY: lint
lint: ## rustfmt check and clippy with warnings denied
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --features e2e -- -D warnings

.PHONY: unit
unit: ## Unit, property, compatibility and CLI tests (no cluster needed)
	$(CARGO) test

.PHONY: e2e
e2e: tools ## End-to-end tests against a real kube-apiserver (started and stopped here)
	$(TOOLS_ENV); bash $(CP)/with-cluster.sh $(CARGO) test --features e2e --test e2e

.PHONY: test
test: unit e2e ## Everything CI runs: unit + e2e

.PHONY: cluster-up
cluster-up: tools ## Start a local control plane in .cluster/ (prints the KUBECONFIG export)
	bash $(CP)/start.sh $(CLUSTER_DIR)
	@echo "export KUBECONFIG=$(CLUSTER_DIR)/kubeconfig"

.PHONY: cluster-down
cluster-down: ## Stop the local control plane of .cluster/
	bash $(CP)/stop.sh $(CLUSTER_DIR)

# --- make run (issue 10): the whole product on this machine ---
RUN_ARGS ?=

.PHONY: run
run: ## The whole product locally: control plane, CRDs, operator, Job executor, demo; listing on http://127.0.0.1:8080/ (Ctrl-C stops)
	bash hack/run.sh $(RUN_ARGS)
# --- end make run ---

# --- install (issue 9): static binary, Helm deploy ---
DEPLOY_RELEASE ?= scs-cert-operator
DEPLOY_NAMESPACE ?= scs-cert-system
HELM_ARGS ?=

.PHONY: release-binary
release-binary: ## Static scs-cert (musl, else static glibc) in target/release-binary/ (minutes; not in `make test`)
	bash hack/release-binary.sh

.PHONY: release-binary-test
release-binary-test: release-binary tools ## Build the static binary and test it (version, crds, operator on a local control plane)
	$(TOOLS_ENV); SCS_RELEASE_BINARY_REQUIRED=1 bash $(CP)/with-cluster.sh $(CARGO) test --test release_binary

.PHONY: deploy
deploy: ## Helm install/upgrade into the current kubeconfig's cluster (DEPLOY_NAMESPACE, DEPLOY_RELEASE, HELM_ARGS)
	command -v helm >/dev/null 2>&1 || $(TOOLS_ENV); \
	helm upgrade --install $(DEPLOY_RELEASE) charts/scs-cert-operator \
	  --namespace $(DEPLOY_NAMESPACE) --create-namespace $(HELM_ARGS)
# --- end install ---

.PHONY: bench-evaluate
bench-evaluate: ## Benchmark: evaluate 10,000 subjects against the upstream IaaS spec
	$(CARGO) run --release --example bench_evaluate
