//! MedMNIST-style `.npz` archives: `{train,val,test}_images` and `_labels`, 2D or 3D, through
//! `npyz`.
//!
//! Image arrays are [N, H, W] (grey), [N, H, W, C] with C of 1 or 3, [N, D, H, W] (grey 3D) or
//! [N, D, H, W, C]; labels are [N] or [N, k] (multi-label). In C order each image is laid out
//! as a `Volume`'s voxels already (x fastest, channels interleaved), so none is reordered.
use super::{check_declared_size, Metadata, Provenance, Volume, DEFLATE_RATIO};
use anyhow::Context;
use npyz::{NpyFile, Order};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

const SPLITS: [&str; 3] = ["train", "val", "test"];

/// Every image of one split, with its labels: what the dataset builder trains on.
#[derive(Debug, Clone, PartialEq)]
pub struct NpzSplit {
    /// `count` images one after another, each `dims` × `channels` values laid out as in a
    /// `Volume`, in the file's range (0-255 for uint8).
    pub images: Vec<f32>,
    pub count: usize,
    /// [W, H, D]; D is 1 for 2D images.
    pub dims: [usize; 3],
    pub channels: usize,
    /// The first label column, one per image.
    pub labels: Vec<i64>,
    /// How many label columns the file has (more than 1 for multi-label tasks).
    pub label_columns: usize,
}

impl NpzSplit {
    /// Values per image.
    pub fn image_len(&self) -> usize {
        self.dims.iter().product::<usize>() * self.channels
    }
}

/// The splits present, each with its image count and a one-line label.
pub fn splits(path: &Path) -> anyhow::Result<Vec<(String, usize, String)>> {
    let mut archive = Archive::open(path)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut found = Vec::new();
    for split in SPLITS {
        let Some(images) = archive.images(split)? else { continue };
        let labels = archive.labels(split, images.count)?;
        let [w, h, d] = images.dims;
        let size = if d > 1 { format!("{w}×{h}×{d}") } else { format!("{w}×{h}") };
        let colour = if images.channels == 3 { "RGB" } else { "grey" };
        let tasks = labels.map_or("no labels".to_string(), |l| format!("{} label column(s)", l.columns));
        let label = format!("{name} {split}: {} images {size} {colour}, {tasks}", images.count);
        found.push((split.to_string(), images.count, label));
    }
    anyhow::ensure!(
        !found.is_empty(),
        "{} has no train_images, val_images or test_images array",
        path.display()
    );
    Ok(found)
}

/// Image `index` of `split` as a volume; its labels are in the metadata.
pub fn load_image(path: &Path, split: &str, index: usize) -> anyhow::Result<Volume> {
    let mut archive = Archive::open(path)?;
    let images =
        archive.images(split)?.with_context(|| format!("{} has no {split}_images", path.display()))?;
    anyhow::ensure!(
        index < images.count,
        "image {index} is out of range: {split} holds {} images, numbered from 0",
        images.count
    );
    let label_values = match archive.labels(split, images.count)? {
        Some(labels) => {
            let row =
                archive.read(&labels.array, index * labels.columns, labels.columns, |v| v.to_string())?;
            row.join(", ")
        }
        None => String::new(),
    };
    let image_len = images.image_len();
    let voxels = archive.read(&images.array, index * image_len, image_len, |v| v as f32)?;
    let mut volume = Volume::new(voxels, images.dims, images.channels, [1.0; 3]);
    volume.provenance = Provenance { format: "NPZ".into(), encoding: images.dtype.clone(), files: 1 };
    volume.metadata = Metadata::default();
    volume.metadata.push("split", "split", split);
    volume.metadata.push("index", "index", index.to_string());
    if !label_values.is_empty() {
        volume.metadata.push("label", "label", label_values);
    }
    volume.metadata.push("shape", "shape", format!("{:?}", images.shape));
    Ok(volume)
}

/// Every image and the first label column of `split`.
pub fn load_split(path: &Path, split: &str) -> anyhow::Result<NpzSplit> {
    let mut archive = Archive::open(path)?;
    let images =
        archive.images(split)?.with_context(|| format!("{} has no {split}_images", path.display()))?;
    let labels = archive
        .labels(split, images.count)?
        .with_context(|| format!("{} has no {split}_labels", path.display()))?;
    let all_labels = archive.read(&labels.array, 0, images.count * labels.columns, |v| v)?;
    let labels_first: Vec<i64> =
        all_labels.iter().step_by(labels.columns).map(|&v| integer(v)).collect::<Result<_, _>>()?;
    let image_values = archive.read(&images.array, 0, images.count * images.image_len(), |v| v as f32)?;
    Ok(NpzSplit {
        images: image_values,
        count: images.count,
        dims: images.dims,
        channels: images.channels,
        labels: labels_first,
        label_columns: labels.columns,
    })
}

fn integer(value: f64) -> anyhow::Result<i64> {
    anyhow::ensure!(
        value.fract() == 0.0 && value.abs() < 2f64.powi(53),
        "label {value} is not an integer class"
    );
    Ok(value as i64)
}

/// An images array's shape, read from its header.
struct Images {
    array: String,
    shape: Vec<u64>,
    count: usize,
    dims: [usize; 3],
    channels: usize,
    dtype: String,
}

impl Images {
    fn image_len(&self) -> usize {
        self.dims.iter().product::<usize>() * self.channels
    }
}

struct Labels {
    array: String,
    columns: usize,
}

struct Archive {
    npz: npyz::npz::NpzArchive<BufReader<File>>,
    path: String,
    file_bytes: u64,
}

impl Archive {
    fn open(path: &Path) -> anyhow::Result<Self> {
        let shown = path.display().to_string();
        let file_bytes = std::fs::metadata(path).with_context(|| format!("cannot open {shown}"))?.len();
        anyhow::ensure!(file_bytes > 0, "{shown} is empty");
        let npz = npyz::npz::NpzArchive::open(path)
            .with_context(|| format!("{shown} is not a readable .npz (zip) archive"))?;
        Ok(Self { npz, path: shown, file_bytes })
    }

    /// An array's header, its dtype and order checked, and its declared size checked against
    /// the archive's size; `None` when the archive has no such array.
    fn header(&mut self, array: &str) -> anyhow::Result<Option<(Vec<u64>, String)>> {
        if !self.npz.array_names().any(|n| n == array) {
            return Ok(None);
        }
        let npy = open_array(&mut self.npz, &self.path, array)?;
        anyhow::ensure!(
            npy.order() == Order::C,
            "{}: {array} is stored in Fortran order; save it in C order (np.ascontiguousarray)",
            self.path
        );
        let dtype = numpy_name(&npy.dtype().descr());
        let item_bytes = npy.dtype().num_bytes().unwrap_or(0) as u128;
        let shape = npy.shape().to_vec();
        let values = shape.iter().try_fold(1u128, |n, &d| n.checked_mul(d as u128));
        let declared = values.and_then(|n| n.checked_mul(item_bytes)).unwrap_or(u128::MAX);
        check_declared_size(&format!("{}: {array}", self.path), declared, self.file_bytes, DEFLATE_RATIO)?;
        Ok(Some((shape, dtype)))
    }

    fn images(&mut self, split: &str) -> anyhow::Result<Option<Images>> {
        let array = format!("{split}_images");
        let Some((shape, dtype)) = self.header(&array)? else { return Ok(None) };
        let size = |d: u64| d as usize;
        let (dims, channels) = match shape.as_slice() {
            [_, h, w] => ([size(*w), size(*h), 1], 1),
            [_, h, w, c @ (1 | 3)] => ([size(*w), size(*h), 1], size(*c)),
            [_, d, h, w] => ([size(*w), size(*h), size(*d)], 1),
            [_, d, h, w, c @ (1 | 3)] => ([size(*w), size(*h), size(*d)], size(*c)),
            _ => anyhow::bail!(
                "{}: {array} has shape {shape:?}; expected [N, H, W], [N, H, W, 3], [N, D, H, W] or [N, D, H, W, C]",
                self.path
            ),
        };
        anyhow::ensure!(
            dims.iter().all(|&d| d > 0),
            "{}: {array} has shape {shape:?}, with an empty image axis",
            self.path
        );
        Ok(Some(Images { array, count: size(shape[0]), shape, dims, channels, dtype }))
    }

    /// The split's labels, checked to give one row per image.
    fn labels(&mut self, split: &str, count: usize) -> anyhow::Result<Option<Labels>> {
        let array = format!("{split}_labels");
        let Some((shape, _)) = self.header(&array)? else { return Ok(None) };
        let (rows, columns) = match shape.as_slice() {
            [n] => (*n, 1),
            [n, k] => (*n, *k),
            _ => anyhow::bail!("{}: {array} has shape {shape:?}; expected [N] or [N, k]", self.path),
        };
        anyhow::ensure!(
            rows as usize == count,
            "{}: {array} has {rows} rows but {split}_images has {count} images",
            self.path
        );
        anyhow::ensure!(columns > 0, "{}: {array} has no label column", self.path);
        Ok(Some(Labels { array, columns: columns as usize }))
    }

    /// `count` values of `array` from value `start` on, each converted by `convert`.
    fn read<T>(
        &mut self,
        array: &str,
        start: usize,
        count: usize,
        convert: impl Fn(f64) -> T,
    ) -> anyhow::Result<Vec<T>> {
        let npy = open_array(&mut self.npz, &self.path, array)?;
        let item_bytes = npy.dtype().num_bytes().unwrap_or(0);
        let header = npy.header().clone();
        let mut data = npy.into_inner();
        let skip = (start * item_bytes) as u64;
        anyhow::ensure!(
            io::copy(&mut (&mut data).take(skip), &mut io::sink())? == skip,
            "{}: {array} ends before value {start}: the archive is truncated",
            self.path
        );
        let npy = NpyFile::with_header(header, data);
        let mut out = Vec::with_capacity(count);
        macro_rules! as_each {
            ($($t:ty),*) => {{
                $(
                    let npy = match npy.try_data::<$t>() {
                        Ok(values) => {
                            for value in values.take(count) {
                                match value {
                                    Ok(v) => out.push(convert(v as f64)),
                                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                                    Err(e) => return Err(e).with_context(|| format!("cannot read {array}")),
                                }
                            }
                            anyhow::ensure!(
                                out.len() == count,
                                "{}: {array} ends after {} of {count} values: the archive is truncated",
                                self.path,
                                out.len()
                            );
                            return Ok(out);
                        }
                        Err(npy) => npy,
                    };
                )*
                anyhow::bail!("{}: {array} holds {}, not numbers", self.path, npy.dtype().descr())
            }};
        }
        as_each!(u8, i8, u16, i16, u32, i32, u64, i64, f32, f64)
    }
}

fn open_array<'a>(
    npz: &'a mut npyz::npz::NpzArchive<BufReader<File>>,
    path: &str,
    array: &str,
) -> anyhow::Result<NpyFile<BufReader<impl Read + 'a>>> {
    let member = npyz::npz::file_name_from_array_name(array);
    let file =
        npz.zip_archive().by_name(&member).with_context(|| format!("cannot open {array} in {path}"))?;
    // npyz reads one value per call: a buffer makes that a copy, not a decompression call.
    NpyFile::new(BufReader::with_capacity(1 << 16, file))
        .with_context(|| format!("{path}: {array} is not a .npy array"))
}

/// numpy's name for a dtype descr: `'|u1'` is uint8, `'<f4'` float32.
fn numpy_name(descr: &str) -> String {
    let code = descr.trim_matches('\'');
    let kind = match code.chars().nth(1) {
        Some('u') => "uint",
        Some('i') => "int",
        Some('f') => "float",
        _ => return code.into(),
    };
    let bytes: usize = code.get(2..).and_then(|b| b.parse().ok()).unwrap_or(0);
    format!("{kind}{}", bytes * 8)
}
