#!/usr/bin/env bash
# Fuzzes every loader target in fuzz/ for SECONDS each (default 600) with cargo fuzz, seeded from
# the real test files of scripts/testdata.sh; FUZZ_TARGETS picks some. Crashes are kept in
# fuzz/artifacts/<target>/: once fixed, copy each into tests/fixtures/hostile/ so
# tests/hostile_inputs.rs keeps it as a regression case. Needs the nightly toolchain; installs
# cargo-fuzz when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
targets=(${FUZZ_TARGETS:-dicom_file dicom_folder nifti raster npz preset_toml})
export LIBTORCH="$(scripts/libtorch.sh)" CMAKE="$(scripts/cmake.sh)"
# cargo fuzz sets its own RUSTFLAGS, so the targets carry no rpath to libtorch.
export LD_LIBRARY_PATH="$LIBTORCH/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
data="$(scripts/testdata.sh)/files"

# Seeds: the real files each loader reads (once; libFuzzer grows the corpus from there).
seed() {
  local target=$1; shift
  local dir="fuzz/corpus/$target"
  [ -d "$dir" ] && return
  mkdir -p "$dir"
  find "$data" -type f -size -200k \( "$@" \) -exec cp -t "$dir" {} + 2>/dev/null || true
}
seed dicom_file -name '*.dcm'
seed dicom_folder -path '*dicomdirtests*'
seed nifti -name '*.nii' -o -name '*.nii.gz'
seed raster -name '*.png' -o -name '*.tif' -o -name '*.jpg'
seed npz -name '*.npz'
mkdir -p fuzz/corpus/preset_toml && cp presets/*.toml fuzz/corpus/preset_toml/

cd fuzz
# No sanitizer: the loaders are safe Rust over C decoders, and what is hunted here is a panic, an
# abort, a hang or an allocation past the ceiling (libFuzzer's -rss_limit_mb and -timeout).
cargo +nightly fuzz build -s none
for target in "${targets[@]}"; do
  echo "== $target: ${seconds}s" >&2
  # 20 s per input and 2 GB for the process, far above the 256 MB ceiling the targets set. Fork
  # mode goes on after a crash, an out-of-memory or a timeout, keeping each in fuzz/artifacts.
  cargo +nightly fuzz run -s none "$target" -- -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 2>&1 |
    grep -E '^#[0-9]+: (cov|DONE)|ERROR|panicked|deadly signal|out-of-memory|Test unit written' | tail -n 40 || true
  ls "artifacts/$target" 2>/dev/null | sed "s|^|== $target kept: |" >&2 || true
done
