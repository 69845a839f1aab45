# Two commands set everything up: `make run` opens the workbench, `make test` runs the suite.
# Both provision libtorch 2.11.0 (scripts/libtorch.sh) and, without a system one, cmake for the
# JPEG-LS codec (scripts/cmake.sh) on first use, into a per-user cache;
# name an existing install with LIBTORCH=/path/to/libtorch. `make test` also fetches the real
# test files and their reference values once (scripts/testdata.sh).
SHELL := /bin/bash
WITH_TOOLS := set -euo pipefail; export LIBTORCH="$$(scripts/libtorch.sh)" CMAKE="$$(scripts/cmake.sh)";

.PHONY: run build test lint bench

run: build
	./target/release/medssl

build:
	$(WITH_TOOLS) cargo build --release --bins

lint:
	cargo fmt --check
	$(WITH_TOOLS) cargo clippy --release --all-targets -- -D warnings

test: lint
	$(WITH_TOOLS) scripts/testdata.sh >/dev/null; cargo test --release

bench:
	$(WITH_TOOLS) cargo bench --bench throughput
