//! The OpenCL engine: `kernels/btpow_kernels.cl` with the same hash core as
//! the CUDA kernels (`kernels/btpow_core.h`), compiled at run time by the
//! platform's compiler (the binary cached in the user's cache directory),
//! so it runs on AMD, Intel, Apple and NVIDIA GPUs, and on PoCL (OpenCL on
//! the CPU) where no GPU is. One launch per range,
//! the lowest hit kept by `atomic_min` in a slot reset per launch. The
//! OpenCL loader is opened at run time: the same binary builds and runs
//! without OpenCL, and `--opencl` then says what is missing. A platform
//! may install signal handlers of its own (PoCL compiles with LLVM, which
//! installs some for SIGINT, SIGTERM and SIGHUP) and start threads:
//! `btpow-bench` blocks its stop signals in every thread before any engine
//! opens and takes them with `sigwait`, so neither takes a stop away.
//!
//! By default only GPU devices are used; others (the PoCL CPU device) only
//! when named (`--devices P:D`, or `BTPOW_OPENCL_DEVICES` for the forced
//! `opencl` backend). The errors say what is there, not which flag names a
//! device: each front end words that. Every solution is re-checked on the host: the seal
//! returned is the reference engine's for the nonce the device found, and
//! the solver checks it again before anything is shown or submitted.

use std::fmt;
use std::num::NonZeroU64;
use std::ptr;
use std::sync::Mutex;

use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::device::{Device, CL_DEVICE_TYPE_ALL, CL_DEVICE_TYPE_GPU};
use opencl3::kernel::Kernel;
use opencl3::memory::{Buffer, ClMem, CL_MEM_READ_ONLY, CL_MEM_READ_WRITE};
use opencl3::platform::get_platforms;
use opencl3::program::Program;
use opencl3::types::{cl_device_id, CL_BLOCKING};
use thiserror::Error;

use super::{Launch, Params, SearchKind};
use crate::engine::{Engine, SearchError, Solution};
use crate::job::Job;

/// The OpenCL source: the hash core, then the kernels.
const KERNEL_SOURCE: &str = concat!(
    include_str!("../../../kernels/btpow_core.h"),
    "\n",
    include_str!("../../../kernels/btpow_kernels.cl")
);

/// The most nonces one launch searches: offsets are 32-bit on the device
/// (32-bit atomics are core OpenCL C on every vendor).
const MAX_LAUNCH: u64 = u32::MAX as u64;

/// `cl3`'s code for a loader that cannot be opened.
const NO_LOADER: i32 = -2000;

/// `CL_PLATFORM_NOT_FOUND_KHR`: the loader finds no driver (ICD).
const NO_PLATFORM: i32 = -1001;

#[derive(Debug, Error)]
#[non_exhaustive]
/// Why the OpenCL engine cannot run.
pub enum OpenClError {
    #[error("no OpenCL loader (libOpenCL.so) found: install your GPU's OpenCL driver (and ocl-icd-libopencl1), or PoCL to run on the CPU")]
    /// No `libOpenCL.so`.
    NoLoader,
    #[error("no OpenCL GPU device found{}", others_text(.others))]
    /// No GPU device, and none named.
    NoGpu {
        /// The devices there are that are not GPUs (a CPU device, say):
        /// used only when named.
        others: Vec<DeviceId>,
    },
    #[error("OpenCL device {id} does not exist ({})", present_text(.present))]
    /// A device named that is not there.
    BadDevice {
        /// The device named.
        id: DeviceId,
        /// The devices there are.
        present: Vec<DeviceId>,
    },
    #[error("not an OpenCL device {name:?}: {why}")]
    /// A device name that does not parse.
    BadName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    #[error("an OpenCL call failed: {call}")]
    /// A call into the OpenCL runtime failed; its error is the source.
    Runtime {
        /// The call.
        call: &'static str,
        /// The runtime's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the OpenCL compiler refused the kernels on {device}: {log}")]
    /// The platform's compiler refused the kernels.
    Compile {
        /// The device.
        device: String,
        /// The build log.
        log: String,
    },
}

impl OpenClError {
    /// The message with every source below it, for a front end that shows
    /// one line.
    pub fn with_causes(&self) -> String {
        super::with_causes(self)
    }
}

fn others_text(others: &[DeviceId]) -> String {
    match others {
        [] => String::new(),
        [one] => format!(" (device {one} is not a GPU: it is used only when named)"),
        _ => {
            let ids: Vec<String> = others.iter().map(DeviceId::to_string).collect();
            format!(
                " (devices {} are not GPUs: they are used only when named)",
                ids.join(", ")
            )
        }
    }
}

fn present_text(present: &[DeviceId]) -> String {
    if present.is_empty() {
        "there is no OpenCL device".to_string()
    } else {
        let ids: Vec<String> = present.iter().map(DeviceId::to_string).collect();
        format!("the devices are {}", ids.join(", "))
    }
}

fn runtime(call: &'static str) -> impl Fn(opencl3::error_codes::ClError) -> OpenClError {
    move |e| {
        if e.0 == NO_LOADER {
            OpenClError::NoLoader
        } else {
            OpenClError::Runtime {
                call,
                source: Box::new(e),
            }
        }
    }
}

/// An OpenCL device by its place: the platform's index and the device's
/// index on it, as `btpow-bench engines` lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeviceId {
    /// The platform's index.
    pub platform: usize,
    /// The device's index on that platform.
    pub device: usize,
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.device)
    }
}

impl std::str::FromStr for DeviceId {
    type Err = OpenClError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why| OpenClError::BadName {
            name: s.to_string(),
            why,
        };
        let shape = "expected platform:device, two whole numbers (for example 0:0)";
        if s.trim_start().starts_with('-') {
            return Err(bad("a platform or device number is never negative"));
        }
        let (p, d) = s.split_once(':').ok_or_else(|| bad(shape))?;
        let whole = |t: &str| {
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        Ok(DeviceId {
            platform: whole(p).ok_or_else(|| bad(shape))?,
            device: whole(d).ok_or_else(|| bad(shape))?,
        })
    }
}

/// One OpenCL device as the platform describes it.
#[derive(Clone, Debug)]
pub struct DeviceInfo {
    /// Where it is.
    pub id: DeviceId,
    /// The platform's name (`Portable Computing Language`, `NVIDIA CUDA`, …).
    pub platform: String,
    /// The device's name.
    pub name: String,
    /// Whether it is a GPU (only GPUs are used unless named).
    pub gpu: bool,
    raw: cl_device_id,
}

/// Every OpenCL device of every platform, in the loader's order.
fn devices() -> Result<Vec<DeviceInfo>, OpenClError> {
    let mut out = Vec::new();
    let platforms = match get_platforms() {
        Ok(p) => p,
        // The loader is there but no driver (ICD) is installed.
        Err(e) if e.0 == NO_PLATFORM => Vec::new(),
        Err(e) => return Err(runtime("clGetPlatformIDs")(e)),
    };
    for (pi, platform) in platforms.into_iter().enumerate() {
        let platform_name = platform.name().unwrap_or_default();
        // A platform with no device answers with an error: no devices.
        let ids = platform.get_devices(CL_DEVICE_TYPE_ALL).unwrap_or_default();
        for (di, raw) in ids.into_iter().enumerate() {
            let d = Device::new(raw);
            out.push(DeviceInfo {
                id: DeviceId {
                    platform: pi,
                    device: di,
                },
                platform: platform_name.clone(),
                name: d.name().unwrap_or_default(),
                gpu: d.dev_type().is_ok_and(|t| t & CL_DEVICE_TYPE_GPU != 0),
                raw,
            });
        }
    }
    Ok(out)
}

/// The devices a run uses: those named, or else every GPU.
fn chosen(named: &[DeviceId]) -> Result<Vec<DeviceInfo>, OpenClError> {
    let all = devices()?;
    if named.is_empty() {
        let gpus: Vec<_> = all.iter().filter(|d| d.gpu).cloned().collect();
        if gpus.is_empty() {
            return Err(OpenClError::NoGpu {
                others: all.iter().map(|d| d.id).collect(),
            });
        }
        return Ok(gpus);
    }
    named
        .iter()
        .map(|id| {
            all.iter()
                .find(|d| d.id == *id)
                .cloned()
                .ok_or_else(|| OpenClError::BadDevice {
                    id: *id,
                    present: all.iter().map(|d| d.id).collect(),
                })
        })
        .collect()
}

/// The kernels built for `device`: from the cache when a cached binary for
/// this source, platform, device and driver loads and has the kernels;
/// otherwise compiled by the platform, and the binary cached (written
/// whole, beside the CUDA kernels' PTX) for the next run. A cache entry that
/// does not load is rebuilt and replaced.
fn program(context: &Context, device: &Device, info: &DeviceInfo) -> Result<Program, OpenClError> {
    let id = format!(
        "{KERNEL_SOURCE}\n{}\n{}\n{}\n{}",
        info.platform,
        info.name,
        device.driver_version().unwrap_or_default(),
        device.version().unwrap_or_default()
    );
    let key = crate::hex::encode(&crate::hash::sha256(id.as_bytes())[..12]);
    let path = crate::file::cache_dir().map(|d| d.join(format!("opencl-{key}.bin")));
    let cached = path
        .as_ref()
        .and_then(|p| crate::file::read_regular(p, 64 << 20).ok());
    if let Some(binary) = cached {
        if let Ok(program) = Program::create_and_build_from_binary(context, &[&binary], "") {
            if Kernel::create(&program, "btpow_search").is_ok() {
                return Ok(program);
            }
        }
    }
    let program =
        Program::create_and_build_from_source(context, KERNEL_SOURCE, "").map_err(|log| {
            OpenClError::Compile {
                device: format!("{} ({})", info.name, info.id),
                log,
            }
        })?;
    if let (Some(path), Ok(binaries)) = (path, program.get_binaries()) {
        if let [binary] = binaries.as_slice() {
            if !binary.is_empty() {
                // A cache that cannot be written only costs a compile next time.
                let _ = crate::file::write_atomically(&path, binary);
            }
        }
    }
    Ok(program)
}

/// One device with its compiled kernels.
struct Queue {
    queue: CommandQueue,
    context: Context,
    search: Kernel,
    seal: Kernel,
    roofline_sha256: Kernel,
    roofline_keccak: Kernel,
    /// Work-items per launch: enough to fill the device.
    width: usize,
}

impl Queue {
    fn open(info: &DeviceInfo) -> Result<Queue, OpenClError> {
        let device = Device::new(info.raw);
        let context = Context::from_device(&device).map_err(runtime("clCreateContext"))?;
        let queue =
            CommandQueue::create_default(&context, 0).map_err(runtime("clCreateCommandQueue"))?;
        let program = program(&context, &device, info)?;
        let search = Kernel::create(&program, "btpow_search").map_err(runtime("clCreateKernel"))?;
        let seal = Kernel::create(&program, "btpow_seal").map_err(runtime("clCreateKernel"))?;
        let roofline_sha256 =
            Kernel::create(&program, "btpow_roofline_sha256").map_err(runtime("clCreateKernel"))?;
        let roofline_keccak =
            Kernel::create(&program, "btpow_roofline_keccak").map_err(runtime("clCreateKernel"))?;
        let units = device.max_compute_units().unwrap_or(1).max(1) as usize;
        Ok(Queue {
            queue,
            context,
            search,
            seal,
            roofline_sha256,
            roofline_keccak,
            width: units * if info.gpu { 1024 } else { 16 },
        })
    }

    /// Enqueues `kernel`, its arguments set, over `global` work-items.
    fn enqueue(&self, kernel: &Kernel, global: usize) -> Result<(), OpenClError> {
        let sizes = [global];
        // SAFETY: one dimension, `sizes` holds it and outlives the call; no
        // offsets, the local size left to the platform, no events waited on.
        unsafe {
            self.queue.enqueue_nd_range_kernel(
                kernel.get(),
                1,
                ptr::null(),
                sizes.as_ptr(),
                ptr::null(),
                &[],
            )
        }
        .map(drop)
        .map_err(runtime("clEnqueueNDRangeKernel"))
    }

    fn params(&self, p: &Params) -> Result<Buffer<u8>, OpenClError> {
        let bytes = p.bytes();
        // SAFETY: a device buffer of `bytes.len()` bytes, no host pointer.
        let mut buf = unsafe {
            Buffer::<u8>::create(
                &self.context,
                CL_MEM_READ_ONLY,
                bytes.len(),
                ptr::null_mut(),
            )
        }
        .map_err(runtime("clCreateBuffer"))?;
        // SAFETY: a blocking write of `bytes` into a buffer of its size.
        unsafe {
            self.queue
                .enqueue_write_buffer(&mut buf, CL_BLOCKING, 0, &bytes, &[])
        }
        .map_err(runtime("clEnqueueWriteBuffer"))?;
        Ok(buf)
    }

    /// The first offset in `[0, count)` from `base` whose seal meets
    /// (`count` at most [`MAX_LAUNCH`]).
    fn search(
        &self,
        p: &Params,
        kind: SearchKind,
        base: u64,
        count: u64,
    ) -> Result<Option<u64>, OpenClError> {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let params = self.params(p)?;
        // SAFETY: a device buffer of one u32, no host pointer.
        let mut best =
            unsafe { Buffer::<u32>::create(&self.context, CL_MEM_READ_WRITE, 1, ptr::null_mut()) }
                .map_err(runtime("clCreateBuffer"))?;
        // SAFETY: a blocking write of one u32 into a buffer of one.
        unsafe {
            self.queue
                .enqueue_write_buffer(&mut best, CL_BLOCKING, 0, &[u32::MAX], &[])
        }
        .map_err(runtime("clEnqueueWriteBuffer"))?;
        let kind = kind as i32;
        let width = self.width.min(count.max(1) as usize);
        // SAFETY: the arguments match `btpow_search(global const
        // btpow_params*, int, ulong, uint, volatile global uint*)`, and
        // both buffers outlive the blocking read below, which waits for
        // the launch.
        unsafe {
            let k = &self.search;
            k.set_arg(0, &params.get())
                .map_err(runtime("clSetKernelArg"))?;
            k.set_arg(1, &kind).map_err(runtime("clSetKernelArg"))?;
            k.set_arg(2, &base).map_err(runtime("clSetKernelArg"))?;
            k.set_arg(3, &count).map_err(runtime("clSetKernelArg"))?;
            k.set_arg(4, &best.get())
                .map_err(runtime("clSetKernelArg"))?;
            self.enqueue(k, width)?;
        }
        let mut found = [0u32];
        // SAFETY: a blocking read of one u32 from a buffer of one.
        unsafe {
            self.queue
                .enqueue_read_buffer(&best, CL_BLOCKING, 0, &mut found, &[])
        }
        .map_err(runtime("clEnqueueReadBuffer"))?;
        Ok((found[0] != u32::MAX).then_some(u64::from(found[0])))
    }

    /// Nanoseconds per SHA-256 compression and per Keccak-f\[1600\] for the
    /// whole device: each microkernel runs `n` dependent calls on every
    /// work-item, `n` doubled until a launch takes a tenth of a second (the
    /// first, untimed, warms the kernel up).
    fn primitives(&self) -> Result<(f64, f64), OpenClError> {
        // SAFETY: a device buffer of one u64 per work-item, no host pointer
        // (the microkernels write one word of their state each).
        let sink = unsafe {
            Buffer::<u64>::create(
                &self.context,
                CL_MEM_READ_WRITE,
                self.width,
                ptr::null_mut(),
            )
        }
        .map_err(runtime("clCreateBuffer"))?;
        let time = |kernel: &Kernel| -> Result<f64, OpenClError> {
            // The first launch of a kernel may include its compilation
            // (PoCL compiles lazily): it is not timed.
            let mut n: u32 = 1;
            let mut warm = false;
            loop {
                let started = std::time::Instant::now();
                // SAFETY: the arguments match `btpow_roofline_*(uint,
                // global uint* or global ulong*)`; `sink` holds a u64 per
                // work-item (enough for either) and outlives `finish`.
                unsafe {
                    kernel.set_arg(0, &n).map_err(runtime("clSetKernelArg"))?;
                    kernel
                        .set_arg(1, &sink.get())
                        .map_err(runtime("clSetKernelArg"))?;
                    self.enqueue(kernel, self.width)?;
                }
                self.queue.finish().map_err(runtime("clFinish"))?;
                let elapsed = started.elapsed();
                if !warm {
                    warm = true;
                    continue;
                }
                if elapsed.as_millis() >= 100 || n >= 1 << 24 {
                    return Ok(elapsed.as_nanos() as f64 / (f64::from(n) * self.width as f64));
                }
                n *= 2;
            }
        };
        Ok((time(&self.roofline_sha256)?, time(&self.roofline_keccak)?))
    }

    fn seal(&self, p: &Params, kind: SearchKind, nonce: u64) -> Result<[u64; 4], OpenClError> {
        let params = self.params(p)?;
        // SAFETY: a device buffer of four u64s, no host pointer.
        let out =
            unsafe { Buffer::<u64>::create(&self.context, CL_MEM_READ_WRITE, 4, ptr::null_mut()) }
                .map_err(runtime("clCreateBuffer"))?;
        let kind = kind as i32;
        // SAFETY: the arguments match `btpow_seal(global const
        // btpow_params*, int, ulong, global ulong*)`; `out` holds four
        // u64s and outlives the blocking read below.
        unsafe {
            let k = &self.seal;
            k.set_arg(0, &params.get())
                .map_err(runtime("clSetKernelArg"))?;
            k.set_arg(1, &kind).map_err(runtime("clSetKernelArg"))?;
            k.set_arg(2, &nonce).map_err(runtime("clSetKernelArg"))?;
            k.set_arg(3, &out.get())
                .map_err(runtime("clSetKernelArg"))?;
            self.enqueue(k, 1)?;
        }
        let mut lanes = [0u64; 4];
        // SAFETY: a blocking read of four u64s from a buffer of four.
        unsafe {
            self.queue
                .enqueue_read_buffer(&out, CL_BLOCKING, 0, &mut lanes, &[])
        }
        .map_err(runtime("clEnqueueReadBuffer"))?;
        Ok(lanes)
    }
}

/// The OpenCL engine over one or more devices. Each `search` takes a free
/// device, so a solver with one thread per device keeps all of them busy.
pub struct OpenClGpu {
    queues: Vec<Mutex<Queue>>,
    names: Vec<String>,
    gpu: bool,
    /// Per device: ns per SHA-256 compression and per Keccak-f, measured
    /// once.
    primitives: std::sync::OnceLock<Result<Vec<(f64, f64)>, String>>,
}

impl OpenClGpu {
    /// Opens `named` devices, or every GPU when none is named, and compiles
    /// the kernels on each.
    pub fn open(named: &[DeviceId]) -> Result<OpenClGpu, OpenClError> {
        let infos = chosen(named)?;
        let queues = infos
            .iter()
            .map(|i| Queue::open(i).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(OpenClGpu {
            queues,
            names: infos
                .iter()
                .map(|i| format!("{} {} ({})", i.id, i.name, i.platform))
                .collect(),
            gpu: infos.iter().all(|i| i.gpu),
            primitives: std::sync::OnceLock::new(),
        })
    }

    /// Every OpenCL device of every platform, in the loader's order.
    pub fn devices() -> Result<Vec<DeviceInfo>, OpenClError> {
        devices()
    }

    /// The devices [`OpenClGpu::open`] would open for `named` (every GPU
    /// when none is named), or why it would fail to, without opening them:
    /// the same choice, made the same way.
    pub fn select(named: &[DeviceId]) -> Result<Vec<DeviceInfo>, OpenClError> {
        chosen(named)
    }

    /// The devices opened.
    pub fn device_count(&self) -> usize {
        self.queues.len()
    }

    /// The devices opened, as `P:D name (platform)`.
    pub fn device_names(&self) -> &[String] {
        &self.names
    }

    fn with_queue<T>(&self, f: impl FnOnce(&Queue) -> T) -> T {
        super::on_a_free_device(&self.queues, f)
    }
}

/// A device failure, as the engine reports it: the search did not happen.
fn device_error(e: OpenClError) -> SearchError {
    SearchError::Device {
        engine: "opencl",
        message: e.with_causes(),
    }
}

impl Engine for OpenClGpu {
    fn name(&self) -> &'static str {
        "opencl"
    }

    /// About a tenth of a second's work on a GPU; on a CPU device (PoCL),
    /// a chunk a stop still interrupts within a second.
    fn preferred_chunk(&self) -> NonZeroU64 {
        NonZeroU64::new(if self.gpu { 1 << 26 } else { 1 << 18 }).expect("not zero")
    }

    /// The sum over the devices of what each could do with its own
    /// SHA-256 and Keccak-f timed alone (on PoCL: a CPU's figures).
    fn device_bound(
        &self,
        scheme: crate::Scheme,
        order: crate::engine::Order,
    ) -> Option<Result<f64, SearchError>> {
        let measured = self.primitives.get_or_init(|| {
            self.queues
                .iter()
                .map(|q| {
                    let q = q.lock().unwrap_or_else(|e| e.into_inner());
                    q.primitives().map_err(|e| e.with_causes())
                })
                .collect()
        });
        let compressions = match (scheme, order) {
            (crate::Scheme::V1, crate::engine::Order::Sequential) => 2.0,
            _ => 1.0,
        };
        Some(match measured {
            Ok(devices) => Ok(devices
                .iter()
                .map(|(sha, keccak)| 1e9 / (sha * compressions + keccak))
                .sum()),
            Err(message) => Err(SearchError::Device {
                engine: "opencl",
                message: message.clone(),
            }),
        })
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

impl Launch for OpenClGpu {
    fn seal_lanes(
        &self,
        p: &Params,
        kind: SearchKind,
        nonce: u64,
    ) -> Result<[u64; 4], SearchError> {
        self.with_queue(|q| q.seal(p, kind, nonce))
            .map_err(device_error)
    }

    /// In launches of at most [`MAX_LAUNCH`] nonces.
    fn first_hit(
        &self,
        p: &Params,
        kind: SearchKind,
        base: u64,
        count: u64,
    ) -> Result<Option<u64>, SearchError> {
        let mut done = 0;
        while done < count {
            let n = (count - done).min(MAX_LAUNCH);
            let hit = self
                .with_queue(|q| q.search(p, kind, base + done, n))
                .map_err(device_error)?;
            if let Some(offset) = hit {
                return Ok(Some(done + offset));
            }
            done += n;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_loader_is_named_as_such() {
        let e = runtime("clGetPlatformIDs")(opencl3::error_codes::ClError(NO_LOADER));
        assert!(matches!(e, OpenClError::NoLoader), "{e:?}");
        assert!(e.to_string().contains("no OpenCL loader (libOpenCL.so)"));
        let other = runtime("clFinish")(opencl3::error_codes::ClError(-5));
        assert!(
            other
                .with_causes()
                .starts_with("an OpenCL call failed: clFinish: "),
            "{}",
            other.with_causes()
        );
    }

    #[test]
    fn errors_say_what_is_there_not_which_flag_names_a_device() {
        let id = |platform, device| DeviceId { platform, device };
        let texts = [
            (
                OpenClError::NoGpu {
                    others: vec![id(0, 0)],
                },
                "no OpenCL GPU device found (device 0:0 is not a GPU: it is used only when named)",
            ),
            (
                OpenClError::NoGpu {
                    others: vec![id(0, 0), id(1, 0)],
                },
                "no OpenCL GPU device found (devices 0:0, 1:0 are not GPUs: they are used only when named)",
            ),
            (
                OpenClError::NoGpu { others: vec![] },
                "no OpenCL GPU device found",
            ),
            (
                OpenClError::BadDevice {
                    id: id(9, 9),
                    present: vec![id(0, 0)],
                },
                "OpenCL device 9:9 does not exist (the devices are 0:0)",
            ),
            (
                OpenClError::BadDevice {
                    id: id(0, 0),
                    present: vec![],
                },
                "OpenCL device 0:0 does not exist (there is no OpenCL device)",
            ),
        ];
        for (e, text) in texts {
            assert_eq!(e.to_string(), text);
        }
        let negative = "-1:0".parse::<DeviceId>().unwrap_err().to_string();
        assert_eq!(
            negative,
            "not an OpenCL device \"-1:0\": a platform or device number is never negative"
        );
        let shape = "x".parse::<DeviceId>().unwrap_err().to_string();
        assert_eq!(
            shape,
            "not an OpenCL device \"x\": expected platform:device, two whole numbers (for example 0:0)"
        );
        // No front end's flag or command: Python has neither.
        for text in [negative, shape] {
            assert!(
                !text.contains("--devices") && !text.contains("btpow-bench"),
                "{text}"
            );
        }
    }

    #[test]
    fn device_names_parse_as_platform_and_device() {
        assert_eq!(
            "1:2".parse::<DeviceId>().unwrap(),
            DeviceId {
                platform: 1,
                device: 2
            }
        );
        for bad in ["", "1", ":1", "1:", "a:b", "1:2:3", "-1:0", "1: 2"] {
            assert!(bad.parse::<DeviceId>().is_err(), "{bad:?}");
        }
    }
}
