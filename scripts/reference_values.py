#!/usr/bin/env python3
"""Reference values for the real-file IO tests (tests/io_real_files.rs).

Usage: reference_values.py CACHE_DIR

CACHE_DIR is the test-data cache made by scripts/testdata.sh: the wheels' data unpacked under
files/, gzipped DICOM files unpacked under files/gunzipped/. This script decodes every test file
with the libraries the field trusts (pydicom, nibabel, Pillow; pypng where Pillow drops bits), independently of our Rust code, and
writes CACHE_DIR/reference/: manifest.json, one raw little-endian f32 file per loadable image under
values/, and stamp (the SHA-256 of this script, so testdata.sh knows when to run it again).

Every reference is in our Volume layout (src/io/volume.rs): dims [nx, ny, nz] = columns, rows,
slices/frames; x fastest, then y, then z, channels interleaved. That is the memory order of
pydicom's (frames, rows, cols[, samples]) C-order array and of nibabel's (x, y, z) array in
Fortran order, so no value is moved. Values are computed in float64 and rounded to f32 once.

Each manifest entry has an outcome:
  image                  loads; shape and values must match exactly (see "tolerance")
  lossy                  loads; values within the stated tolerance (lossy JPEG, JPEG 2000 9/7)
  no_image               holds no pixel data: the loader must fail with a clear error
  malformed              pydicom/nibabel refuse it on purpose: the loader must fail clearly
  not_a_volume           nibabel reads it, but as a matrix, not a voxel grid (CIFTI-2)
  reference_unavailable  no reference decoder reads the pixels: the loader may load it (shape
                         must match the header) or fail naming the transfer syntax / the reason
Entries that must fail carry "error_mentions": the message must contain one of these (compared
case-insensitively on letters and digits only), so "not built yet" or a bare path never passes.
"""
import hashlib
import json
import os
import shutil
import struct
import sys
import traceback
import warnings
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
from PIL import Image
from pydicom.encaps import generate_frames
from pydicom.pixels import apply_color_lut, apply_modality_lut, get_decoder

EXACT = {"abs": 0.0, "rel": 0.0, "why": "lossless: every value must match exactly"}

# Lossy streams: how far our decoder may be from the reference, in stored units, as the largest
# difference ("abs") and the mean one ("mean_abs", which catches a bias the largest would allow).
# Measured on these files (each lossy entry also records "decoder_spread" against the other
# decoders pydicom has): 8-bit JPEG, libjpeg vs libjpeg-turbo up to 6 (rocket.jpg); the Rust
# decoders our loaders use (jpeg-decoder in dicom-pixeldata, zune-jpeg in image) up to 4 from the
# reference, with a mean below 0.13. JPEG 2000 9/7: OpenJPEG and its Rust port openjp2 agree
# exactly; 1 lets another decoder round the floating-point synthesis the other way. JPEG-LS
# near-lossless: CharLS and libjpeg agree exactly, as ITU T.87 requires of every decoder.
JPEG_TOLERANCE = {
    "abs": 6.0, "rel": 0.0, "mean_abs": 0.5,
    "why": "lossy JPEG: ITU T.81 leaves the IDCT, chroma upsampling and YCbCr->RGB rounding to the decoder; "
    "independent decoders differ by up to 6 (libjpeg vs libjpeg-turbo), with a mean below 0.15",
}
JPEG2000_IRREVERSIBLE_TOLERANCE = {
    "abs": 1.0, "rel": 0.0, "mean_abs": 0.5,
    "why": "JPEG 2000 9/7 irreversible wavelet: floating-point synthesis may round the other way "
    "(OpenJPEG and openjp2 agree exactly on these files)",
}
JPEG_LS_NEAR_LOSSLESS_TOLERANCE = {
    "abs": 0.0, "rel": 0.0,
    "why": "JPEG-LS near-lossless: decoding is exact integer arithmetic (ITU T.87), the same in every decoder",
}

DICOM_MAGIC_OFFSET = 128
LOSSY_JPEG_SYNTAXES = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"}
NEAR_LOSSLESS_JPEG_LS = "1.2.840.10008.1.2.4.81"
JPEG2000_ANY = "1.2.840.10008.1.2.4.91"
# Short names a loader's message may use instead of the full transfer syntax name.
SYNTAX_FAMILIES = {
    "1.2.840.10008.1.2.4.50": "JPEG Baseline",
    "1.2.840.10008.1.2.4.51": "JPEG Extended",
    "1.2.840.10008.1.2.4.90": "JPEG 2000",
    "1.2.840.10008.1.2.4.91": "JPEG 2000",
}

# Files in the wheels' test-data folders that are not images of the formats under test.
NOT_IMAGES = {
    ".txt": "text (README)",
    ".rst": "text (README)",
    ".json": "DICOM JSON model, not a DICOM file",
    ".dump": "text dump of a dataset",
    ".icc": "ICC colour profile",
    ".py": "Python source",
    ".pyi": "Python type stubs",
    ".m": "MATLAB source",
    ".xml": "XML (OpenCV cascade)",
    ".bin": "raw Siemens CSA header bytes",
    ".gitignore": "git metadata",
}
OTHER_FORMATS = {
    ".par": "Philips PAR/REC header (not NIfTI or DICOM)",
    ".rec": "Philips PAR/REC data (not NIfTI or DICOM)",
    ".mnc": "MINC (not NIfTI or DICOM)",
    ".mgz": "FreeSurfer MGH (not NIfTI or DICOM)",
    ".head": "AFNI BRIK header (not NIfTI or DICOM)",
    ".brik": "AFNI BRIK data (not NIfTI or DICOM)",
    ".trk": "TrackVis streamlines (not an image)",
    ".tck": "MRtrix streamlines (not an image)",
    ".v": "ECAT PET (not NIfTI or DICOM)",
    ".gif": "GIF: not a raster format the workbench reads (PNG, JPEG, TIFF)",
    ".npy": "bare NumPy array, not a MedMNIST-style .npz",
    ".npz": "stereo disparity arrays, not a MedMNIST-style .npz (no train_images)",
}
GZIPPED_DICOM = "gzip archive of a DICOM file: tested as its unpacked copy under files/gunzipped/"
RASTER_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
# Pillow modes and the channels a Volume keeps (alpha dropped).
RASTER_CHANNELS = {"L": 1, "I;16": 1, "I;16B": 1, "I;16L": 1, "I": 1, "F": 1, "LA": 1, "RGB": 3, "RGBA": 3}


def main(cache: Path) -> None:
    warnings.simplefilter("ignore")
    # Written aside and renamed when complete, so an interrupted run never leaves a partial set.
    out = cache / f"reference.partial.{os.getpid()}"
    (out / "values").mkdir(parents=True)
    entries, skipped = [], []
    for path, kind in candidates(cache / "files", skipped):
        rel = path.relative_to(cache).as_posix()
        try:
            made = {"dicom": dicom_entries, "nifti": nifti_entries, "raster": raster_entries}[kind](path)
        except Exception:
            sys.exit(f"reference_values.py: unexpected failure on {rel}:\n{traceback.format_exc()}")
        for entry in made:
            values = entry.pop("values", None)
            entry = {"path": rel, "kind": kind, **entry}
            if "error" in entry:
                entry["error"] = entry["error"].replace(f"{cache}/", "")
            if values is not None:
                entry["reference"] = write_values(out, rel, entry.get("volume"), values)
            entries.append(entry)
    manifest = {
        "format": 1,
        "layout": "dims [nx, ny, nz] (columns, rows, slices); x fastest, then y, then z; "
        "channels interleaved; values little-endian f32",
        "generated_by": versions(),
        "entries": entries,
        "skipped": skipped,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, allow_nan=False) + "\n")
    (out / "stamp").write_text(hashlib.sha256(Path(__file__).read_bytes()).hexdigest() + "\n")
    shutil.rmtree(cache / "reference", ignore_errors=True)
    out.rename(cache / "reference")
    counts = {}
    for e in entries:
        counts[(e["kind"], e["outcome"])] = counts.get((e["kind"], e["outcome"]), 0) + 1
    summary = ", ".join(f"{kind} {outcome}: {n}" for (kind, outcome), n in sorted(counts.items()))
    print(f"reference_values.py: {len(entries)} entries ({summary}); {len(skipped)} files skipped", file=sys.stderr)


def versions() -> dict:
    from importlib.metadata import version

    names = ["pydicom", "nibabel", "numpy", "pillow", "pypng", "pylibjpeg", "pylibjpeg-libjpeg",
             "pylibjpeg-openjpeg", "pylibjpeg-rle"]
    return {name: version(name) for name in names}


def write_values(out: Path, rel: str, volume, values: np.ndarray) -> str:
    name = rel + (f".vol{volume}" if volume is not None else "") + ".f32"
    target = out / "values" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(np.ascontiguousarray(values, dtype="<f4").tobytes())
    return f"reference/values/{name}"


def failure(outcome: str, error: str, mentions: list) -> dict:
    return {"outcome": outcome, "error": error, "error_mentions": mentions}


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def value_range(values: np.ndarray) -> dict:
    """Smallest and largest finite value, and how many are not finite (NaN must load as NaN)."""
    as_f32 = values.astype(np.float32)
    finite = as_f32[np.isfinite(as_f32)]
    out = {"min": float(finite.min()), "max": float(finite.max())} if finite.size else {}
    if finite.size < as_f32.size:
        out["non_finite"] = int(as_f32.size - finite.size)
    return out


# ---------------------------------------------------------------------------------------------
# Which files are tested


def candidates(files: Path, skipped: list):
    """Yields (path, kind) for every file under test; every other file goes to `skipped`, with why."""
    def skip(path, why):
        if why is None:
            sys.exit(f"reference_values.py: no rule for {path}: say whether it is under test")
        skipped.append({"path": path.relative_to(files.parent).as_posix(), "why": why})

    def gunzipped(path):
        return (files / "gunzipped" / path.relative_to(files).with_suffix("")).exists()

    for path in walk(files / "pydicom" / "data" / "test_files"):
        suffix = path.suffix.lower()
        if gunzipped(path):
            skip(path, GZIPPED_DICOM)
        elif suffix in NOT_IMAGES:
            skip(path, NOT_IMAGES[suffix])
        elif suffix == ".dcm" or has_dicom_magic(path):
            yield path, "dicom"
        else:
            skip(path, "no .dcm extension and no DICM magic at byte 128 (a text README)")
    for folder in [files / "nibabel" / "tests" / "data", files / "nibabel" / "nicom" / "tests" / "data"]:
        for path in walk(folder):
            name = path.name.lower()
            if gunzipped(path):
                skip(path, GZIPPED_DICOM)
            elif name.endswith(".dcm"):
                yield path, "dicom"
            elif name.endswith((".nii", ".nii.gz", ".hdr")):
                yield path, "nifti"
            elif name.endswith(".img"):
                skip(path, "NIfTI/Analyze pair image: tested through its .hdr")
            else:
                suffix = Path(name.removesuffix(".gz")).suffix or name
                skip(path, OTHER_FORMATS.get(suffix) or NOT_IMAGES.get(suffix))
    for path in walk(files / "gunzipped"):
        yield path, "dicom"
    for path in walk(files / "skimage" / "data"):
        suffix = path.suffix.lower()
        if suffix in RASTER_SUFFIXES:
            yield path, "raster"
        else:
            skip(path, OTHER_FORMATS.get(suffix) or NOT_IMAGES.get(suffix))


def walk(folder: Path) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def has_dicom_magic(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(DICOM_MAGIC_OFFSET + 4)[DICOM_MAGIC_OFFSET:] == b"DICM"


# ---------------------------------------------------------------------------------------------
# DICOM


def dicom_entries(path: Path) -> list:
    part10 = has_dicom_magic(path)
    entry = {"part10": part10}
    if not part10:
        entry["note"] = "no DICOM preamble or File Meta Information: pydicom reads it only with force=True"
    try:
        ds = pydicom.dcmread(path, force=not part10)
    except Exception as e:
        return [{**entry, **failure("malformed", describe(e), ["dicom"])}]
    syntax = ds.get("file_meta", {}).get("TransferSyntaxUID")
    if syntax is not None:
        entry["transfer_syntax"] = {"uid": str(syntax), "name": syntax.name}
    if not any(tag in ds for tag in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        sop = ds.get("SOPClassUID")
        what = sop.name if sop is not None else "no SOP Class UID"
        # A loader may also stop earlier, at a data set it cannot parse (a truncated file, a
        # private UN sequence): clear too, if it says so. Without File Meta Information it may
        # refuse the file as not DICOM at all.
        mentions = ["pixel", "image", "cannot be read", "cannot read", "could not read", "cannot parse"]
        mentions += [] if part10 else ["not a dicom", "not a readable dicom", "dicm", "preamble", "meta"]
        return [{**entry, **failure("no_image", f"no Pixel Data element ({what})", mentions)}]
    entry["declared"] = declared_geometry(ds)
    try:
        stored = ds.pixel_array
    except Exception as e:
        if is_decoder_failure(e):
            names = [str(syntax), syntax.name, SYNTAX_FAMILIES.get(str(syntax), syntax.name)]
            return [{**entry, **failure("reference_unavailable", describe(e), names)}]
        return [{**entry, **failure("malformed", describe(e), malformed_mentions(str(e)))}]
    photometric = str(ds.get("PhotometricInterpretation", ""))
    values = displayed_values(ds, stored, photometric)
    channels = 3 if photometric == "PALETTE COLOR" else int(ds.get("SamplesPerPixel", 1))
    rows, columns = values.shape[-3:-1] if channels > 1 else values.shape[-2:]
    values = values.reshape(-1, rows, columns, channels)
    entry.update({
        "shape": [columns, rows, values.shape[0]],
        "channels": channels,
        "photometric": photometric,
        "inverted": photometric == "MONOCHROME1",
        **in_plane_geometry(ds),
        **tolerance_for(ds, path, stored, values),
        **value_range(values),
        "values": values,
    })
    return [entry]


def displayed_values(ds, stored: np.ndarray, photometric: str) -> np.ndarray:
    """What a Volume holds: RGB for colour (pydicom converts YBR on decode), the palette's RGB for
    PALETTE COLOR, and the modality LUT's output (Hounsfield units for CT) for grey. MONOCHROME1
    keeps the file's values (the Volume flags it inverted)."""
    if photometric == "PALETTE COLOR":
        return apply_color_lut(stored, ds).astype(np.float64)
    if int(ds.get("SamplesPerPixel", 1)) == 1:
        return np.asarray(apply_modality_lut(stored, ds), dtype=np.float64)
    return stored.astype(np.float64)


def declared_geometry(ds) -> dict:
    """The shape the header declares, for files no reference decoder reads: a loader that
    decodes them must at least agree on it."""
    try:
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except ValueError:
        frames = None
    return {"columns": ds.get("Columns"), "rows": ds.get("Rows"), "frames": frames,
            "samples": ds.get("SamplesPerPixel")}


def in_plane_geometry(ds) -> dict:
    """In-plane spacing and the orientation letters of the row and column directions, from the
    top-level PixelSpacing and ImageOrientationPatient (LPS turned into RAS, as a Volume holds)."""
    out = {}
    spacing = ds.get("PixelSpacing")
    if spacing is not None and len(spacing) == 2:
        # PixelSpacing is (between rows, between columns): x steps along a row.
        out["pixel_spacing_xy"] = [float(spacing[1]), float(spacing[0])]
    orientation = ds.get("ImageOrientationPatient")
    if orientation is not None and len(orientation) == 6:
        lps_to_ras = np.array([-1.0, -1.0, 1.0])
        row = np.array([float(v) for v in orientation[:3]]) * lps_to_ras
        column = np.array([float(v) for v in orientation[3:]]) * lps_to_ras
        affine = np.eye(4)
        affine[:3, 0], affine[:3, 1], affine[:3, 2] = row, column, np.cross(row, column)
        out["axis_codes_xy"] = "".join(nib.aff2axcodes(affine)[:2])
    return out


def is_decoder_failure(error: Exception) -> bool:
    """pydicom's decoders failed on the compressed stream, as opposed to the dataset itself being
    inconsistent (too little pixel data, missing or invalid Image Pixel elements)."""
    text = str(error)
    return "raised by all available plugins" in text or "missing dependencies" in text


def malformed_mentions(pydicom_error: str) -> list:
    """What a clear message about the same defect names, whatever words the loader uses."""
    rules = [
        ("less than expected", ["truncat", "expected", "short", "length", "end of", "eof", "bytes"]),
        ("invalid literal for int", ["frames", "1A"]),
        ("Transfer Syntax UID", ["transfer syntax"]),
        ("Missing required element", ["missing", "required", "absent", "rows", "columns", "bits allocated"]),
    ]
    for pattern, mentions in rules:
        if pattern in pydicom_error:
            return mentions
    sys.exit(f"reference_values.py: no rule for pydicom error {pydicom_error!r}: say what a clear message names")


def tolerance_for(ds, path: Path, stored: np.ndarray, values: np.ndarray) -> dict:
    uid = str(ds.file_meta.TransferSyntaxUID)
    if uid in LOSSY_JPEG_SYNTAXES:
        tolerance = JPEG_TOLERANCE
    elif uid == NEAR_LOSSLESS_JPEG_LS:
        tolerance = JPEG_LS_NEAR_LOSSLESS_TOLERANCE
    elif uid == JPEG2000_ANY and jpeg2000_is_irreversible(ds):
        tolerance = JPEG2000_IRREVERSIBLE_TOLERANCE
    else:
        return {"outcome": "image", "tolerance": rescale_tolerance(ds, stored, values)}
    return {"outcome": "lossy", "tolerance": tolerance, "decoder_spread": decoder_spread(path, uid, stored)}


def rescale_tolerance(ds, stored: np.ndarray, values: np.ndarray) -> dict:
    """Exact, unless a fractional RescaleSlope/Intercept makes f32 and f64 arithmetic round
    differently: then 2 f32 ulps, after measuring the gap between the two."""
    if "RescaleSlope" not in ds or "RescaleIntercept" not in ds or ds.get("ModalityLUTSequence"):
        return EXACT
    in_f32 = stored.astype(np.float32) * np.float32(ds.RescaleSlope) + np.float32(ds.RescaleIntercept)
    reference = values.reshape(in_f32.shape).astype(np.float32).astype(np.float64)
    gap = np.abs(in_f32.astype(np.float64) - reference) / np.maximum(np.abs(reference), 1e-30)
    worst = float(gap.max()) if gap.size else 0.0
    if worst == 0.0:
        return EXACT
    return {
        "abs": 0.0,
        "rel": 2.5e-7,
        "why": f"RescaleSlope {ds.RescaleSlope}, RescaleIntercept {ds.RescaleIntercept}: f32 arithmetic differs "
        f"from the f64 reference by up to {worst:.2e} relative (measured); 2.5e-7 is 2 f32 ulps",
    }


def decoder_spread(path: Path, uid: str, reference: np.ndarray) -> dict:
    """The largest difference between the reference and each of pydicom's decoding plugins
    (libjpeg through pylibjpeg, libjpeg-turbo through Pillow, OpenJPEG through both)."""
    decoder = get_decoder(uid)
    spread = {}
    for plugin in sorted(decoder.available_plugins):
        try:
            other, _ = decoder.as_array(pydicom.dcmread(path), decoding_plugin=plugin)
        except Exception as e:
            spread[plugin] = f"cannot decode: {describe(e)[:160]}"
            continue
        spread[plugin] = max_difference(other, reference)
    return spread


def max_difference(a: np.ndarray, b: np.ndarray):
    if a.shape != b.shape:
        return f"shape {list(a.shape)} vs {list(b.shape)}"
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())


def jpeg2000_is_irreversible(ds) -> bool:
    """Whether the first frame's codestream uses the 9/7 irreversible wavelet (COD marker,
    ITU T.800 A.6.1: the transformation byte is 0 for 9/7, 1 for the lossless 5/3)."""
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    stream = next(generate_frames(ds.PixelData, number_of_frames=frames))
    start = stream.find(b"\xff\x4f\xff\x51")
    cod = stream.find(b"\xff\x52", start)
    if start < 0 or cod < 0:
        raise ValueError("no JPEG 2000 SOC/SIZ/COD markers in the first frame")
    # marker (2), Lcod (2), Scod (1), SGcod (4), then SPcod: levels, xcb, ycb, style, transform.
    return stream[cod + 13] == 0


# ---------------------------------------------------------------------------------------------
# NIfTI and Analyze


def nifti_entries(path: Path) -> list:
    try:
        img = nib.load(path)
    except Exception as e:
        return [failure("malformed", describe(e), ["nifti", "header"])]
    if isinstance(img, nib.Cifti2Image):
        # A NIfTI-2 file with a CIFTI intent: nibabel reads it as a matrix over brain models.
        header = nib.Nifti2Image.from_filename(path).header
        shape = [int(n) for n in header.get_data_shape()]
        error = (f"CIFTI-2 (NIfTI-2 intent code {int(header['intent_code'])}), {len(shape)} dimensions "
                 f"{shape}: a matrix over brain models, not a 3D or 4D voxel grid")
        return [{"format": "Cifti2Image", "nifti_shape": shape,
                 **failure("not_a_volume", error, ["dimension", "cifti", "intent", "not a 3d"])}]
    header = img.header
    shape = [int(n) for n in header.get_data_shape()]
    entry = {"format": type(img).__name__, "datatype": str(header.get_data_dtype()), "nifti_shape": shape}
    try:
        data = np.asarray(img.get_fdata(dtype=np.float32))
    except FileNotFoundError as e:
        mentions = [".img", "no such file", "not found", "missing", "cannot open", "does not exist"]
        return [{**entry, **failure("no_image", describe(e), mentions)}]
    if data.ndim > 4:
        return [{**entry, **failure("not_a_volume", f"{data.ndim} dimensions", ["dimension"])}]
    grid = data.reshape(shape[:3] + [1] * (3 - len(shape)) + [-1], order="F")
    volumes = grid.shape[3]
    affine = np.asarray(img.affine, dtype=np.float64)
    entry.update({
        "outcome": "image",
        "shape": list(grid.shape[:3]),
        "channels": 1,
        "volumes": volumes,
        "axis_codes": "".join(nib.aff2axcodes(affine)),
        "zooms": [float(z) for z in header.get_zooms()[:3]],
        "affine": affine.tolist(),
        "tolerance": EXACT,
    })
    # The Volume holds one 3D volume of a 4D file: check the first and the last.
    picked = [0, volumes - 1] if volumes > 1 else [None]
    return [{**entry, "volume": index, **value_range(grid[..., index or 0]),
             "values": np.ravel(grid[..., index or 0], order="F")} for index in picked]


# ---------------------------------------------------------------------------------------------
# Rasters


def raster_entries(path: Path) -> list:
    try:
        img = Image.open(path)
        img.load()
    except Exception as e:
        mentions = ["planar", "tiff", "support", "decode"]
        return [{"declared": tiff_declared_geometry(path), **failure("reference_unavailable", describe(e), mentions)}]
    mode = img.mode
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif mode == "1":
        img = img.convert("L")
    if img.mode not in RASTER_CHANNELS:
        sys.exit(f"reference_values.py: no rule for Pillow mode {img.mode} of {path}")
    pixels = np.asarray(img)
    pixels = (pixels[:, :, None] if pixels.ndim == 2 else pixels)[:, :, : RASTER_CHANNELS[img.mode]]
    entry = {}
    if path.suffix.lower() == ".png" and png_bit_depth(path) == 16 and pixels.shape[2] == 3:
        pixels = png_16bit_colour(path, pixels)
        entry["note"] = "16-bit colour PNG: Pillow keeps 8 bits; the reference is pypng's, whose high bytes are Pillow's"
    entry.update({
        "mode": mode,
        "shape": [img.width, img.height, 1],
        "channels": pixels.shape[2],
        **value_range(pixels),
        "values": pixels.astype(np.float64),
    })
    if getattr(img, "n_frames", 1) > 1:
        entry["note"] = f"{img.n_frames} pages: the reference is the first"
    if path.suffix.lower() in (".jpg", ".jpeg"):
        return [{"outcome": "lossy", "tolerance": JPEG_TOLERANCE, "decoder_spread": raster_decoder_spread(path, pixels),
                 **entry}]
    return [{"outcome": "image", "tolerance": EXACT, **entry}]


def png_bit_depth(path: Path) -> int:
    """The bit depth in the IHDR chunk, which PNG puts first (bytes 16..29 of the file)."""
    with open(path, "rb") as f:
        return f.read(25)[24]


def png_16bit_colour(path: Path, pillow_8bit: np.ndarray) -> np.ndarray:
    """All 16 bits of a colour PNG, through pypng; checked against Pillow, which keeps the high byte."""
    import png

    width, height, rows, info = png.Reader(filename=str(path)).asDirect()
    planes = info["planes"]
    pixels = np.vstack([np.asarray(row, dtype=np.uint16) for row in rows]).reshape(height, width, planes)[:, :, :3]
    if not np.array_equal(pixels >> 8, pillow_8bit):
        sys.exit(f"reference_values.py: pypng and Pillow disagree on {path}")
    return pixels


def raster_decoder_spread(path: Path, reference: np.ndarray) -> dict:
    """Pillow (libjpeg-turbo) against libjpeg (pylibjpeg-libjpeg) on the same JPEG file."""
    from libjpeg import decode

    # JFIF stores YCbCr: transform 1 converts it back to RGB, as Pillow does.
    other = decode(path.read_bytes(), colour_transform=1)
    other = other[:, :, None] if other.ndim == 2 else other
    return {"libjpeg": max_difference(other, reference)}


def tiff_declared_geometry(path: Path) -> dict:
    """Width, height and sample layout from the first TIFF IFD (TIFF 6.0 section 2), for a TIFF
    Pillow cannot decode: a loader that decodes it must agree on the shape."""
    data = path.read_bytes()
    if data[:2] not in (b"II", b"MM"):
        return {}
    order = "<" if data[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", data[4:8])[0]
    count = struct.unpack(order + "H", data[offset:offset + 2])[0]
    tags = {}
    for i in range(count):
        entry = data[offset + 2 + 12 * i:offset + 14 + 12 * i]
        tag, kind, n = struct.unpack(order + "HHI", entry[:8])
        code, size = {3: ("H", 2), 4: ("I", 4)}.get(kind, ("B", 1))
        # Values that fit in 4 bytes are stored in the entry, longer ones at the offset it holds.
        at = entry[8:12] if n * size <= 4 else data[struct.unpack(order + "I", entry[8:12])[0]:][: n * size]
        tags[tag] = list(struct.unpack(order + code * n, at[: n * size]))
    first = lambda tag, default=None: tags.get(tag, [default])[0]  # noqa: E731
    return {"columns": first(256), "rows": first(257), "frames": 1, "samples": first(277, 1),
            "bits_per_sample": tags.get(258), "sample_format": first(339, 1),
            "planar_configuration": first(284, 1)}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
