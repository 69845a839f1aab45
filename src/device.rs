//! Which device a run uses: CUDA when libtorch sees a GPU, CPU otherwise, or CPU on request.
use serde::{Deserialize, Serialize};
use tch::Device;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// The first CUDA device when there is one, else the CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
}

impl DeviceChoice {
    pub const ALL: [DeviceChoice; 3] = [DeviceChoice::Auto, DeviceChoice::Cpu, DeviceChoice::Cuda];

    pub fn label(self) -> &'static str {
        match self {
            DeviceChoice::Auto => "auto",
            DeviceChoice::Cpu => "cpu",
            DeviceChoice::Cuda => "cuda",
        }
    }

    pub fn parse(s: &str) -> anyhow::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|d| d.label() == s)
            .ok_or_else(|| anyhow::anyhow!("unknown device '{s}': use auto, cpu or cuda"))
    }

    /// The device to create tensors on; asking for CUDA without a GPU is an error, not a
    /// silent fall-back, so a user who forced the GPU learns that it is missing.
    pub fn resolve(self) -> anyhow::Result<Device> {
        match self {
            DeviceChoice::Auto => Ok(Device::cuda_if_available()),
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Cuda if tch::Cuda::is_available() => Ok(Device::Cuda(0)),
            DeviceChoice::Cuda => anyhow::bail!("CUDA was requested but libtorch sees no GPU"),
        }
    }
}

/// A short human description, e.g. "CUDA:0 (1 GPU)" or "CPU (2 threads)".
pub fn describe(device: Device) -> String {
    match device {
        Device::Cuda(i) => format!("CUDA:{i} ({} GPU)", tch::Cuda::device_count()),
        _ => match tch::get_num_threads() {
            1 => "CPU (1 thread)".to_string(),
            n => format!("CPU ({n} threads)"),
        },
    }
}

/// Limits this thread's libtorch ops and CPU augmentation kernels to `threads` threads.
pub fn use_threads(threads: usize) {
    tch::set_num_threads(threads as i32);
    crate::augment::cpu::set_threads(threads);
}

/// libtorch's intra-op thread count for a run: an explicit request wins; otherwise every core
/// for headless work, and all but one when a window must stay responsive.
pub fn threads_for(requested: Option<usize>, keep_one_core_free: bool) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    requested.unwrap_or(if keep_one_core_free { cores.saturating_sub(1) } else { cores }).max(1)
}
