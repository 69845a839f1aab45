//! Losses shared by several methods.
use tch::{Kind, Reduction, Tensor};

/// NT-Xent (SimCLR): `z` holds 2N projections where rows i and i+N are two views of one image.
/// Each of the 2N anchors is classified against the other 2N−1 rows at cosine/τ; mean over
/// anchors.
pub fn nt_xent(z: &Tensor, temperature: f64) -> Tensor {
    let n2 = z.size()[0];
    assert!(n2 % 2 == 0 && n2 >= 2, "NT-Xent needs two views per image");
    let n = n2 / 2;
    let z = normalize(z);
    let eye = Tensor::eye(n2, (Kind::Bool, z.device()));
    let sim = (z.matmul(&z.tr()) / temperature).masked_fill(&eye, f64::NEG_INFINITY);
    let idx = Tensor::arange(n2, (Kind::Int64, z.device()));
    let positives = (idx + n).remainder(n2);
    sim.cross_entropy_loss::<Tensor>(&positives, None, Reduction::Mean, -100, 0.0)
}

/// Rows scaled to unit L2 norm.
pub fn normalize(z: &Tensor) -> Tensor {
    z / z.norm_scalaropt_dim(2, [1i64].as_slice(), true).clamp_min(1e-12)
}
