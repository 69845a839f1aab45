use super::cpu;
use super::tensor::{warp, Padding};
use super::{AugRng, Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// A crop of random area fraction and aspect ratio, resized back to the input size with
/// bilinear sampling (torchvision's RandomResizedCrop); in 3D the fraction is of the volume and
/// a second ratio sets depth against the in-plane sides. All crops of a batch are taken by one
/// `grid_sample` call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomResizedCrop {
    /// Range of the crop's area (volume in 3D) as a fraction of the image.
    pub scale: (f64, f64),
    /// Range of the crop's width / height (and, in 3D, depth / in-plane side).
    pub ratio: (f64, f64),
}

impl Default for RandomResizedCrop {
    fn default() -> Self {
        Self { scale: (0.08, 1.0), ratio: (3.0 / 4.0, 4.0 / 3.0) }
    }
}

impl RandomResizedCrop {
    /// Per sample, the crop as a map from output to input coordinates normalised to [-1, 1],
    /// one `(scale, centre)` per spatial axis, x first.
    fn draw(&self, b: i64, dims: usize, rng: &mut AugRng) -> Vec<Vec<(f64, f64)>> {
        let fraction = rng.uniforms(b, self.scale.0, self.scale.1);
        // Log-uniform aspect ratio, as torchvision. Where torchvision re-draws a crop that does
        // not fit, the sides are clamped to the image instead, keeping one draw per sample.
        let mut log_uniform = || rng.uniforms(b, self.ratio.0.ln(), self.ratio.1.ln());
        let ratio = log_uniform();
        let depth = if dims == 3 { log_uniform() } else { Vec::new() };
        // Sides as fractions of the image, x first, whose product is the drawn fraction.
        let sides: Vec<Vec<f64>> = (0..b as usize)
            .map(|i| {
                let (f, r) = (fraction[i] as f64, (ratio[i] as f64).exp());
                let sides = match dims {
                    2 => vec![(f * r).sqrt(), (f / r).sqrt()],
                    _ => {
                        let (c, d) = (f.cbrt(), (depth[i] as f64).exp());
                        let across = d.powf(-1.0 / 3.0);
                        vec![c * r.sqrt() * across, c / r.sqrt() * across, c * d.powf(2.0 / 3.0)]
                    }
                };
                sides.into_iter().map(|s| s.min(1.0)).collect()
            })
            .collect();
        // Centres keep the crop inside the image.
        let centres: Vec<Vec<f32>> = (0..dims).map(|_| rng.uniforms(b, -1.0, 1.0)).collect();
        sides
            .into_iter()
            .enumerate()
            .map(|(i, sides)| {
                sides.iter().enumerate().map(|(axis, s)| (*s, centres[axis][i] as f64 * (1.0 - s))).collect()
            })
            .collect()
    }
}

impl Augment for RandomResizedCrop {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let b = images.size()[0];
        let dims = images.dim() - 2;
        let crops = self.draw(b, dims, ctx.rng);
        if cpu::runs_here(images) && dims == 2 {
            let maps: Vec<[f32; 4]> =
                crops.iter().map(|c| [c[0].0, c[0].1, c[1].0, c[1].1].map(|v| v as f32)).collect();
            return cpu::crop::resample_batch(images, &maps);
        }
        // Rows of `[B, n, n + 1]`: the scale on the diagonal, the centre last.
        let theta: Vec<f32> = crops
            .iter()
            .flat_map(|crop| {
                (0..dims).flat_map(move |row| {
                    (0..=dims).map(move |col| match col {
                        c if c == row => crop[row].0 as f32,
                        c if c == dims => crop[row].1 as f32,
                        _ => 0.0,
                    })
                })
            })
            .collect();
        let n = dims as i64;
        let theta = Tensor::from_slice(&theta).view([b, n, n + 1]).to_device(images.device());
        // Crops lie inside the image, so the padding mode is never reached.
        warp(images, &theta, Padding::Border)
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Interval { name: "scale", value: &mut self.scale, range: (0.01, 1.0) },
            Param::Interval { name: "ratio", value: &mut self.ratio, range: (0.1, 10.0) },
        ]
    }
}
