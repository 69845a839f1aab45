# Two commands set everything up: `make run` opens the workbench, `make test` runs the suite.
# Both provision libtorch 2.11.0 on first use (scripts/libtorch.sh) into a per-user cache;
# name an existing install with LIBTORCH=/path/to/libtorch.
SHELL := /bin/bash
WITH_TORCH := set -euo pipefail; export LIBTORCH="$$(scripts/libtorch.sh)";

.PHONY: run build test lint bench

run: build
	./target/release/medssl

build:
	$(WITH_TORCH) cargo build --release --bins

lint:
	cargo fmt --check
	$(WITH_TORCH) cargo clippy --release --all-targets -- -D warnings

test: lint
	$(WITH_TORCH) cargo test --release

bench:
	$(WITH_TORCH) cargo bench --bench throughput
