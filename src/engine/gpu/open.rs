//! Opening GPUs: the one place the command line, the solver, the forced
//! `cuda` and `opencl` backends and Python turn a choice of devices into an
//! engine.

use thiserror::Error;

#[cfg(feature = "opencl")]
use super::opencl::{DeviceId, OpenClError, OpenClGpu};
use crate::engine::Engine;

/// The GPUs a search runs on: one engine over all of them, one solver
/// thread each.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Gpus {
    /// CUDA devices by ordinal (empty: every CUDA GPU).
    Cuda(Vec<usize>),
    /// OpenCL devices by `platform:device` (empty: every OpenCL GPU).
    #[cfg(feature = "opencl")]
    OpenCl(Vec<DeviceId>),
}

/// Why GPUs could not be opened.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The CUDA engine cannot run.
    #[cfg(feature = "cuda")]
    #[error(transparent)]
    Cuda(#[from] super::cuda::CudaError),
    /// The OpenCL engine cannot run.
    #[cfg(feature = "opencl")]
    #[error(transparent)]
    OpenCl(#[from] OpenClError),
    /// This build left the engine out.
    #[error("this build has no {api} support (built without the `{feature}` feature)")]
    NotBuilt {
        /// `CUDA` or `OpenCL`.
        api: &'static str,
        /// The Cargo feature.
        feature: &'static str,
    },
}

impl OpenError {
    /// The message with every source below it, for a front end that shows
    /// one line.
    pub fn with_causes(&self) -> String {
        match self {
            #[cfg(feature = "cuda")]
            OpenError::Cuda(e) => e.with_causes(),
            #[cfg(feature = "opencl")]
            OpenError::OpenCl(e) => e.with_causes(),
            e => super::with_causes(e),
        }
    }
}

/// The engine over `gpus`, and how many devices it runs on (a solver
/// runs one thread each).
pub fn open(gpus: &Gpus) -> Result<(Box<dyn Engine>, usize), OpenError> {
    match gpus {
        #[cfg(feature = "cuda")]
        Gpus::Cuda(ordinals) => {
            let gpu = super::cuda::CudaGpu::open(ordinals)?;
            let count = gpu.device_count();
            Ok((Box::new(gpu), count))
        }
        #[cfg(not(feature = "cuda"))]
        Gpus::Cuda(_) => Err(OpenError::NotBuilt {
            api: "CUDA",
            feature: "cuda",
        }),
        #[cfg(feature = "opencl")]
        Gpus::OpenCl(named) => {
            let gpu = OpenClGpu::open(named)?;
            let count = gpu.device_count();
            Ok((Box::new(gpu), count))
        }
    }
}

/// The forced `cuda` backend's engine (`verify --engine cuda`, Python's
/// `solve(engine="cuda")`): every CUDA GPU.
pub(crate) fn open_forced_cuda() -> Result<Box<dyn Engine>, String> {
    open(&Gpus::Cuda(Vec::new()))
        .map(|(engine, _)| engine)
        .map_err(|e| e.with_causes())
}

/// The forced `opencl` backend's engine: the devices
/// `BTPOW_OPENCL_DEVICES` names, or every OpenCL GPU.
pub(crate) fn open_forced_opencl() -> Result<Box<dyn Engine>, String> {
    #[cfg(feature = "opencl")]
    {
        let named = opencl_forced()?;
        open(&Gpus::OpenCl(named))
            .map(|(engine, _)| engine)
            .map_err(|e| match e {
                OpenError::OpenCl(e) => opencl_forced_words(&e),
                e => e.with_causes(),
            })
    }
    #[cfg(not(feature = "opencl"))]
    Err(OpenError::NotBuilt {
        api: "OpenCL",
        feature: "opencl",
    }
    .to_string())
}

/// Why the forced `opencl` backend cannot run here, or `None`.
pub(crate) fn why_no_forced_opencl() -> Option<String> {
    #[cfg(feature = "opencl")]
    return opencl_forced().err();
    #[cfg(not(feature = "opencl"))]
    Some(
        OpenError::NotBuilt {
            api: "OpenCL",
            feature: "opencl",
        }
        .to_string(),
    )
}

/// Why the forced `cuda` backend cannot run here, or `None`.
pub(crate) fn why_no_forced_cuda() -> Option<String> {
    #[cfg(feature = "cuda")]
    return super::cuda::CudaGpu::count().err().map(|e| e.with_causes());
    #[cfg(not(feature = "cuda"))]
    Some(
        OpenError::NotBuilt {
            api: "CUDA",
            feature: "cuda",
        }
        .to_string(),
    )
}

/// The OpenCL devices `BTPOW_OPENCL_DEVICES` names (`P:D,…`; unset or
/// empty: none).
#[cfg(feature = "opencl")]
fn opencl_named() -> Result<Vec<DeviceId>, OpenClError> {
    std::env::var("BTPOW_OPENCL_DEVICES")
        .unwrap_or_default()
        .split(',')
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim().parse())
        .collect()
}

/// The devices the forced `opencl` backend runs on (those
/// `BTPOW_OPENCL_DEVICES` names, or every OpenCL GPU), chosen as
/// [`OpenClGpu::open`] chooses them; or why there are none, in the
/// words of that variable, the only way to name a device to this backend.
#[cfg(feature = "opencl")]
fn opencl_forced() -> Result<Vec<DeviceId>, String> {
    let named = opencl_named().map_err(|e| format!("BTPOW_OPENCL_DEVICES: {e}"))?;
    match OpenClGpu::select(&named) {
        Ok(_) => Ok(named),
        Err(e) => Err(opencl_forced_words(&e)),
    }
}

/// An OpenCL error of the forced backend, with what `BTPOW_OPENCL_DEVICES`
/// does where it would help.
#[cfg(feature = "opencl")]
fn opencl_forced_words(e: &OpenClError) -> String {
    match e {
        OpenClError::NoGpu { others } if !others.is_empty() => format!(
            "{}; BTPOW_OPENCL_DEVICES names the devices to use (platform:device, comma-separated)",
            e.with_causes()
        ),
        OpenClError::BadDevice { .. } => {
            format!("BTPOW_OPENCL_DEVICES: {}", e.with_causes())
        }
        _ => e.with_causes(),
    }
}

#[cfg(all(test, feature = "opencl"))]
mod tests {
    use super::*;

    /// The forced `opencl` backend (verify --engine opencl, Python's
    /// `solve(engine="opencl")`) is told its devices by
    /// BTPOW_OPENCL_DEVICES alone: its advice names that, never --devices.
    #[test]
    fn the_forced_opencl_backend_names_its_own_way_to_name_a_device() {
        let id = |platform, device| DeviceId { platform, device };
        let no_gpu = opencl_forced_words(&OpenClError::NoGpu {
            others: vec![id(0, 0)],
        });
        assert_eq!(
            no_gpu,
            "no OpenCL GPU device found (device 0:0 is not a GPU: it is used only when named); \
             BTPOW_OPENCL_DEVICES names the devices to use (platform:device, comma-separated)"
        );
        let missing = opencl_forced_words(&OpenClError::BadDevice {
            id: id(9, 9),
            present: vec![id(0, 0)],
        });
        assert_eq!(
            missing,
            "BTPOW_OPENCL_DEVICES: OpenCL device 9:9 does not exist (the devices are 0:0)"
        );
        // Nothing to name: no advice.
        let none = opencl_forced_words(&OpenClError::NoGpu { others: vec![] });
        assert_eq!(none, "no OpenCL GPU device found");
        for text in [no_gpu, missing, none] {
            assert!(
                !text.contains("--devices") && !text.contains("btpow-bench"),
                "{text}"
            );
        }
    }
}
