//! Tensors from rows and back, and the plain f64 arithmetic the reference computations use:
//! the references never call the code under test.
use tch::{Device, Kind, Tensor};

pub fn tensor(rows: &[Vec<f64>]) -> Tensor {
    let cols = rows[0].len() as i64;
    Tensor::from_slice(&rows.concat()).view([rows.len() as i64, cols])
}

pub fn rows(t: &Tensor) -> Vec<Vec<f64>> {
    let t = t.to_kind(Kind::Double);
    let cols = t.size()[1] as usize;
    Vec::<f64>::try_from(t.flatten(0, -1)).unwrap().chunks(cols).map(<[f64]>::to_vec).collect()
}

pub fn values(t: &Tensor) -> Vec<f64> {
    Vec::<f64>::try_from(t.to_kind(Kind::Double).flatten(0, -1)).unwrap()
}

pub fn value(t: &Tensor) -> f64 {
    t.double_value(&[])
}

/// `[rows, cols]` standard normal, f64, reproducible.
pub fn random(rows: i64, cols: i64, seed: i64) -> Tensor {
    tch::manual_seed(seed);
    Tensor::randn([rows, cols], (Kind::Double, Device::Cpu))
}

pub fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected} (tolerance {tolerance})"
    );
}

/// The `[2N, D]` batch with its two halves exchanged: view 1 becomes view 2.
pub fn swap_views(z: &Tensor) -> Tensor {
    let n = z.size()[0] / 2;
    Tensor::cat(&[z.narrow(0, n, n), z.narrow(0, 0, n)], 0)
}

pub fn unit(v: &[f64]) -> Vec<f64> {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.iter().map(|x| x / norm).collect()
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub fn cosine(a: &[f64], b: &[f64]) -> f64 {
    dot(&unit(a), &unit(b))
}

/// Cosines of all row pairs.
pub fn cosines(z: &[Vec<f64>]) -> Vec<Vec<f64>> {
    z.iter().map(|a| z.iter().map(|b| cosine(a, b)).collect()).collect()
}

pub fn partner(i: usize, rows: usize) -> usize {
    (i + rows / 2) % rows
}

pub fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Whether backpropagating `loss` from a fresh leaf copy of `z` gives finite gradients.
pub fn gradients_are_finite(z: &Tensor, loss: impl Fn(&Tensor) -> Tensor) -> bool {
    let leaf = z.detach().copy().set_requires_grad(true);
    let l = loss(&leaf);
    l.backward();
    value(&l).is_finite() && bool::try_from(leaf.grad().isfinite().all()).unwrap()
}

/// Each cosine c_ij of the rows of `z` as its own 0-d tensor, built from scalar ops so that
/// references can differentiate through it without the code under test.
pub fn scalar_cosines(z: &Tensor) -> Vec<Vec<Tensor>> {
    let n = z.size()[0];
    let unit_rows: Vec<Tensor> =
        (0..n).map(|i| z.get(i) / z.get(i).square().sum(Kind::Double).sqrt()).collect();
    unit_rows.iter().map(|a| unit_rows.iter().map(|b| (a * b).sum(Kind::Double)).collect()).collect()
}

/// ∂loss/∂z at `z`, flattened.
pub fn gradient(z: &Tensor, loss: impl Fn(&Tensor) -> Tensor) -> Vec<f64> {
    let leaf = z.detach().copy().set_requires_grad(true);
    loss(&leaf).backward();
    values(&leaf.grad())
}

/// Mean over anchors of −log softmax, the partner as the class, over `logit(i, j)` for j ≠ i.
pub fn reference_info_nce(n2: usize, logit: impl Fn(usize, usize) -> f64) -> f64 {
    let per_anchor: Vec<f64> = (0..n2)
        .map(|i| {
            let others: Vec<f64> = (0..n2).filter(|&j| j != i).map(|j| logit(i, j)).collect();
            log_sum_exp(&others) - logit(i, partner(i, n2))
        })
        .collect();
    mean(&per_anchor)
}
