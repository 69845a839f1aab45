#!/usr/bin/env bash
# Fuzzes every loader target in fuzz/ for SECONDS each (default 600) with cargo fuzz, seeded from
# the real test files of scripts/testdata.sh. A crash stops its target and is left in
# fuzz/artifacts/<target>/: copy it into tests/fixtures/hostile/ so tests/hostile_inputs.rs
# keeps it as a regression case. Needs the nightly toolchain; installs cargo-fuzz when missing.
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
  # 20 s per input; 2 GB for the process and 1 GB for one allocation, far above the 256 MB
  # ceiling the targets set. A crash ends its target only: the next one still runs.
  cargo +nightly fuzz run -s none "$target" -- -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 -print_final_stats=1 2>&1 | grep -E '^(Done|stat::)|ERROR|panicked|deadly signal|out-of-memory|timeout|Test unit written' || echo "== $target: a crash, see fuzz/artifacts/$target" >&2
done
