//! Backend selection at run time (burn 0.22 has no backend type parameter: the `Device` value
//! decides). `flex` is always compiled in; `wgpu` needs this crate's `wgpu` cargo feature.

use anyhow::Result;
#[cfg(not(feature = "wgpu"))]
use anyhow::bail;
use burn::tensor::Device;

/// Where tensors run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// burn-flex: pure-Rust CPU backend (default, fastest on CPU-only machines).
    Flex,
    /// burn-wgpu on the default adapter (a real GPU when present).
    Wgpu,
    /// burn-wgpu on a CPU adapter (Mesa lavapipe): tests the GPU code path without a GPU.
    WgpuCpu,
}

impl Backend {
    /// The burn device for this backend, or an error that says how to get it.
    pub fn device(self) -> Result<Device> {
        match self {
            Backend::Flex => Ok(Device::flex()),
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)),
            #[cfg(feature = "wgpu")]
            Backend::WgpuCpu => Ok(Device::wgpu(burn::tensor::DeviceKind::Cpu)),
            #[cfg(not(feature = "wgpu"))]
            Backend::Wgpu | Backend::WgpuCpu => bail!(
                "this neuron binary was built without the wgpu backend; rebuild with \
                 `cargo build --release --features wgpu` or use --device flex"
            ),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::Wgpu => "wgpu",
            Backend::WgpuCpu => "wgpu-cpu",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
