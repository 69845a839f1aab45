//! What the studio shows, computed apart from the UI: a grid of augmented samples of one
//! image (one column per view) and one sample after each step of the first view's pipeline.
//! It runs the very `Pipeline::apply` that training runs.
use super::{AugRng, Ctx, Pipeline};
use tch::{Kind, Tensor};

pub struct PreviewRequest {
    /// One image `[C, H, W]`, values in [0, 1], at the size training uses.
    pub image: Tensor,
    /// One pipeline per view (two for contrastive methods, weak and strong for FixMatch).
    pub views: Vec<Pipeline>,
    /// Samples per view.
    pub samples: i64,
    pub seed: u64,
    /// Images from another domain for mix-up, `[N, C, H, W]`.
    pub auxiliary: Option<Tensor>,
}

pub struct Preview {
    /// Per view, `[samples, C, H, W]`: sample i of every view comes from the same image draw.
    pub views: Vec<Tensor>,
    /// The first view's sample 0 before any step, then after each enabled step: (step index,
    /// image `[C, H, W]`); the input has no index.
    pub strip: Vec<(Option<usize>, Tensor)>,
}

impl PreviewRequest {
    pub fn render(&self) -> Preview {
        let mut repeats = vec![1i64; self.image.dim() + 1];
        repeats[0] = self.samples;
        let batch = self.image.unsqueeze(0).repeat(repeats.as_slice()).to_kind(Kind::Float);
        let mut rng = AugRng::new(self.seed);
        let mut strip = vec![(None, self.image.shallow_clone())];
        let views = self
            .views
            .iter()
            .enumerate()
            .map(|(v, pipeline)| {
                let mut view_rng = rng.fork();
                let mut ctx = Ctx { rng: &mut view_rng, auxiliary: self.auxiliary.as_ref() };
                pipeline.apply_each(&batch, &mut ctx, |step, x| {
                    if v == 0 {
                        strip.push((Some(step), x.get(0)));
                    }
                })
            })
            .collect();
        Preview { views, strip }
    }
}
