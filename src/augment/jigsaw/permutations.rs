//! The permutation (class) sets of the jigsaw task (specs/004a_thesis_ch1-5.md §3.2.2): a class
//! is an index into the set, so the set is part of the label definition and travels with the
//! model that was trained on it.
use crate::augment::AugRng;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::OnceLock;
use tch::{Device, Tensor};

/// The puzzle's cells, 3 × 3.
pub const CELLS: usize = 9;

/// One order of the nine cells: slot k holds original cell `τ[k]` (0-based, raster order).
pub type Permutation = [u8; CELLS];

/// 9!, the number of orders of nine cells.
const ORDERS: u64 = 362_880;

/// |A′|, the size of the greedy Hamming set [V], and so the most classes it gives.
pub const HAMMING_CLASSES: usize = 1887;

/// How the set of C permutations is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetKind {
    /// SSLACL's SETARR: the identity and C − 1 members of the greedy Hamming set A′.
    #[default]
    Hamming,
    /// SKID's: C distinct permutations drawn uniformly from all 9!.
    Uniform,
}

crate::choice!(SetKind { Hamming => "Hamming-greedy (SSLACL)", Uniform => "uniform random (SKID)" });

/// C permutations, rebuilt identically from (kind, classes, seed); the table itself is
/// serialised too, so a stored model keeps its labels even if the builders change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermutationSet {
    pub kind: SetKind,
    pub seed: u64,
    permutations: Vec<Permutation>,
}

impl PermutationSet {
    /// `classes` is clamped to what the kind can give: 1..=1,887 (Hamming) or 1..=9!.
    pub fn new(kind: SetKind, classes: usize, seed: u64) -> Self {
        let mut rng = AugRng::new(seed);
        let permutations = match kind {
            SetKind::Hamming => {
                let pool = hamming_greedy();
                // The identity (A′'s first member) always, then C − 1 others without
                // replacement (the thesis's draw with replacement could repeat a class).
                let mut others: Vec<usize> = (1..pool.len()).collect();
                let draws = classes.clamp(1, pool.len()) - 1;
                for i in 0..draws {
                    let j = rng.int_one(i as i64, others.len() as i64 - 1) as usize;
                    others.swap(i, j);
                }
                std::iter::once(pool[0]).chain(others[..draws].iter().map(|&i| pool[i])).collect()
            }
            SetKind::Uniform => {
                let wanted = classes.clamp(1, ORDERS as usize);
                let mut seen = HashSet::with_capacity(wanted);
                let mut out = Vec::with_capacity(wanted);
                while out.len() < wanted {
                    let rank = rng.int_one(0, ORDERS as i64 - 1) as u64;
                    if seen.insert(rank) {
                        out.push(unrank(rank));
                    }
                }
                out
            }
        };
        Self { kind, seed, permutations }
    }

    /// C, the number of classes.
    pub fn len(&self) -> usize {
        self.permutations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.permutations.is_empty()
    }

    pub fn permutations(&self) -> &[Permutation] {
        &self.permutations
    }

    /// The set as a `[C, 9]` int64 tensor.
    pub fn to_tensor(&self, device: Device) -> Tensor {
        let flat: Vec<i64> = self.permutations.iter().flatten().map(|&i| i as i64).collect();
        Tensor::from_slice(&flat).view([-1, CELLS as i64]).to_device(device)
    }

    /// `[B, 9]` permutations of the `[B]` class labels.
    pub fn lookup(&self, labels: &Tensor) -> Tensor {
        self.to_tensor(labels.device()).index_select(0, labels)
    }

    /// `[B, 9, ...]` patches shuffled by the permutations of `labels` back in raster order
    /// (e.g. by the predicted labels, to show what the network believes).
    pub fn unshuffle(&self, patches: &Tensor, labels: &Tensor) -> Tensor {
        super::unshuffle(patches, &self.lookup(labels))
    }
}

/// The number of positions at which two permutations differ.
pub fn hamming(a: &Permutation, b: &Permutation) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

/// A′ of SETARR (Algorithm 3.1): every permutation in lexicographic order (as Python's
/// itertools), kept if it differs in more than 4 positions from every one kept before; the
/// identity comes first. Built once per process.
pub fn hamming_greedy() -> &'static [Permutation] {
    static SET: OnceLock<Vec<Permutation>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut order: Permutation = std::array::from_fn(|i| i as u8);
        let mut kept = vec![pack(&order)];
        while next_permutation(&mut order) {
            let packed = pack(&order);
            // Recent members share the longest prefix with the candidate, so they reject it
            // soonest; the order of the checks does not change the result.
            if kept.iter().rev().all(|&m| packed_distance(m, packed) > 4) {
                kept.push(packed);
            }
        }
        kept.into_iter().map(unpack).collect()
    })
}

/// One permutation in a nibble per position, so a distance is a few bit operations.
fn pack(p: &Permutation) -> u64 {
    p.iter().enumerate().fold(0, |acc, (i, &v)| acc | (v as u64) << (4 * i))
}

fn unpack(packed: u64) -> Permutation {
    std::array::from_fn(|i| ((packed >> (4 * i)) & 0xf) as u8)
}

fn packed_distance(a: u64, b: u64) -> u32 {
    let x = a ^ b;
    ((x | x >> 1 | x >> 2 | x >> 3) & 0x1_1111_1111).count_ones()
}

/// Steps to the next permutation in lexicographic order; false after the last.
fn next_permutation(p: &mut Permutation) -> bool {
    let Some(i) = (0..CELLS - 1).rev().find(|&i| p[i] < p[i + 1]) else {
        return false;
    };
    let j = (i + 1..CELLS).rev().find(|&j| p[j] > p[i]).expect("p[i + 1] > p[i]");
    p.swap(i, j);
    p[i + 1..].reverse();
    true
}

/// The permutation of lexicographic rank `rank` (< 9!), by its factorial-base digits.
fn unrank(mut rank: u64) -> Permutation {
    let mut left: Vec<u8> = (0..CELLS as u8).collect();
    let mut factorial = ORDERS;
    std::array::from_fn(|i| {
        factorial /= (CELLS - i) as u64;
        let digit = (rank / factorial) as usize;
        rank %= factorial;
        left.remove(digit)
    })
}
