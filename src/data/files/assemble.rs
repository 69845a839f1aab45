//! Images cut from files, gathered before the split, and stored as a [`Dataset`] after it.
use super::normalize::{channel_stats, standardize, Normalize};
use super::split::ItemKey;
use super::FileOptions;
use crate::data::{Dataset, LabelledImages};
use tch::{Device, Kind, Tensor};

/// Mask value of images that came without a mask: segmentation's usual "ignore" label.
pub const NO_MASK: u8 = 255;

/// Images at the run's size, in chunks as their sources gave them.
pub struct Samples {
    normalize: Normalize,
    images: Vec<Tensor>,
    masks: Vec<Option<Tensor>>,
    pub keys: Vec<ItemKey>,
}

impl Samples {
    pub fn new(normalize: Normalize) -> Self {
        Self { normalize, images: Vec::new(), masks: Vec::new(), keys: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Adds `images` `[n, 1 or 3, S, S]` (f32, normalised), their masks `[n, 1, S, S]` (bytes)
    /// if any, and where each came from. Windowed images are kept as bytes from here on, so a
    /// large source never holds more than a quarter of its f32 size.
    pub fn push(&mut self, images: Tensor, masks: Option<Tensor>, keys: Vec<ItemKey>) {
        debug_assert_eq!(images.size()[0], keys.len() as i64);
        let images = match self.normalize {
            Normalize::Window => (images * 255.0).round().clamp(0.0, 255.0).to_kind(Kind::Uint8),
            Normalize::ZScore | Normalize::ChannelStats => images.to_kind(Kind::Float),
        };
        self.images.push(images);
        self.masks.push(masks);
        self.keys.extend(keys);
    }

    /// The images at `train` and `heldout` on `device`, three channels each, with per-channel
    /// standardisation applied when asked for (its statistics come from the training images).
    pub fn into_dataset(
        self,
        train: &[usize],
        heldout: &[usize],
        classes: Vec<String>,
        options: &FileOptions,
        device: Device,
    ) -> Dataset {
        let channels = self.images.iter().map(|t| t.size()[1]).max().unwrap_or(1);
        let same_channels: Vec<Tensor> =
            self.images.iter().map(|t| t.expand([-1, channels, -1, -1], false)).collect();
        let images = Tensor::cat(&same_channels, 0);
        let masks = self.masks.iter().any(Option::is_some).then(|| {
            let filled: Vec<Tensor> = self
                .masks
                .iter()
                .zip(&self.images)
                .map(|(mask, image)| match mask {
                    Some(m) => m.shallow_clone(),
                    None => {
                        let s = image.size();
                        Tensor::full([s[0], 1, s[2], s[3]], NO_MASK as i64, (Kind::Uint8, image.device()))
                    }
                })
                .collect();
            Tensor::cat(&filled, 0)
        });
        let labels = Tensor::from_slice(&self.keys.iter().map(|k| k.label).collect::<Vec<_>>());
        let take = |at: &[usize]| {
            let idx = Tensor::from_slice(&at.iter().map(|&i| i as i64).collect::<Vec<_>>());
            LabelledImages {
                images: images
                    .index_select(0, &idx)
                    .expand([-1, 3, -1, -1], false)
                    .contiguous()
                    .to_device(device),
                labels: labels.index_select(0, &idx).to_device(device),
                masks: masks.as_ref().map(|m| m.index_select(0, &idx).to_device(device)),
            }
        };
        let (mut train, mut heldout) = (take(train), take(heldout));
        if self.normalize == Normalize::ChannelStats {
            let (mean, std) = match (options.mean, options.std) {
                (Some(mean), Some(std)) => (mean.to_vec(), std.to_vec()),
                _ => channel_stats(&train.images),
            };
            train.images = standardize(&train.images, &mean, &std);
            heldout.images = standardize(&heldout.images, &mean, &std);
        }
        Dataset { train, heldout, classes, notes: Vec::new() }
    }
}
