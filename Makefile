# Entry points for people and CI. The scripts in scripts/ do the real work;
# see them for details.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

# A fresh machine may have Go only in its standard location, not on PATH.
export PATH := $(PATH):/usr/local/go/bin

GO ?= go
# Extra arguments: `make run ARGS="--listen :9000"`, `make test ARGS="-run TestX"`.
ARGS ?=

TRANSCODER_CMD := transcoder/cmd/cuttle-transcoder

.PHONY: build run test bench clean

# go.work at the root puts all modules in one workspace, so the packages
# build from here.
build:
	scripts/build-player.sh
	$(GO) build -o bin/cuttle ./server/cmd/cuttle
	@if [ -d $(TRANSCODER_CMD) ]; then \
		echo '$(GO) build -o bin/cuttle-transcoder ./$(TRANSCODER_CMD)'; \
		$(GO) build -o bin/cuttle-transcoder ./$(TRANSCODER_CMD); \
	fi

# The server prints its URL and the admin login when it is up.
run:
	scripts/deps.sh run
	@$(MAKE) --no-print-directory build
	./bin/cuttle serve $(ARGS)

test:
	scripts/test.sh $(ARGS)

# Runs every benchmark script there is, one at a time (they compete for the
# same two cores), and fails at the end if any failed.
bench:
	@shopt -s nullglob; \
	scripts=(scripts/bench/*/run.sh scripts/bench/*.sh); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "no benchmarks yet (scripts/bench/*/run.sh or scripts/bench/*.sh)"; exit 0; fi; \
	failed=(); \
	for s in "$${scripts[@]}"; do \
		echo "== $$s"; \
		bash "$$s" || failed+=("$$s"); \
	done; \
	if [ $${#failed[@]} -ne 0 ]; then echo "failed: $${failed[*]}"; exit 1; fi

# Leaves .cache/ alone: rebuilding versitygw takes a minute and it never
# goes stale (deps.sh checks its version). data/ holds what `make run` stored.
clean:
	rm -rf bin scripts/bench/out
	find . \( -name .git -o -name .cache -o -name node_modules \) -prune -o -type f \
		\( -name '*.test' -o -name 'coverage*.out' -o -name '*.coverprofile' \) -exec rm -f {} +
