#!/usr/bin/env bash
# Prints the path of a libtorch 2.11.0 install, provisioning one on first use.
#
# libtorch comes from PyPI's torch==2.11.0 wheel (the exact version tch 0.24 binds), installed
# once into a per-user cache outside the repository so clean clones and CI reuse it.
# An existing install can be named with LIBTORCH (the directory holding lib/ and include/).
set -euo pipefail

want=2.11.0
if [ -n "${LIBTORCH:-}" ]; then
  [ -f "$LIBTORCH/lib/libtorch_cpu.so" ] || { echo "LIBTORCH=$LIBTORCH has no lib/libtorch_cpu.so" >&2; exit 1; }
  echo "$LIBTORCH"
  exit 0
fi

. "$(dirname "${BASH_SOURCE[0]}")/pip-cache.sh"
site="$(pip_install_once torch "$want" torch/lib/libtorch_cpu.so "; about 4.6 GB")"
echo "$site/torch"
