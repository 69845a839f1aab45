//! SSL losses as pure tensor functions: no parameters, no state, any device.
//!
//! Conventions, shared by every file here:
//! - The in-batch contrastive family (NT-Xent, the binary losses, MIO, DySTreSS, DCL) takes one
//!   `z: [2N, D]` whose rows i and i+N are the two views of image i, the layout `simclr` builds
//!   with `cat([view1, view2])`. Rows are L2-normalised inside, so the caller passes raw
//!   projector outputs. Swapping the halves swaps the views.
//! - The non-contrastive family (Barlow Twins, VICReg, BYOL, SimSiam) takes the views as
//!   separate `[N, D]` tensors, because its terms pair row i of one view with row i of the other
//!   and never compare across the batch. MoCo takes queries, keys and the queue.
//! - Stop-gradients that belong to a method (BYOL's target, MoCo's keys) are the caller's
//!   `detach()`: the functions differentiate through every input they are given.
//! - Half-precision inputs are computed in f32, because the exponentials overflow in fp16.
//! - Bad shapes and hyper-parameters are errors, not panics.
pub mod binary;
pub mod decoupled;
pub mod dystress;
pub mod mio;
pub mod moco;
mod pairs;
pub mod redundancy;
pub mod regression;

use tch::{Kind, Tensor};

/// NT-Xent (SimCLR): `z` holds 2N projections where rows i and i+N are two views of one image.
/// Each of the 2N anchors is classified against the other 2N−1 rows at cosine/τ; mean over
/// anchors.
pub fn nt_xent(z: &Tensor, temperature: f64) -> Tensor {
    let n2 = z.size()[0];
    assert!(n2 % 2 == 0 && n2 >= 2, "NT-Xent needs two views per image");
    pairs::anchor_cross_entropy(&(pairs::cosine_matrix(z) / temperature))
}

/// Rows scaled to unit L2 norm.
pub fn normalize(z: &Tensor) -> Tensor {
    z / z.norm_scalaropt_dim(2, [1i64].as_slice(), true).clamp_min(1e-12)
}

/// A loss and the weighted terms that sum to it, so a dashboard can plot each term.
pub struct LossTerms {
    pub total: Tensor,
    pub terms: Vec<(&'static str, Tensor)>,
}

impl LossTerms {
    fn sum_of(terms: Vec<(&'static str, Tensor)>) -> Self {
        let total = terms
            .iter()
            .map(|(_, t)| t.shallow_clone())
            .reduce(|a, b| a + b)
            .expect("a loss has at least one term");
        Self { total, terms }
    }

    /// The terms' current values, named, for `StepOutput::metrics`.
    pub fn metrics(&self) -> Vec<(String, f64)> {
        self.terms.iter().map(|(name, t)| (name.to_string(), t.double_value(&[]))).collect()
    }
}

/// Losses are computed in at least f32: exp(1/τ) and sums of squares overflow in half precision.
fn at_least_f32(t: &Tensor) -> Tensor {
    match t.kind() {
        Kind::Half | Kind::BFloat16 => t.to_kind(Kind::Float),
        _ => t.shallow_clone(),
    }
}

/// `[N, D]` and `[N, D]` on one device, for the losses that take the views separately; returns
/// (N, D). `min_rows` guards statistics over the batch (variances need two rows).
fn matching_views(a: &Tensor, b: &Tensor, min_rows: i64, loss: &str) -> anyhow::Result<(i64, i64)> {
    let (sa, sb) = (a.size(), b.size());
    anyhow::ensure!(
        sa.len() == 2 && sa == sb,
        "{loss} takes two views of the same shape [N, D], got {sa:?} and {sb:?}"
    );
    anyhow::ensure!(sa[0] >= min_rows, "{loss} needs at least {min_rows} rows per view, got {}", sa[0]);
    anyhow::ensure!(a.device() == b.device(), "{loss}: the views are on different devices");
    Ok((sa[0], sa[1]))
}

/// The check every temperature and weight takes: a zero or negative τ turns the logits into NaN
/// or flips the loss's sign, with no error downstream.
fn ensure_positive(value: f64, name: &str) -> anyhow::Result<()> {
    anyhow::ensure!(value.is_finite() && value > 0.0, "{name} must be positive and finite, got {value}");
    Ok(())
}
