//! How many labelled training images an evaluation may use, and which ones: the axis of a
//! label-efficiency study (the same encoder given 1 %, 10 %, 100 % of the labels).
use crate::augment::AugRng;
use crate::range::Range;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Written in TOML as `"all"`, `{ per_class = 10 }` or `{ fraction = 0.1 }`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelBudget {
    /// Every labelled training image.
    #[default]
    All,
    /// This many images of each class present in the training labels.
    PerClass(usize),
    /// This share of each class's images (at least one each), in (0, 1].
    Fraction(f64),
}

impl LabelBudget {
    /// Refuses budgets no selection can meet, whatever the data.
    pub fn validate(&self) -> anyhow::Result<()> {
        match *self {
            LabelBudget::All => Ok(()),
            LabelBudget::PerClass(n) => Range::at_least(1).check("budget.per_class", n),
            LabelBudget::Fraction(f) => Range::above_up_to(0.0, 1.0).check("budget.fraction", f),
        }
    }

    /// Indices into `labels`, in increasing order, of the images the budget allows, drawn at
    /// random within each class: the same `seed` always picks the same images.
    pub fn select(&self, labels: &[i64], seed: u64) -> anyhow::Result<Vec<i64>> {
        self.validate()?;
        let mut by_class: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (i, &label) in labels.iter().enumerate() {
            by_class.entry(label).or_default().push(i as i64);
        }
        let mut rng = AugRng::new(seed);
        let mut picked = Vec::new();
        for (class, mut members) in by_class {
            let wanted = match *self {
                LabelBudget::All => members.len(),
                LabelBudget::PerClass(n) => {
                    anyhow::ensure!(
                        members.len() >= n,
                        "class {class} has {} training images, fewer than the {n} per class asked",
                        members.len()
                    );
                    n
                }
                LabelBudget::Fraction(f) => {
                    ((f * members.len() as f64).round() as usize).clamp(1, members.len())
                }
            };
            members.shuffle(rng.gen());
            picked.extend_from_slice(&members[..wanted]);
        }
        picked.sort_unstable();
        Ok(picked)
    }

    /// For tables: "all labels", "10 per class", "10 %".
    pub fn describe(&self) -> String {
        match *self {
            LabelBudget::All => "all labels".into(),
            LabelBudget::PerClass(n) => format!("{n} per class"),
            LabelBudget::Fraction(f) => format!("{} %", f * 100.0),
        }
    }
}
