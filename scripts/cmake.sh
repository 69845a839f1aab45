#!/usr/bin/env bash
# Prints the path of a cmake binary, provisioning one from PyPI on first use.
#
# CharLS (the JPEG-LS codec behind dicom-pixeldata) builds with cmake. A system cmake is used
# when there is one; otherwise PyPI's cmake wheel goes into the same per-user cache as libtorch.
set -euo pipefail

if command -v cmake >/dev/null; then
  command -v cmake
  exit 0
fi
want=3.31.6
cache="${MEDSSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/medssl}"
site="$cache/cmake-$want"
if [ ! -x "$site/cmake/data/bin/cmake" ]; then
  mkdir -p "$cache"
  rm -rf "$site".partial.*
  partial="$site.partial.$$"
  echo "medssl: installing cmake==$want from PyPI into $site (once)" >&2
  python3 -m pip install --quiet --no-cache-dir --disable-pip-version-check \
    --target "$partial" "cmake==$want" >&2
  rm -rf "$site"
  mv "$partial" "$site"
fi
echo "$site/cmake/data/bin/cmake"
