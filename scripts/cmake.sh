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
. "$(dirname "${BASH_SOURCE[0]}")/pip-cache.sh"
site="$(pip_install_once cmake 3.31.6 cmake/data/bin/cmake)"
echo "$site/cmake/data/bin/cmake"
