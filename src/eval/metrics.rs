//! Metrics of an evaluation: classification from class scores (logits, kNN votes: any real
//! numbers where higher means more likely) and segmentation from predicted probabilities.
use anyhow::Context;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationMetrics {
    /// Share of the images whose highest score is their class.
    pub accuracy: f64,
    /// Mean of the per-class accuracies of the classes present: what accuracy would be with
    /// every class equally common, so a classifier that always answers the majority class
    /// does not look good on imbalanced data.
    pub balanced_accuracy: f64,
    /// Recall of each class; `None` for a class with no image among the labels.
    pub per_class_accuracy: Vec<Option<f64>>,
    /// Mean one-vs-rest ROC AUC over the classes that have both positives and negatives;
    /// `None` when no class has.
    pub macro_auc: Option<f64>,
    /// `confusion[true][predicted]` image counts.
    pub confusion: Vec<Vec<u64>>,
}

impl ClassificationMetrics {
    /// `scores` is `[N, C]` row-major, `labels` `[N]` in `0..classes`. The predicted class is
    /// the first one of highest score.
    pub fn new(scores: &[f32], classes: usize, labels: &[i64]) -> anyhow::Result<Self> {
        anyhow::ensure!(classes > 0, "classification needs at least one class");
        anyhow::ensure!(!labels.is_empty(), "there are no images to score");
        anyhow::ensure!(
            scores.len() == labels.len() * classes,
            "{} scores do not make {} rows of {classes} classes",
            scores.len(),
            labels.len()
        );
        anyhow::ensure!(scores.iter().all(|s| !s.is_nan()), "the class scores contain NaN");
        if let Some(bad) = labels.iter().find(|&&y| y < 0 || y as usize >= classes) {
            anyhow::bail!("label {bad} is outside the {classes} classes");
        }
        let rows: Vec<&[f32]> = scores.chunks(classes).collect();
        let mut confusion = vec![vec![0u64; classes]; classes];
        for (row, &label) in rows.iter().zip(labels) {
            confusion[label as usize][predicted(row)] += 1;
        }
        let correct: u64 = (0..classes).map(|c| confusion[c][c]).sum();
        let per_class_accuracy: Vec<Option<f64>> = confusion
            .iter()
            .enumerate()
            .map(|(c, row)| {
                let total: u64 = row.iter().sum();
                (total > 0).then(|| row[c] as f64 / total as f64)
            })
            .collect();
        let present: Vec<f64> = per_class_accuracy.iter().flatten().copied().collect();
        let aucs: Vec<f64> = (0..classes)
            .filter_map(|c| {
                let column: Vec<f32> = rows.iter().map(|row| row[c]).collect();
                let positive: Vec<bool> = labels.iter().map(|&y| y as usize == c).collect();
                roc_auc(&column, &positive)
            })
            .collect();
        Ok(Self {
            accuracy: correct as f64 / labels.len() as f64,
            balanced_accuracy: present.iter().sum::<f64>() / present.len() as f64,
            per_class_accuracy,
            macro_auc: (!aucs.is_empty()).then(|| aucs.iter().sum::<f64>() / aucs.len() as f64),
            confusion,
        })
    }

    /// The same from tensors on any device: `scores` `[N, C]`, `labels` `[N]`.
    pub fn from_tensors(scores: &Tensor, labels: &Tensor) -> anyhow::Result<Self> {
        let (n, classes) = scores.size2().context("class scores must be [N, C]")?;
        anyhow::ensure!(labels.size() == [n], "{n} score rows but labels of shape {:?}", labels.size());
        let scores =
            Vec::<f32>::try_from(scores.detach().to_kind(Kind::Float).to_device(Device::Cpu).view([-1]))?;
        let labels = Vec::<i64>::try_from(labels.to_kind(Kind::Int64).to_device(Device::Cpu))?;
        Self::new(&scores, classes as usize, &labels)
    }
}

/// The first index of the highest score.
fn predicted(row: &[f32]) -> usize {
    row.iter().enumerate().fold(0, |best, (i, &s)| if s > row[best] { i } else { best })
}

/// ROC AUC of `scores` separating the `positive` entries from the others: the probability
/// that a random positive scores above a random negative, ties counting one half
/// (Mann–Whitney U over n⁺·n⁻). `None` without both positives and negatives.
pub fn roc_auc(scores: &[f32], positive: &[bool]) -> Option<f64> {
    let positives = positive.iter().filter(|&&p| p).count();
    let negatives = positive.len() - positives;
    if positives == 0 || negatives == 0 || scores.len() != positive.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Ranks from 1, each run of equal scores sharing its mean rank: that is what counts a
    // tied pair as one half.
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        positive_rank_sum += mean_rank * order[start..end].iter().filter(|&&i| positive[i]).count() as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((positive_rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Pixel counts of a binary segmentation against its target, summed over any number of
/// images (add the counts of several batches for a whole set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlap {
    pub true_positive: u64,
    pub false_positive: u64,
    pub false_negative: u64,
    /// Pixels compared (those whose target is not 255).
    pub pixels: u64,
}

/// Target value of pixels that are not labelled (`data::LabelledImages::masks`).
pub const UNLABELLED: i64 = 255;

impl Overlap {
    /// `probabilities` of foreground against `targets` of the same shape: a pixel is predicted
    /// foreground at a probability of 0.5 or more; a target pixel is foreground when its label
    /// is not 0 (so a multi-label mask counts every label as foreground) and is left out when
    /// it is 255.
    pub fn count(probabilities: &Tensor, targets: &Tensor) -> anyhow::Result<Self> {
        anyhow::ensure!(
            probabilities.size() == targets.size(),
            "predictions of shape {:?} against targets of shape {:?}",
            probabilities.size(),
            targets.size()
        );
        let targets = targets.to_kind(Kind::Int64);
        let labelled = targets.ne(UNLABELLED);
        let truth = targets.ne(0).logical_and(&labelled);
        let predicted = probabilities.ge(0.5).logical_and(&labelled);
        let count = |t: &Tensor| t.sum(Kind::Int64).int64_value(&[]) as u64;
        Ok(Self {
            true_positive: count(&predicted.logical_and(&truth)),
            false_positive: count(&predicted.logical_and(&truth.logical_not())),
            false_negative: count(&truth.logical_and(&predicted.logical_not())),
            pixels: count(&labelled),
        })
    }

    /// 2·TP / (2·TP + FP + FN); 1 when prediction and target are both empty (nothing to
    /// find, nothing found).
    pub fn dice(&self) -> f64 {
        let (tp, wrong) = (self.true_positive as f64, (self.false_positive + self.false_negative) as f64);
        if tp + wrong == 0.0 {
            1.0
        } else {
            2.0 * tp / (2.0 * tp + wrong)
        }
    }

    /// TP / (TP + FP + FN); 1 when prediction and target are both empty.
    pub fn iou(&self) -> f64 {
        let (tp, wrong) = (self.true_positive as f64, (self.false_positive + self.false_negative) as f64);
        if tp + wrong == 0.0 {
            1.0
        } else {
            tp / (tp + wrong)
        }
    }
}

impl std::ops::Add for Overlap {
    type Output = Overlap;

    fn add(self, other: Overlap) -> Overlap {
        Overlap {
            true_positive: self.true_positive + other.true_positive,
            false_positive: self.false_positive + other.false_positive,
            false_negative: self.false_negative + other.false_negative,
            pixels: self.pixels + other.pixels,
        }
    }
}

/// Dice and IoU over all labelled pixels of a set at once (not a mean over images: images
/// without foreground, common in medical sets, would each count as a perfect 1 or a 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentationMetrics {
    pub dice: f64,
    pub iou: f64,
    pub overlap: Overlap,
}

impl From<Overlap> for SegmentationMetrics {
    fn from(overlap: Overlap) -> Self {
        Self { dice: overlap.dice(), iou: overlap.iou(), overlap }
    }
}
