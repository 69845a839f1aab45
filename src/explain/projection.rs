//! Embeddings `[N, D]` projected to 2D for a scatter plot: PCA, linear and exact, and t-SNE,
//! which keeps neighbourhoods rather than distances.
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

/// Points on the first two principal axes and the share of the variance each axis holds.
pub struct Pca2d {
    pub points: Vec<[f32; 2]>,
    pub explained_variance_ratio: [f64; 2],
}

/// Projects centred `features` onto their two leading right singular vectors. Each axis's sign
/// is fixed so that its largest loading is positive, so the same data always looks the same.
pub fn pca_2d(features: &Tensor) -> anyhow::Result<Pca2d> {
    let (n, d) = checked_rows(features)?;
    anyhow::ensure!(
        n >= 2 && d >= 2,
        "PCA to 2D needs at least 2 points of at least 2 dimensions, got [{n}, {d}]"
    );
    let x = features.detach().to_kind(Kind::Double);
    let centred = &x - x.mean_dim(0, true, Kind::Double);
    // tch's `linalg_svd` always passes a `driver`, which libtorch refuses on CPU; `svd` is the
    // same decomposition with V untransposed.
    let (_, singular, v) = centred.f_svd(true, true)?;
    let axes = v.narrow(1, 0, 2).transpose(0, 1);
    let signs = axes.gather(1, &axes.abs().argmax(1, true), false).sign();
    let points = centred.matmul(&(axes * signs).transpose(0, 1)).to_kind(Kind::Float).to_device(Device::Cpu);
    let variance = singular.square();
    let total = variance.sum(Kind::Double).double_value(&[]);
    let ratio = |i: i64| if total > 0.0 { variance.double_value(&[i]) / total } else { 0.0 };
    let points = Vec::<f32>::try_from(&points.contiguous().view([-1]))?;
    Ok(Pca2d { points: pairs(&points), explained_variance_ratio: [ratio(0), ratio(1)] })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TsneConfig {
    /// Effective number of neighbours each point attends to; needs more than 3× as many points.
    pub perplexity: f64,
    pub epochs: usize,
    /// Barnes-Hut accuracy: larger is faster and coarser; 0 runs the exact O(N²) algorithm.
    pub theta: f64,
    /// Seeds the initial layout, so a projection can be repeated.
    pub seed: u64,
}

impl Default for TsneConfig {
    fn default() -> Self {
        Self { perplexity: 30.0, epochs: 1000, theta: 0.5, seed: 0 }
    }
}

/// t-SNE of `features` to 2D with the `bhtsne` crate, Euclidean distances.
pub fn tsne_2d(features: &Tensor, cfg: &TsneConfig) -> anyhow::Result<Vec<[f32; 2]>> {
    let (n, d) = checked_rows(features)?;
    anyhow::ensure!(
        cfg.perplexity.is_finite() && cfg.perplexity >= 1.0,
        "t-SNE's perplexity must be at least 1, got {}",
        cfg.perplexity
    );
    anyhow::ensure!(
        cfg.theta.is_finite() && cfg.theta >= 0.0,
        "t-SNE's theta must be >= 0, got {}",
        cfg.theta
    );
    anyhow::ensure!(cfg.epochs >= 1, "t-SNE needs at least one epoch");
    // bhtsne searches floor(3·perplexity) neighbours of every point and panics without them.
    let neighbours = (3.0 * cfg.perplexity) as usize;
    anyhow::ensure!(
        n > neighbours,
        "t-SNE with perplexity {} needs at least {} points, got {n}: add points or lower the perplexity \
         below {:.1}",
        cfg.perplexity,
        neighbours + 1,
        (n.saturating_sub(1)) as f64 / 3.0
    );
    let flat = features.detach().to_kind(Kind::Float).to_device(Device::Cpu).contiguous().view([-1]);
    let values = Vec::<f32>::try_from(&flat)?;
    let rows: Vec<&[f32]> = values.chunks(d).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    // bhtsne's own random start draws from an unseeded generator; this is the same N(0, 1e-4).
    let start = Normal::new(0.0f32, 1e-4)?;
    let initial: Vec<f32> = (0..2 * n).map(|_| start.sample(&mut rng)).collect();
    // bhtsne's parallel sums (rayon) add in an order that follows work stealing, so under load the
    // same seed could give another layout. On a pool of one thread every sum has one order.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let embedding = pool.install(|| {
        let mut tsne: bhtsne::tSNE<f32, &[f32]> = bhtsne::tSNE::new(&rows);
        tsne.perplexity(cfg.perplexity as f32).epochs(cfg.epochs).initial_embedding(initial);
        if cfg.theta == 0.0 {
            tsne.exact(euclidean);
        } else {
            tsne.barnes_hut(cfg.theta as f32, euclidean);
        }
        tsne.embedding()
    });
    Ok(pairs(&embedding))
}

fn euclidean(a: &&[f32], b: &&[f32]) -> f32 {
    a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum::<f32>().sqrt()
}

/// `[N, D]` with finite values, as (N, D).
fn checked_rows(features: &Tensor) -> anyhow::Result<(usize, usize)> {
    let (n, d) = features.size2().map_err(|_| {
        anyhow::anyhow!("a projection takes features [N, D], got shape {:?}", features.size())
    })?;
    anyhow::ensure!(d > 0, "a projection needs features of at least one dimension, got [{n}, 0]");
    anyhow::ensure!(
        features.isfinite().all().int64_value(&[]) == 1,
        "the features hold NaN or infinite values"
    );
    Ok((n as usize, d as usize))
}

/// Row-major 2D coordinates as points.
fn pairs(values: &[f32]) -> Vec<[f32; 2]> {
    values.chunks_exact(2).map(|p| [p[0], p[1]]).collect()
}
