#!/usr/bin/env bash
# Prints the path of the real-file test data for tests/io_real_files.rs, provisioning it on first use.
#
# The files are the test data that pinned PyPI wheels ship (pydicom, nibabel, scikit-image); the
# reference values come from scripts/reference_values.py, run in a pinned Python environment of
# its own (pydicom with its JPEG, JPEG-LS, JPEG 2000 and RLE decoders, nibabel, Pillow, pypng). All of
# it goes into the per-user cache, outside the repository, once: the tree is built again when this
# script changes, the references when scripts/reference_values.py does. Later runs take a blink.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${MEDSSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/medssl}"
site="$cache/testdata-v1"
pip=(python3 -m pip --quiet --no-cache-dir --disable-pip-version-check)

# Every package pinned, dependencies included, so the references never drift.
data_wheels=(pydicom==3.0.2 nibabel==5.4.2)
image_wheel=scikit-image==0.26.0
reference_env=(
  pydicom==3.0.2 nibabel==5.4.2 numpy==2.4.6 pillow==13.0.0 pypng==0.20220715.0
  pylibjpeg==2.1.0 pylibjpeg-libjpeg==2.5.0 pylibjpeg-openjpeg==2.6.0 pylibjpeg-rle==2.2.0
  packaging==26.3 importlib_resources==7.1.0 typing_extensions==4.16.0
)

# The tree records the SHA-256 of the script that built it: a new pin or unpacking rule rebuilds it.
built_by="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
if [ "$(cat "$site/complete" 2>/dev/null)" != "$built_by" ]; then
  mkdir -p "$cache"
  # Leftovers of interrupted runs are never used; clear them before trying again.
  rm -rf "$site".partial.*
  partial="$site.partial.$$"
  echo "medssl: fetching test data and a reference Python environment into $site (once; about 400 MB)" >&2
  "${pip[@]}" download --no-deps --dest "$partial/wheels" "${data_wheels[@]}" >&2
  # scikit-image is compiled: any CPython 3.11 manylinux wheel carries the same images.
  "${pip[@]}" download --no-deps --dest "$partial/wheels" --only-binary=:all: --python-version 3.11 \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_24_x86_64 --platform manylinux2014_x86_64 \
    "$image_wheel" >&2
  "${pip[@]}" install --no-deps --target "$partial/pyenv" "${reference_env[@]}" >&2
  python3 - "$partial" <<'EOF'
import fnmatch, gzip, pathlib, shutil, sys, zipfile

root = pathlib.Path(sys.argv[1])
wanted = {
    "pydicom-": ["pydicom/data/test_files/*"],
    "nibabel-": ["nibabel/tests/data/*", "nibabel/nicom/tests/data/*"],
    "scikit_image-": ["skimage/data/*"],
}
for wheel in sorted((root / "wheels").glob("*.whl")):
    patterns = next(p for prefix, p in wanted.items() if wheel.name.startswith(prefix))
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/") and any(fnmatch.fnmatch(n, p) for p in patterns)]
        archive.extractall(root / "files", names)
# Gzipped DICOM files (DICM at byte 128 once unpacked) are DICOM files too: test unpacked copies.
for packed in sorted((root / "files").rglob("*.gz")):
    with gzip.open(packed) as src:
        if src.read(132)[128:] != b"DICM":
            continue
    rel = packed.relative_to(root / "files")
    target = root / "files" / "gunzipped" / rel.with_suffix("")
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(packed) as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
EOF
  echo "$built_by" >"$partial/complete"
  # Rename only a complete tree, so an interrupted one is never mistaken for a good one.
  rm -rf "$site"
  mv "$partial" "$site"
fi

# The references belong to the script that computed them: compute them again when it changes.
stamp="$(sha256sum "$here/reference_values.py" | cut -d' ' -f1)"
if [ "$(cat "$site/reference/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$site"/reference.partial.*
  echo "medssl: computing reference values into $site/reference" >&2
  PYTHONPATH="$site/pyenv" PYTHONNOUSERSITE=1 python3 "$here/reference_values.py" "$site" >&2
fi
echo "$site"
