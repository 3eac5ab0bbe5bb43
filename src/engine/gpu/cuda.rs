//! The CUDA engine: `kernels/` compiled by NVRTC at run time (cached per
//! device architecture in the user's cache directory), one launch per
//! range with a whole-device grid, the lowest hit kept by `atomicMin`.
//! The driver and NVRTC are loaded dynamically: the same binary builds and
//! runs without CUDA, and `--cuda` then says what is missing. Whatever
//! signal handlers and threads the driver brings, `btpow-bench` blocks its
//! stop signals in every thread before any engine opens and takes them
//! with `sigwait`, as for OpenCL: they take no stop away.
//!
//! Every solution is re-checked on the host: the seal returned is the
//! reference engine's for the nonce the GPU found, and the solver checks it
//! again before anything is shown or submitted.

use std::sync::{Arc, Mutex};

use cudarc::driver::sys::CUdevice_attribute;
use cudarc::driver::{
    CudaContext, CudaFunction, CudaStream, DeviceRepr, LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::{CompileOptions, Ptx};
use thiserror::Error;

use super::{Params, SearchKind, KERNEL_SOURCE};
use crate::engine::{Engine, SearchError, Solution};
use crate::job::Job;

// SAFETY: `Params` is repr(C) plain data (integers only), laid out as the
// kernels' `btpow_params`; any bit pattern is valid on both sides.
unsafe impl DeviceRepr for Params {}

#[derive(Debug, Error)]
/// Why the CUDA engine cannot run.
#[non_exhaustive]
pub enum CudaError {
    #[error("no CUDA driver (libcuda.so) found: install the NVIDIA driver for this GPU")]
    /// No `libcuda.so`.
    NoDriver,
    #[error("no NVRTC (libnvrtc.so) found: install the CUDA toolkit, or `pip install nvidia-cuda-nvrtc-cu12` and add its lib directory to LD_LIBRARY_PATH")]
    /// No `libnvrtc.so`.
    NoNvrtc,
    #[error("no CUDA device found (the driver is loaded, but reports no GPU)")]
    /// The driver sees no GPU.
    NoDevice,
    #[error("CUDA device {0} does not exist ({1} found)")]
    /// `--devices` named a GPU that is not there: (asked, found).
    BadDevice(usize, usize),
    #[error("a CUDA driver call failed")]
    /// A driver call failed; the driver's error is the source.
    Driver(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("NVRTC could not compile the kernels: {0}")]
    /// NVRTC refused the kernels.
    Compile(String),
}

/// A device failure, as the engine reports it: the search did not happen.
fn device_error(e: CudaError) -> SearchError {
    SearchError::Device {
        engine: "cuda",
        message: e.with_causes(),
    }
}

fn driver<E: std::error::Error + Send + Sync + 'static>(e: E) -> CudaError {
    CudaError::Driver(Box::new(e))
}

impl CudaError {
    /// The message with every source below it, for a front end that shows
    /// one line.
    pub fn with_causes(&self) -> String {
        super::with_causes(self)
    }
}

/// One device, its compiled kernels and its launch shape.
struct Device {
    stream: Arc<CudaStream>,
    legacy: CudaFunction,
    v1: CudaFunction,
    v1_high: CudaFunction,
    seal: CudaFunction,
    /// Threads in flight: SM count × resident blocks × block size.
    grid: u32,
    block: u32,
}

/// Whether [`Device::ptx`] may read the cache.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cache {
    Use,
    Rebuild,
}

/// `sm_XY`, as the `&'static str` NVRTC's options take: each distinct
/// architecture is made once per process, however often devices are opened.
fn arch_name(major: i32, minor: i32) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let name = format!("sm_{major}{minor}");
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = names.iter().find(|n| **n == name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.push(leaked);
    leaked
}

impl Device {
    fn open(ordinal: usize) -> Result<Device, CudaError> {
        let ctx = CudaContext::new(ordinal).map_err(driver)?;
        let attr = |a| ctx.attribute(a).map_err(driver);
        let major = attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?;
        let minor = attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?;
        let sms = attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?.max(1) as u32;
        let arch = arch_name(major, minor);
        let device = ctx.name().unwrap_or_default();
        // A cached file that does not load (damaged, or from another
        // toolkit) is compiled anew and replaced.
        let module = match Self::ptx(arch, &device, Cache::Use)? {
            (ptx, true) => match ctx.load_module(ptx) {
                Ok(m) => m,
                Err(_) => ctx
                    .load_module(Self::ptx(arch, &device, Cache::Rebuild)?.0)
                    .map_err(driver)?,
            },
            (ptx, false) => ctx.load_module(ptx).map_err(driver)?,
        };
        let f = |name| module.load_function(name).map_err(driver);
        let block = 256;
        Ok(Device {
            stream: ctx.default_stream(),
            legacy: f("btpow_search_legacy")?,
            v1: f("btpow_search_v1")?,
            v1_high: f("btpow_search_v1_high")?,
            seal: f("btpow_seal")?,
            // Several resident blocks per SM, so every SM stays busy.
            grid: sms * 8,
            block,
        })
    }

    /// The kernels' PTX for `arch`, and whether it came from the cache
    /// (keyed by the source, the architecture, the device and the driver
    /// version); compiled and cached otherwise.
    fn ptx(arch: &'static str, device_name: &str, cache: Cache) -> Result<(Ptx, bool), CudaError> {
        let mut driver_version: std::os::raw::c_int = 0;
        // SAFETY: FFI into the driver, loaded (`CudaGpu::count` found the
        // library first); it writes one int through a valid pointer.
        let status = unsafe { cudarc::driver::sys::cuDriverGetVersion(&mut driver_version) };
        if status != cudarc::driver::sys::CUresult::CUDA_SUCCESS {
            return Err(CudaError::Driver(
                format!("cuDriverGetVersion: {status:?}").into(),
            ));
        }
        let id = format!("{KERNEL_SOURCE}\n{arch}\n{device_name}\n{driver_version}");
        let key = crate::hex::encode(&crate::hash::sha256(id.as_bytes())[..12]);
        let path = crate::file::cache_dir().map(|d| d.join(format!("kernels-{arch}-{key}.ptx")));
        if cache == Cache::Use {
            // A regular file of a bounded size (a PTX module is a few MiB);
            // anything else is rebuilt.
            let cached = path
                .as_ref()
                .and_then(|p| crate::file::read_regular(p, 64 << 20).ok())
                .and_then(|bytes| String::from_utf8(bytes).ok());
            if let Some(text) = cached {
                return Ok((Ptx::from_src(text), true));
            }
        }
        let opts = CompileOptions {
            arch: Some(arch),
            options: vec!["--std=c++17".into()],
            ..Default::default()
        };
        let ptx = cudarc::nvrtc::compile_ptx_with_opts(KERNEL_SOURCE, opts)
            .map_err(|e| CudaError::Compile(e.to_string()))?;
        if let Some(p) = path {
            // A cache that cannot be written only costs a compile next time.
            let _ = crate::file::write_atomically(&p, ptx.to_src());
        }
        Ok((ptx, false))
    }

    /// The first offset in `[0, count)` from `base` whose seal meets.
    fn search(
        &self,
        f: &CudaFunction,
        p: &Params,
        base: u64,
        count: u64,
    ) -> Result<Option<u64>, CudaError> {
        let params = self
            .stream
            .clone_htod(std::slice::from_ref(p))
            .map_err(driver)?;
        let mut best = self.stream.clone_htod(&[u64::MAX]).map_err(driver)?;
        let cfg = LaunchConfig {
            grid_dim: (self.grid, 1, 1),
            block_dim: (self.block, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(f);
        launch.arg(&params).arg(&base).arg(&count).arg(&mut best);
        // SAFETY: the arguments match the kernel's signature
        // (const btpow_params*, uint64_t, uint64_t, unsigned long long*),
        // and both buffers live until the copy below has synchronised.
        unsafe { launch.launch(cfg) }.map_err(driver)?;
        let mut found = [0u64];
        self.stream.memcpy_dtoh(&best, &mut found).map_err(driver)?;
        Ok((found[0] != u64::MAX).then_some(found[0]))
    }

    fn seal(&self, p: &Params, kind: SearchKind, nonce: u64) -> Result<[u64; 4], CudaError> {
        let params = self
            .stream
            .clone_htod(std::slice::from_ref(p))
            .map_err(driver)?;
        let mut out = self.stream.clone_htod(&[0u64; 4]).map_err(driver)?;
        let kind = kind as i32;
        let cfg = LaunchConfig {
            grid_dim: (1, 1, 1),
            block_dim: (1, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&self.seal);
        launch.arg(&params).arg(&kind).arg(&nonce).arg(&mut out);
        // SAFETY: the arguments match `btpow_seal(const btpow_params*, int,
        // uint64_t, uint64_t*)`; `out` holds four u64s.
        unsafe { launch.launch(cfg) }.map_err(driver)?;
        let mut lanes = [0u64; 4];
        self.stream.memcpy_dtoh(&out, &mut lanes).map_err(driver)?;
        Ok(lanes)
    }
}

/// The CUDA engine over one or more devices. Each `search` takes a free
/// device, so a solver with one thread per device keeps all of them busy.
pub struct CudaGpu {
    devices: Vec<Mutex<Device>>,
}

impl CudaGpu {
    /// The number of CUDA devices, or why there is no CUDA here. Checks the
    /// libraries first: cudarc panics if they are missing.
    pub fn count() -> Result<usize, CudaError> {
        // SAFETY: probing for the shared libraries has no preconditions.
        if !unsafe { cudarc::driver::sys::is_culib_present() } {
            return Err(CudaError::NoDriver);
        }
        // SAFETY: as above.
        if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
            return Err(CudaError::NoNvrtc);
        }
        let n = CudaContext::device_count().map_err(driver)?;
        match usize::try_from(n) {
            Ok(0) | Err(_) => Err(CudaError::NoDevice),
            Ok(n) => Ok(n),
        }
    }

    /// Opens `ordinals` (all devices if empty).
    pub fn open(ordinals: &[usize]) -> Result<CudaGpu, CudaError> {
        let n = CudaGpu::count()?;
        let list: Vec<usize> = if ordinals.is_empty() {
            (0..n).collect()
        } else {
            ordinals.to_vec()
        };
        let devices = list
            .iter()
            .map(|&i| {
                if i >= n {
                    Err(CudaError::BadDevice(i, n))
                } else {
                    Device::open(i).map(Mutex::new)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(CudaGpu { devices })
    }

    /// The GPUs opened.
    pub fn device_count(&self) -> usize {
        self.devices.len()
    }

    fn with_device<T>(&self, f: impl FnOnce(&Device) -> T) -> T {
        super::on_a_free_device(&self.devices, f)
    }
}

impl Engine for CudaGpu {
    fn name(&self) -> &'static str {
        "cuda"
    }

    /// A launch of about a second's work at ~1 G nonces/s.
    fn preferred_chunk(&self) -> std::num::NonZeroU64 {
        std::num::NonZeroU64::new(1 << 30).expect("not zero")
    }

    fn seal(&self, job: &Job, nonce: u64) -> Result<[u8; 32], SearchError> {
        super::seal(self, job, nonce)
    }

    fn search(&self, job: &Job, start: u64, count: u64) -> Result<Option<Solution>, SearchError> {
        super::search(self, job, start, count)
    }

    fn search_column(
        &self,
        job: &Job,
        low: u64,
        hi_first: u64,
        n: u64,
    ) -> Result<Option<(u64, [u8; 32])>, SearchError> {
        super::search_column(self, job, low, hi_first, n)
    }
}

impl super::Launch for CudaGpu {
    fn seal_lanes(
        &self,
        p: &Params,
        kind: SearchKind,
        nonce: u64,
    ) -> Result<[u64; 4], SearchError> {
        self.with_device(|d| d.seal(p, kind, nonce))
            .map_err(device_error)
    }

    fn first_hit(
        &self,
        p: &Params,
        kind: SearchKind,
        base: u64,
        count: u64,
    ) -> Result<Option<u64>, SearchError> {
        self.with_device(|d| {
            let f = match kind {
                SearchKind::Legacy => &d.legacy,
                SearchKind::V1Sequential => &d.v1,
                SearchKind::V1High => &d.v1_high,
            };
            d.search(f, p, base, count)
        })
        .map_err(device_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn architecture_names_are_made_once() {
        let a = arch_name(9, 0);
        let b = arch_name(9, 0);
        assert_eq!(a, "sm_90");
        assert!(std::ptr::eq(a, b));
        assert_eq!(arch_name(8, 6), "sm_86");
    }
}
