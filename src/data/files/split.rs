//! Splitting file-based images into training and held-out sets without leaks.
//!
//! Neighbouring slices of a scan (and neighbouring tiles of a slide) are nearly the same image:
//! a random per-image split would put near-copies of held-out images in the training set and
//! make the kNN monitor read high. So images are split in units, contiguous blocks of
//! positions within one source (a volume, an image), and a training image directly next to a
//! held-out one is dropped. The split is stratified by class, and seeded.
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashSet};

/// Where one image came from, as far as the split cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemKey {
    pub label: i64,
    /// The source (volume, image file) it was cut from.
    pub group: usize,
    /// Its place in that source (slice ordinal, tile row); images at positions that differ by
    /// one are neighbours.
    pub position: usize,
}

/// Indices into the keys, each list in increasing order.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Vec<usize>,
    pub heldout: Vec<usize>,
}

/// Splits `keys` in units of `block` consecutive positions. The counts are maxima: with
/// fewer images than `train_max + heldout_max`, the held-out share is kept and all are used.
pub fn split(
    keys: &[ItemKey],
    block: usize,
    train_max: usize,
    heldout_max: usize,
    seed: u64,
) -> anyhow::Result<Split> {
    let n = keys.len();
    anyhow::ensure!(n >= 2, "the files give {n} image(s): at least 2 are needed, one per split");
    let wanted = if n >= train_max + heldout_max {
        heldout_max
    } else {
        ((n * heldout_max) as f64 / (train_max + heldout_max) as f64).round().max(1.0) as usize
    };
    let mut units: BTreeMap<(i64, usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, k) in keys.iter().enumerate() {
        units.entry((k.label, k.group, k.position / block.max(1))).or_default().push(i);
    }
    let mut by_class: BTreeMap<i64, Vec<Vec<usize>>> = BTreeMap::new();
    for ((label, ..), items) in units {
        by_class.entry(label).or_default().push(items);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5350_4c49_545f_6964);
    let mut heldout = Vec::new();
    // Each class's share of `wanted`, rounded on the running total so the shares add up to it
    // (three classes asked for one image between them give it to one class, not none).
    let share = |items_before: usize| ((wanted * items_before) as f64 / n as f64).round() as usize;
    let mut items_before = 0;
    for units in by_class.values_mut() {
        let class_items: usize = units.iter().map(Vec::len).sum();
        let target = share(items_before + class_items) - share(items_before);
        items_before += class_items;
        units.shuffle(&mut rng);
        let mut taken = 0;
        // A class keeps at least one unit for training.
        for unit in &units[..units.len() - 1] {
            if taken >= target {
                break;
            }
            taken += unit.len();
            heldout.extend_from_slice(unit);
        }
    }
    let held: HashSet<(usize, usize)> = heldout.iter().map(|&i| (keys[i].group, keys[i].position)).collect();
    let held_items: HashSet<usize> = heldout.iter().copied().collect();
    let next_to_held = |k: &ItemKey| {
        held.contains(&(k.group, k.position + 1))
            || (k.position > 0 && held.contains(&(k.group, k.position - 1)))
    };
    let mut train: Vec<usize> =
        (0..n).filter(|i| !held_items.contains(i) && !next_to_held(&keys[*i])).collect();
    anyhow::ensure!(
        !heldout.is_empty(),
        "none of the {n} images can be held out: each class comes from a single source block \
         (add images, or slice a larger range)"
    );
    anyhow::ensure!(!train.is_empty(), "no image is left for training once {} are held out", heldout.len());
    Ok(Split {
        train: at_most(&mut train, train_max, &mut rng),
        heldout: at_most(&mut heldout, heldout_max, &mut rng),
    })
}

/// A seeded random `max` of `items` (all when fewer), in increasing order.
fn at_most(items: &mut [usize], max: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    items.shuffle(rng);
    let mut kept = items[..max.min(items.len())].to_vec();
    kept.sort_unstable();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slices(volumes: usize, per_volume: usize) -> Vec<ItemKey> {
        (0..volumes)
            .flat_map(|g| (0..per_volume).map(move |p| ItemKey { label: 0, group: g, position: p }))
            .collect()
    }

    #[test]
    fn no_training_slice_neighbours_a_held_out_one() {
        let keys = slices(2, 100);
        let s = split(&keys, 8, 160, 40, 3).unwrap();
        assert!(!s.heldout.is_empty() && !s.train.is_empty());
        for &t in &s.train {
            for &h in &s.heldout {
                let (a, b) = (keys[t], keys[h]);
                assert!(a.group != b.group || a.position.abs_diff(b.position) > 1, "{a:?} next to {b:?}");
            }
        }
        // Five blocks of 8 held out; up to two training slices lost beside each.
        assert_eq!(s.heldout.len(), 40);
        assert!((140..=160).contains(&s.train.len()), "{}", s.train.len());
        // With fewer images than asked for, the held-out share is kept: 200 * 40 / 1040.
        assert_eq!(split(&keys, 1, 1000, 40, 3).unwrap().heldout.len(), 8);
    }

    #[test]
    fn classes_are_stratified_and_counts_are_maxima() {
        let keys: Vec<ItemKey> =
            (0..30).map(|i| ItemKey { label: (i % 3) as i64, group: i, position: 0 }).collect();
        let s = split(&keys, 1, 24, 6, 0).unwrap();
        assert_eq!((s.train.len(), s.heldout.len()), (24, 6));
        for class in 0..3 {
            assert_eq!(s.heldout.iter().filter(|&&i| keys[i].label == class).count(), 2);
        }
        let one = split(&keys, 1, 1000, 1, 0).unwrap();
        assert_eq!(one.heldout.len(), 1, "a single held-out image still goes to some class");
        let capped = split(&keys, 1, 10, 3, 0).unwrap();
        assert_eq!((capped.train.len(), capped.heldout.len()), (10, 3));
        assert_eq!(split(&keys, 1, 24, 6, 0).unwrap(), s, "the same seed gives the same split");
        assert_ne!(split(&keys, 1, 24, 6, 1).unwrap(), s, "another seed another split");
    }

    #[test]
    fn too_few_images_is_a_clear_error() {
        let one = [ItemKey { label: 0, group: 0, position: 0 }];
        assert!(format!("{:#}", split(&one, 1, 10, 10, 0).unwrap_err()).contains("at least 2"));
        let one_block = slices(1, 4);
        assert!(format!("{:#}", split(&one_block, 8, 10, 10, 0).unwrap_err()).contains("held out"));
    }
}
