//! What the dashboard shows of the embeddings a two-view method compared in a step: the
//! mean cosine of positive and of negative pairs, alignment and uniformity (Wang & Isola
//! 2020) and the spread of the embedding (SimSiam's collapse measure) every step, and, from time to time, the batch's similarity matrix, the cosine
//! histograms and, for DySTreSS, τ(c) with the temperatures the batch's pairs got.
use crate::methods::losses::dystress::pair_temperatures;
use crate::methods::losses::normalize;
use crate::methods::Embeddings;
use tch::{Device, Kind, Tensor};

/// Images whose views the similarity matrix shows.
const MATRIX_IMAGES: i64 = 16;
/// Points of the τ(c) curve.
const CURVE_POINTS: i64 = 101;

/// Everything the dashboard draws of one step's embeddings.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    /// Cosines among the 2k views of the first k images, row-major `[2k, 2k]`: first views
    /// first, so view i's positive is at column (i + k) mod 2k.
    pub similarity: Vec<f32>,
    pub images: usize,
    /// cos of each image's two views.
    pub positive_cosines: Vec<f32>,
    /// cos of every pair of views of different images.
    pub negative_cosines: Vec<f32>,
    pub temperature: Option<TemperatureDiagnostics>,
}

/// DySTreSS's temperature profile and what the batch made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct TemperatureDiagnostics {
    /// (c, τ(c)) for c from −1 to 1.
    pub curve: Vec<[f64; 2]>,
    pub positive: Vec<f32>,
    pub negative: Vec<f32>,
}

/// The scalars plotted every step, named.
pub fn scalars(e: &Embeddings) -> Vec<(String, f64)> {
    let (u, v) = (normalize(&e.first.to_kind(Kind::Float)), normalize(&e.second.to_kind(Kind::Float)));
    let (positive, negative) = positive_and_negative(&u, &v);
    let alignment = (&u - &v).square().sum_dim_intlist(1, false, Kind::Float).mean(Kind::Float);
    let uniformity = (uniformity(&u) + uniformity(&v)) / 2.0;
    [("positive cosine", positive.mean(Kind::Float)), ("negative cosine", negative.mean(Kind::Float))]
        .into_iter()
        .map(|(name, t)| (name.to_string(), t.double_value(&[])))
        .chain([
            ("alignment".to_string(), alignment.double_value(&[])),
            ("uniformity".to_string(), uniformity),
            ("spread".to_string(), (spread(&u) + spread(&v)) / 2.0),
        ])
        .collect()
}

/// The full picture, for the dashboard's plots.
pub fn diagnose(e: &Embeddings) -> anyhow::Result<Diagnostics> {
    let (u, v) = (normalize(&e.first.to_kind(Kind::Float)), normalize(&e.second.to_kind(Kind::Float)));
    let (positive, negative) = positive_and_negative(&u, &v);
    let k = u.size()[0].min(MATRIX_IMAGES);
    let shown = Tensor::cat(&[u.narrow(0, 0, k), v.narrow(0, 0, k)], 0);
    let temperature = match e.temperature {
        None => None,
        Some(profile) => {
            let c = Tensor::linspace(-1.0, 1.0, CURVE_POINTS, (Kind::Float, Device::Cpu));
            let tau = profile.temperatures(&c)?;
            let pairs = pair_temperatures(&Tensor::cat(&[&u, &v], 0), profile)?;
            Some(TemperatureDiagnostics {
                curve: values(&c).iter().zip(values(&tau)).map(|(c, t)| [*c as f64, t as f64]).collect(),
                positive: values(&pairs.positive),
                negative: values(&pairs.negative),
            })
        }
    };
    Ok(Diagnostics {
        similarity: values(&shown.matmul(&shown.tr())),
        images: k as usize,
        positive_cosines: values(&positive),
        negative_cosines: values(&negative),
        temperature,
    })
}

/// cos of each image's two views `[N]`, and of all pairs of views of different images.
fn positive_and_negative(u: &Tensor, v: &Tensor) -> (Tensor, Tensor) {
    let n = u.size()[0];
    let z = Tensor::cat(&[u, v], 0);
    let cosines = z.matmul(&z.tr());
    let index = Tensor::arange(2 * n, (Kind::Int64, z.device())).remainder(n);
    let same_image = index.unsqueeze(1).eq_tensor(&index.unsqueeze(0));
    let positive = (u * v).sum_dim_intlist(1, false, Kind::Float);
    (positive, cosines.masked_select(&same_image.logical_not()))
}

/// The mean per-dimension standard deviation of unit vectors times √D: about 1 for directions
/// spread uniformly over the sphere, 0 when every image maps to one point (Chen & He 2021,
/// §4.1: the collapse without stop-gradient shows first here).
pub fn spread(x: &Tensor) -> f64 {
    let d = x.size()[1] as f64;
    x.std_dim(0, true, false).mean(Kind::Float).double_value(&[]) * d.sqrt()
}

/// log E exp(−2‖a − b‖²) over the pairs of distinct rows of unit vectors.
fn uniformity(x: &Tensor) -> f64 {
    let n = x.size()[0];
    if n < 2 {
        return 0.0;
    }
    let squared = (x.matmul(&x.tr()) * -2.0 + 2.0).clamp_min(0.0);
    let off_diagonal = Tensor::eye(n, (Kind::Bool, x.device())).logical_not();
    let kernel = (squared.masked_select(&off_diagonal) * -2.0).exp();
    kernel.mean(Kind::Float).log().double_value(&[])
}

fn values(t: &Tensor) -> Vec<f32> {
    Vec::<f32>::try_from(t.detach().to_kind(Kind::Float).to_device(Device::Cpu).flatten(0, -1))
        .expect("a float tensor converts to a vector")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_zero_for_one_point_and_about_one_for_the_signed_basis() {
        let d = 8;
        let one_point = normalize(&Tensor::ones([16, d], (Kind::Float, Device::Cpu)));
        assert!(spread(&one_point).abs() < 1e-6);
        // ±e_i: each dimension holds +1 and −1 once among 2D rows, so its std is √(2/(2D−1)).
        let eye = Tensor::eye(d, (Kind::Float, Device::Cpu));
        let basis = Tensor::cat(&[&eye, &(-&eye)], 0);
        let expected = (2.0 * d as f64 / (2.0 * d as f64 - 1.0)).sqrt();
        assert!((spread(&basis) - expected).abs() < 1e-5, "{}", spread(&basis));
    }
}
