//! `btpow._btpow`: btpow's engines for Python. The bittensor-core contract
//! (`pow_mine_cpu`, `PowGpuMiner`, `pow_gpu_devices`) is `btpow::miner`;
//! `seal`, `solve`, `meets` and `engines` are the library's own API. Every
//! call that hashes releases the GIL; no panic crosses into Python (PyO3
//! turns one into an exception), and errors carry the library's messages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use btpow::challenge::{PartValue, Parts};
use btpow::engine::gpu::{self, Gpus};
use btpow::engine::{Backend, EngineError, Order, Solution};
use btpow::miner::{Miner, MinerError};
use btpow::solver::{Request, SettingsError};
use btpow::solver::{SolveOptions, SolveOutcome, Solver};
use btpow::{Challenge, Difficulty, Engine, Job, JobData, Rule, Scheme, V1Challenge};
use pyo3::exceptions::{
    PyKeyboardInterrupt, PyOverflowError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A settings error, its value named by the keyword it came from.
fn settings_error(keyword: &str, e: SettingsError) -> PyErr {
    match e {
        SettingsError::Engine(e) => engine_error(e),
        SettingsError::Gpu(m) => PyRuntimeError::new_err(m),
        other => value_error(format!("{keyword}: {other}")),
    }
}

/// `max_time` as a duration, checked as the command line's `--max-time`.
fn time_limit(seconds: Option<f64>) -> PyResult<Option<Duration>> {
    seconds
        .map(Request::seconds)
        .transpose()
        .map_err(|e| settings_error("max_time", e))
}

/// `[start, start + attempts)` checked: not empty (`pow_mine_cpu` refuses 0
/// attempts too), not past 2^64-1.
fn nonce_range(start: u64, attempts: Option<u64>) -> PyResult<()> {
    match attempts {
        None => Ok(()),
        Some(0) => Err(value_error(
            "attempts must be at least 1 (0 is an empty range; None searches without a bound)",
        )),
        Some(n) => btpow::engine::RangeError::check(start, n).map_err(value_error),
    }
}

/// A thread count, checked as the command line's `--threads`; every core
/// when not given.
fn thread_count(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        None => Ok(Request::all_cores()),
        Some(n) => Request::threads(n).map_err(|e| settings_error("threads", e)),
    }
}

/// The fastest CPU engine of this machine, made once.
fn best_cpu_engine() -> PyResult<Arc<dyn Engine>> {
    static BEST: OnceLock<Arc<dyn Engine>> = OnceLock::new();
    if let Some(e) = BEST.get() {
        return Ok(e.clone());
    }
    let engine: Arc<dyn Engine> = Backend::detect().engine().map_err(engine_error)?.into();
    Ok(BEST.get_or_init(|| engine).clone())
}

/// The CPU miner on `threads` threads, made once per thread count and kept:
/// its worker threads wait between the SDK's batches.
fn cpu_miner(threads: usize) -> PyResult<Arc<Miner>> {
    static MINERS: OnceLock<Mutex<HashMap<usize, Arc<Miner>>>> = OnceLock::new();
    let engine = best_cpu_engine()?;
    let mut miners = MINERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    Ok(miners
        .entry(threads)
        .or_insert_with(|| Arc::new(Miner::new(engine, threads)))
        .clone())
}

fn engine_error(e: EngineError) -> PyErr {
    match e {
        EngineError::Unknown { .. } => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

fn miner_error(e: MinerError) -> PyErr {
    match e {
        MinerError::Solve(e) => PyRuntimeError::new_err(e.to_string()),
        e => PyValueError::new_err(e.to_string()),
    }
}

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn answer(py: Python<'_>, found: Option<Solution>) -> Option<(u64, Py<PyBytes>)> {
    found.map(|s| (s.nonce, PyBytes::new(py, &s.seal).unbind()))
}

/// Search one bounded nonce interval on every core, without holding the GIL.
///
/// bittensor-core's `pow_mine_cpu`, the same contract: `prefix` is the SDK's
/// 123-byte `registration_prefix`; the answer is the first nonce of
/// `start, start+1, …, start+attempts-1` (modulo 2^64) whose seal meets
/// `difficulty`, as `(nonce, seal)`, or None. `attempts` is 1..1048576.
/// `threads` (keyword only, not bittensor-core's) defaults to every core.
#[pyfunction]
#[pyo3(signature = (prefix, difficulty, start, attempts, *, threads = None))]
fn pow_mine_cpu(
    py: Python<'_>,
    prefix: Vec<u8>,
    difficulty: u64,
    start: u64,
    attempts: u32,
    threads: Option<usize>,
) -> PyResult<Option<(u64, Py<PyBytes>)>> {
    let miner = cpu_miner(thread_count(threads)?)?;
    let found = py
        .detach(|| miner.mine(&prefix, difficulty, start, u64::from(attempts)))
        .map_err(miner_error)?;
    Ok(answer(py, found))
}

/// The GPUs btpow mines on, in the order `pow_gpu_devices` numbers them:
/// the CUDA devices first, then the OpenCL GPUs (without those of NVIDIA's
/// OpenCL platform when CUDA drives them already).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gpu {
    #[cfg_attr(not(feature = "cuda"), allow(dead_code))]
    Cuda(usize),
    #[cfg(feature = "opencl")]
    OpenCl(btpow::engine::opencl::DeviceId),
}

fn gpus() -> Vec<Gpu> {
    #[allow(unused_mut)]
    let mut list = Vec::new();
    #[cfg(feature = "cuda")]
    if let Ok(n) = btpow::engine::cuda::CudaGpu::count() {
        list.extend((0..n).map(Gpu::Cuda));
    }
    #[cfg(feature = "opencl")]
    if let Ok(devices) = btpow::engine::opencl::OpenClGpu::devices() {
        let cuda = !list.is_empty();
        list.extend(
            devices
                .into_iter()
                .filter(|d| d.gpu && !(cuda && d.platform.contains("NVIDIA")))
                .map(|d| Gpu::OpenCl(d.id)),
        );
    }
    list
}

/// The GPUs there are (CUDA first, then OpenCL), as indices for
/// `PowGpuMiner`; empty without a usable GPU.
#[pyfunction]
fn pow_gpu_devices(py: Python<'_>) -> Vec<usize> {
    py.detach(|| (0..gpus().len()).collect())
}

/// Every OpenCL device, GPU or not, as `(id, name, platform, is_gpu)`; `id`
/// (`"platform:device"`) is what `PowGpuMiner(opencl_devices=[...])` takes
/// (PoCL's CPU device, say, which `pow_gpu_devices` leaves out).
#[pyfunction]
fn opencl_devices(py: Python<'_>) -> Vec<(String, String, String, bool)> {
    py.detach(|| {
        #[cfg(feature = "opencl")]
        if let Ok(devices) = btpow::engine::opencl::OpenClGpu::devices() {
            return devices
                .into_iter()
                .map(|d| (d.id.to_string(), d.name, d.platform, d.gpu))
                .collect();
        }
        Vec::new()
    })
}

/// bittensor-core's `PowGpuMiner` contract on btpow's GPU kernels: the CUDA
/// engine, or the OpenCL engine (AMD, Intel, Apple GPUs; the same hash
/// core), on the GPUs `device_ids` selects (indices of
/// `pow_gpu_devices()`; all of one kind when None, CUDA first), or on the
/// OpenCL devices `opencl_devices` names (`"platform:device"`, any device
/// type). Raises RuntimeError where there is no usable GPU.
#[pyclass(module = "btpow", frozen)]
struct PowGpuMiner {
    miner: Miner,
    devices: Vec<usize>,
}

#[pymethods]
impl PowGpuMiner {
    #[new]
    #[pyo3(signature = (device_ids = None, opencl_devices = None))]
    fn new(
        py: Python<'_>,
        device_ids: Option<Vec<usize>>,
        opencl_devices: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let (engine, devices) = py.detach(|| open_gpus(device_ids, opencl_devices))?;
        let threads = devices.len().max(1);
        Ok(PowGpuMiner {
            miner: Miner::new(engine, threads),
            devices,
        })
    }

    /// The device indices this miner runs on (of `pow_gpu_devices()`; for
    /// devices named by `opencl_devices`, their positions in that list).
    #[getter]
    fn devices(&self) -> Vec<usize> {
        self.devices.clone()
    }

    /// Search `attempts_per_device` nonces per device from `start`: the
    /// first valid nonce of the `len(devices) × attempts_per_device` nonces
    /// from `start` (modulo 2^64), as `(nonce, seal)`, or None.
    #[pyo3(signature = (prefix, difficulty, start, attempts_per_device))]
    fn mine(
        &self,
        py: Python<'_>,
        prefix: Vec<u8>,
        difficulty: u64,
        start: u64,
        attempts_per_device: u32,
    ) -> PyResult<Option<(u64, Py<PyBytes>)>> {
        let prefix = Miner::check_prefix(&prefix).map_err(miner_error)?;
        let per_device = u64::from(attempts_per_device);
        Miner::check_attempts(per_device).map_err(miner_error)?;
        let total = per_device * self.devices.len() as u64;
        let found = py
            .detach(|| self.miner.mine_unbounded(prefix, difficulty, start, total))
            .map_err(miner_error)?;
        Ok(answer(py, found))
    }
}

fn gpu_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

/// The engine for the selected GPUs, and their indices.
fn open_gpus(
    device_ids: Option<Vec<usize>>,
    opencl_devices: Option<Vec<String>>,
) -> PyResult<(Arc<dyn Engine>, Vec<usize>)> {
    if let Some(named) = opencl_devices {
        if device_ids.is_some() {
            return Err(PyValueError::new_err(
                "give device_ids or opencl_devices, not both",
            ));
        }
        return open_opencl_named(&named);
    }
    let all = gpus();
    // An empty list means every GPU, as None does (bittensor-core's miner
    // opened every device for it).
    let device_ids = device_ids.filter(|ids| !ids.is_empty());
    let chosen: Vec<(usize, Gpu)> = match device_ids {
        None => {
            // All of the first kind there is: CUDA first.
            let first = all.first().copied().ok_or_else(|| {
                gpu_error("no usable GPU: no CUDA device (driver and NVRTC) and no OpenCL GPU")
            })?;
            all.iter()
                .copied()
                .enumerate()
                .filter(|(_, g)| std::mem::discriminant(g) == std::mem::discriminant(&first))
                .collect()
        }
        Some(ids) => ids
            .into_iter()
            .map(|i| {
                all.get(i).map(|g| (i, *g)).ok_or_else(|| {
                    gpu_error(format!("GPU {i} does not exist ({} found)", all.len()))
                })
            })
            .collect::<PyResult<_>>()?,
    };
    let indices: Vec<usize> = chosen.iter().map(|(i, _)| *i).collect();
    let cuda: Vec<usize> = chosen
        .iter()
        .filter_map(|(_, g)| match g {
            Gpu::Cuda(n) => Some(*n),
            #[allow(unreachable_patterns)]
            _ => None,
        })
        .collect();
    if cuda.len() == chosen.len() && !cuda.is_empty() {
        #[cfg(feature = "cuda")]
        {
            let (gpu, _) = gpu::open(&Gpus::Cuda(cuda)).map_err(|e| gpu_error(e.with_causes()))?;
            return Ok((gpu.into(), indices));
        }
    }
    #[cfg(feature = "opencl")]
    {
        let opencl: Vec<_> = chosen
            .iter()
            .filter_map(|(_, g)| match g {
                Gpu::OpenCl(id) => Some(*id),
                _ => None,
            })
            .collect();
        if opencl.len() == chosen.len() && !opencl.is_empty() {
            let (gpu, _) =
                gpu::open(&Gpus::OpenCl(opencl)).map_err(|e| gpu_error(e.with_causes()))?;
            return Ok((gpu.into(), indices));
        }
    }
    Err(PyValueError::new_err(
        "device_ids mixes CUDA and OpenCL devices: choose devices of one kind",
    ))
}

#[cfg(feature = "opencl")]
fn open_opencl_named(named: &[String]) -> PyResult<(Arc<dyn Engine>, Vec<usize>)> {
    let ids = named
        .iter()
        .map(|n| {
            n.parse().map_err(|e: btpow::engine::opencl::OpenClError| {
                PyValueError::new_err(e.to_string())
            })
        })
        .collect::<PyResult<Vec<btpow::engine::opencl::DeviceId>>>()?;
    if ids.is_empty() {
        return Err(PyValueError::new_err("opencl_devices is empty"));
    }
    let count = ids.len();
    let (gpu, _) = gpu::open(&Gpus::OpenCl(ids)).map_err(|e| gpu_error(e.with_causes()))?;
    Ok((gpu.into(), (0..count).collect()))
}

#[cfg(not(feature = "opencl"))]
fn open_opencl_named(_: &[String]) -> PyResult<(Arc<dyn Engine>, Vec<usize>)> {
    Err(gpu_error(
        "this build has no OpenCL support (built without the `opencl` feature)",
    ))
}

/// What an out-of-range `netuid` is told: the argument, its range, and the
/// value given (shortened if long).
fn netuid_range_message(given: &str) -> String {
    let shown: String = if given.chars().count() > 40 {
        given.chars().take(37).chain("...".chars()).collect()
    } else {
        given.to_string()
    };
    format!("netuid must be a subnet number from 0 to 65535, got {shown}")
}

/// The `netuid` argument as a subnet number. PyO3's own conversion names
/// neither the argument nor the range when the integer does not fit.
fn netuid_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u16>> {
    let Some(value) = value else {
        return Ok(None);
    };
    value.extract::<u16>().map(Some).map_err(|e| {
        let py = value.py();
        if e.is_instance_of::<PyOverflowError>(py) {
            let given = value
                .str()
                .map(|s| s.to_string())
                .unwrap_or_else(|_| "an integer out of range".into());
            PyOverflowError::new_err(netuid_range_message(&given))
        } else if e.is_instance_of::<PyTypeError>(py) {
            PyTypeError::new_err(format!("argument 'netuid': {}", e.value(py)))
        } else {
            e
        }
    })
}

/// A public value given as bytes or as text (hex; SS58 for accounts).
#[derive(FromPyObject)]
enum Value {
    Bytes(Vec<u8>),
    Text(String),
}

impl From<Value> for PartValue {
    fn from(v: Value) -> Self {
        match v {
            Value::Bytes(b) => PartValue::Bytes(b),
            Value::Text(t) => PartValue::Text(t),
        }
    }
}

/// The challenge the keyword arguments describe (as the command line's
/// `--scheme/--block-hash/--hotkey/--coldkey/--netuid`, or a v1 `prefix`).
struct ChallengeArgs {
    scheme: String,
    prefix: Option<Vec<u8>>,
    block_hash: Option<Value>,
    hotkey: Option<Value>,
    coldkey: Option<Value>,
    netuid: Option<u16>,
}

impl ChallengeArgs {
    fn job_data(self) -> PyResult<JobData> {
        let scheme: Scheme = self.scheme.parse().map_err(value_error)?;
        let parts = Parts {
            block_hash: self.block_hash.map(Into::into),
            hotkey: self.hotkey.map(Into::into),
            coldkey: self.coldkey.map(Into::into),
            netuid: self.netuid,
        };
        if let Some(prefix) = self.prefix {
            if scheme != Scheme::V1 {
                return Err(value_error("prefix is the v1 scheme's challenge"));
            }
            if parts.any_given() {
                return Err(value_error(
                    "give either prefix or block_hash/hotkey/coldkey/netuid, not both",
                ));
            }
            let prefix: [u8; V1Challenge::PREFIX_LEN] =
                prefix.as_slice().try_into().map_err(|_| {
                    value_error(format!(
                        "prefix: expected {} bytes, got {}",
                        V1Challenge::PREFIX_LEN,
                        prefix.len()
                    ))
                })?;
            // The domain tag as `pow_mine_cpu` checks it; netuid 0 is a
            // challenge like any other here, as it is from its parts.
            match Miner::check_prefix(&prefix) {
                Ok(_) | Err(MinerError::Root) => {}
                Err(_) => {
                    return Err(value_error(format!(
                        "prefix: expected a v1 challenge prefix, which begins with {:?}",
                        String::from_utf8_lossy(V1Challenge::DOMAIN)
                    )))
                }
            }
            return Ok(JobData::V1 { prefix });
        }
        Ok(match parts.challenge(scheme).map_err(value_error)? {
            Challenge::Legacy(c) => JobData::Legacy {
                block_and_hotkey_hash: c.block_and_hotkey_hash(),
            },
            Challenge::V1(c) => JobData::V1 { prefix: c.prefix() },
        })
    }
}

fn job(args: ChallengeArgs, rule: Option<&str>, difficulty: u64) -> PyResult<Job> {
    let data = args.job_data()?;
    let rule = match rule {
        Some(r) => r.parse::<Rule>().map_err(value_error)?,
        None => Rule::default_for(match data {
            JobData::Legacy { .. } => Scheme::Legacy,
            JobData::V1 { .. } => Scheme::V1,
        }),
    };
    let difficulty = Difficulty::new(difficulty).map_err(value_error)?;
    Job::from_data(data, rule, difficulty).map_err(value_error)
}

/// The seal of `nonce` for a challenge (the reference engine). A `prefix`
/// must begin with the v1 domain tag, as `pow_mine_cpu` checks.
#[pyfunction]
#[pyo3(signature = (nonce, *, scheme = "v1".to_string(), prefix = None, block_hash = None, hotkey = None, coldkey = None, netuid = None))]
#[allow(clippy::too_many_arguments)]
fn seal(
    py: Python<'_>,
    nonce: u64,
    scheme: String,
    prefix: Option<Vec<u8>>,
    block_hash: Option<Value>,
    hotkey: Option<Value>,
    coldkey: Option<Value>,
    netuid: Option<Bound<'_, PyAny>>,
) -> PyResult<Py<PyBytes>> {
    let args = ChallengeArgs {
        scheme,
        prefix,
        block_hash,
        hotkey,
        coldkey,
        netuid: netuid_arg(netuid.as_ref())?,
    };
    let job = job(args, None, 1)?;
    Ok(PyBytes::new(py, &btpow::seal(&job, nonce)).unbind())
}

/// Whether `seal` meets `difficulty` under `rule` (python, chain-be, chain-le or v1).
#[pyfunction]
#[pyo3(signature = (seal, difficulty, rule = "v1"))]
fn meets(seal: Vec<u8>, difficulty: u64, rule: &str) -> PyResult<bool> {
    let seal: [u8; 32] = seal
        .as_slice()
        .try_into()
        .map_err(|_| value_error(format!("seal: expected 32 bytes, got {}", seal.len())))?;
    let rule: Rule = rule.parse().map_err(value_error)?;
    let difficulty = Difficulty::new(difficulty).map_err(value_error)?;
    Ok(btpow::Target::new(rule, difficulty).meets(&seal))
}

/// The engines this machine runs, fastest CPU engine first.
#[pyfunction]
fn engines(py: Python<'_>) -> Vec<&'static str> {
    py.detach(|| {
        let best = Backend::detect();
        let mut names = vec![best.name()];
        names.extend(
            btpow::engine::Backend::available()
                .into_iter()
                .filter(|&b| b != best)
                .map(Backend::name),
        );
        names
    })
}

/// Solve a challenge: `(nonce, seal)` or None.
///
/// With `attempts`, the first valid nonce of `[start, start + attempts)` in
/// ascending order (the range may be neither empty, as `pow_mine_cpu`
/// refuses 0 attempts, nor pass 2^64-1); without, a search from `start` in
/// the scheme's fastest order until a solution, `max_time` seconds (at most
/// 1e9; then None) or Ctrl-C (KeyboardInterrupt, within milliseconds).
#[pyfunction]
#[pyo3(signature = (difficulty, *, scheme = "v1".to_string(), prefix = None, block_hash = None, hotkey = None, coldkey = None, netuid = None, rule = None, start = 0, attempts = None, engine = None, threads = None, max_time = None))]
#[allow(clippy::too_many_arguments)]
fn solve(
    py: Python<'_>,
    difficulty: u64,
    scheme: String,
    prefix: Option<Vec<u8>>,
    block_hash: Option<Value>,
    hotkey: Option<Value>,
    coldkey: Option<Value>,
    netuid: Option<Bound<'_, PyAny>>,
    rule: Option<String>,
    start: u64,
    attempts: Option<u64>,
    engine: Option<String>,
    threads: Option<usize>,
    max_time: Option<f64>,
) -> PyResult<Option<(u64, Py<PyBytes>)>> {
    let args = ChallengeArgs {
        scheme,
        prefix,
        block_hash,
        hotkey,
        coldkey,
        netuid: netuid_arg(netuid.as_ref())?,
    };
    let job = job(args, rule.as_deref(), difficulty)?;
    let engine: Arc<dyn Engine> = match engine.as_deref() {
        None => best_cpu_engine()?,
        Some(name) => {
            let backend = Backend::from_name(name).map_err(engine_error)?;
            py.detach(|| backend.engine()).map_err(engine_error)?.into()
        }
    };
    let threads = thread_count(threads)?;
    let max_time = time_limit(max_time)?;
    nonce_range(start, attempts)?;
    let order = match attempts {
        Some(_) => Order::Sequential,
        None => Order::fastest(job.scheme()),
    };
    let options = SolveOptions {
        threads,
        max_time,
        order,
        limit: attempts,
        ..SolveOptions::default()
    };
    let solver = Solver::new(engine, options);
    let run = solver
        .start(job, start)
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let control = run.control();
    let report = std::thread::scope(|scope| {
        let running = scope.spawn(|| run.join(|_| {}));
        loop {
            // Wait without the GIL, then look for Ctrl-C with it.
            let finished = py.detach(|| {
                for _ in 0..20 {
                    if running.is_finished() {
                        return true;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                running.is_finished()
            });
            if finished {
                return running
                    .join()
                    .map_err(|_| PyRuntimeError::new_err("the solver failed unexpectedly"));
            }
            if let Err(interrupt) = py.check_signals() {
                control.stop();
                let _ = running.join();
                return Err(interrupt);
            }
        }
    })?;
    let report = report.map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok(match report.outcome {
        SolveOutcome::Found { solution, .. } => answer(py, Some(solution)),
        SolveOutcome::Exhausted | SolveOutcome::TimedOut => None,
        SolveOutcome::Stopped => return Err(PyKeyboardInterrupt::new_err("stopped")),
    })
}

/// btpow's engines for Python.
#[pymodule]
fn _btpow(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pow_mine_cpu, m)?)?;
    m.add_function(wrap_pyfunction!(pow_gpu_devices, m)?)?;
    m.add_class::<PowGpuMiner>()?;
    m.add_function(wrap_pyfunction!(opencl_devices, m)?)?;
    m.add_function(wrap_pyfunction!(seal, m)?)?;
    m.add_function(wrap_pyfunction!(meets, m)?)?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(engines, m)?)?;
    m.add("MAX_ATTEMPTS", Miner::MAX_ATTEMPTS)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_out_of_range_netuid_is_named_with_its_range() {
        assert_eq!(
            netuid_range_message("65536"),
            "netuid must be a subnet number from 0 to 65535, got 65536"
        );
        let huge = "9".repeat(100);
        let m = netuid_range_message(&huge);
        assert!(m.ends_with("..."), "{m}");
        assert!(m.len() < 110, "{m}");
    }
}
