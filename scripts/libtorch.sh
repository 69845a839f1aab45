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

cache="${MEDSSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/medssl}"
site="$cache/torch-$want"
if [ ! -f "$site/torch/lib/libtorch_cpu.so" ]; then
  mkdir -p "$cache"
  # Leftovers of interrupted installs are never used; clear them before trying again.
  rm -rf "$site".partial.*
  partial="$site.partial.$$"
  echo "medssl: installing torch==$want from PyPI into $site (once; about 4.6 GB)" >&2
  python3 -m pip install --quiet --no-cache-dir --disable-pip-version-check \
    --target "$partial" "torch==$want" >&2
  # Rename only a complete install, so an interrupted one is never mistaken for a good one.
  rm -rf "$site"
  mv "$partial" "$site"
fi
echo "$site/torch"
