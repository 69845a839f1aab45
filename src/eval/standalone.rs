//! An encoder alone in a parameter store of its own: the frozen subject of the probes, and the
//! copy that fine-tuning changes while the run's checkpoint stays as it was.
use crate::nn::{Encoder, EncoderConfig};
use anyhow::Context;
use tch::nn::VarStore;
use tch::Device;

/// Where every method builds its encoder in the run's store (see `methods::two_view` and
/// `methods::mixssl`), so where its weights are found by name.
const ENCODER_PATH: &str = "encoder";

pub struct StandaloneEncoder {
    pub vs: VarStore,
    pub encoder: Encoder,
    config: EncoderConfig,
}

impl StandaloneEncoder {
    /// Fresh weights drawn from libtorch's generator seeded with `seed`, as a run draws its
    /// starting weights: with a run's seed, the untrained baseline that run set out from.
    pub fn random(config: &EncoderConfig, seed: u64, device: Device) -> Self {
        tch::manual_seed(seed as i64);
        let vs = VarStore::new(device);
        let encoder = Encoder::new(&(vs.root() / ENCODER_PATH), config);
        Self { vs, encoder, config: config.clone() }
    }

    /// A copy of the encoder that `weights` (a run's store, or another standalone encoder's)
    /// holds, on the same device; changing one never changes the other.
    pub fn copy_of(weights: &VarStore, config: &EncoderConfig) -> anyhow::Result<Self> {
        let mut vs = VarStore::new(weights.device());
        let encoder = Encoder::new(&(vs.root() / ENCODER_PATH), config);
        vs.copy(weights).with_context(|| {
            format!("the weights hold no encoder of this architecture under '{ENCODER_PATH}'")
        })?;
        Ok(Self { vs, encoder, config: config.clone() })
    }

    pub fn duplicate(&self) -> anyhow::Result<Self> {
        Self::copy_of(&self.vs, &self.config)
    }
}
