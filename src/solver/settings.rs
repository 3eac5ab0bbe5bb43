//! The policies every front end (the command line, Python) applies to
//! what a user asks of a search, decided once: how many threads, how long
//! a duration may be, which rule a scheme solves by default, and which
//! engine runs (a CPU engine by name or the fastest, or the GPUs). Errors
//! say what is wrong with the value, not which flag or keyword it came
//! from: each front end adds its own name for it.

use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use super::SolveOptions;
use crate::engine::gpu::{self, Gpus};
use crate::engine::{Backend, Engine, EngineError, Order};

/// A value a search cannot be run with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A duration that is not a positive number of seconds up to [`Request::MAX_SECONDS`].
    #[error("{0}")]
    Duration(String),
    /// A thread count outside `1..=Request::max_threads()`.
    #[error("{0}")]
    Threads(String),
    /// The engine asked for cannot run here.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The GPUs cannot be opened.
    #[error("{0}")]
    Gpu(String),
}

/// Which engine a search runs on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineChoice {
    /// The fastest CPU engine this machine runs.
    #[default]
    Fastest,
    /// A backend by name (`btpow-bench engines` lists them).
    Named(String),
    /// The CUDA engine on these GPUs (empty: every GPU), one solver thread
    /// each.
    Gpus(Vec<usize>),
    /// The OpenCL engine on these devices (empty: every OpenCL GPU), one
    /// solver thread each.
    #[cfg(feature = "opencl")]
    OpenCl(Vec<crate::engine::opencl::DeviceId>),
}

/// What a user asks of a search, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The engine.
    pub engine: EngineChoice,
    /// Worker threads (default: every core; with GPUs, one per GPU).
    pub threads: Option<usize>,
    /// Give up after this many seconds.
    pub max_time: Option<f64>,
    /// The nonce order.
    pub order: Order,
}

impl Request {
    /// The longest duration taken, in seconds (about 31 years): longer than
    /// any run, short enough that no deadline computed from it overflows.
    pub const MAX_SECONDS: f64 = 1e9;

    /// A duration in seconds, checked: finite, more than 0, at most
    /// [`Request::MAX_SECONDS`]. Large values are written short (`1e300`, `inf`).
    pub fn seconds(value: f64) -> Result<Duration, SettingsError> {
        let problem = if value.is_nan() {
            "not a number of seconds".to_string()
        } else if value < 0.0 {
            "must not be negative".to_string()
        } else if value == 0.0 {
            "must be more than 0 seconds".to_string()
        } else if value > Self::MAX_SECONDS {
            format!(
                "{value:e} s is too long (at most {:e} s)",
                Self::MAX_SECONDS
            )
        } else {
            return Ok(Duration::from_secs_f64(value));
        };
        Err(SettingsError::Duration(problem))
    }

    /// Every core of this machine: the threads a search uses when not told.
    pub fn all_cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// The most worker threads taken: 16 per core. More only thrashes, and a
    /// typo such as 100000 would exhaust the machine before failing.
    pub fn max_threads() -> usize {
        16 * Self::all_cores()
    }

    /// A thread count, checked: at least 1, at most [`Request::max_threads`].
    pub fn threads(n: usize) -> Result<usize, SettingsError> {
        let max = Self::max_threads();
        match n {
            0 => Err(SettingsError::Threads("must be at least 1".into())),
            n if n > max => Err(SettingsError::Threads(format!(
                "{n} threads is more than 16 per core ({max} on this machine)"
            ))),
            n => Ok(n),
        }
    }

    /// The engine and the solver options this request asks for, every
    /// value checked.
    pub fn engine_and_options(&self) -> Result<(Arc<dyn Engine>, SolveOptions), SettingsError> {
        let max_time = self.max_time.map(Self::seconds).transpose()?;
        let mut options = SolveOptions {
            order: self.order,
            max_time,
            ..SolveOptions::default()
        };
        let engine: Arc<dyn Engine> = match &self.engine {
            EngineChoice::Fastest => Backend::detect().engine()?.into(),
            EngineChoice::Named(name) => Backend::from_name(name)?.engine()?.into(),
            EngineChoice::Gpus(devices) => {
                self.open_gpus(Gpus::Cuda(devices.clone()), &mut options)?
            }
            #[cfg(feature = "opencl")]
            EngineChoice::OpenCl(devices) => {
                self.open_gpus(Gpus::OpenCl(devices.clone()), &mut options)?
            }
        };
        options.chunk = engine.preferred_chunk();
        if let Some(n) = self.threads {
            options.threads = Self::threads(n)?;
        }
        Ok((engine, options))
    }

    /// The engine over `gpus`, with one solver thread per device.
    fn open_gpus(
        &self,
        gpus: Gpus,
        options: &mut SolveOptions,
    ) -> Result<Arc<dyn Engine>, SettingsError> {
        let (engine, count) = gpu::open(&gpus).map_err(|e| SettingsError::Gpu(e.with_causes()))?;
        options.threads = count;
        Ok(engine.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::Scheme;
    use crate::target::Rule;

    #[test]
    fn durations_are_checked_once_for_every_front_end() {
        assert_eq!(Request::seconds(1.5), Ok(Duration::from_millis(1500)));
        let text = |v: f64| Request::seconds(v).unwrap_err().to_string();
        assert_eq!(text(-1.0), "must not be negative");
        assert_eq!(text(0.0), "must be more than 0 seconds");
        assert_eq!(text(f64::NAN), "not a number of seconds");
        assert_eq!(text(1e300), "1e300 s is too long (at most 1e9 s)");
        assert_eq!(text(f64::INFINITY), "inf s is too long (at most 1e9 s)");
        // The largest accepted value leaves every deadline computable.
        let d = Request::seconds(Request::MAX_SECONDS).unwrap();
        assert!(std::time::Instant::now().checked_add(d).is_some());
        assert!(d.checked_mul(4).is_some());
    }

    #[test]
    fn threads_and_rules() {
        assert_eq!(Request::threads(1), Ok(1));
        assert_eq!(
            Request::threads(0).unwrap_err().to_string(),
            "must be at least 1"
        );
        assert!(Request::threads(Request::max_threads() + 1)
            .unwrap_err()
            .to_string()
            .contains("16 per core"));
        assert_eq!(Rule::default_for(Scheme::Legacy), Rule::Python);
        assert_eq!(Rule::default_for(Scheme::V1), Rule::V1);
    }

    #[test]
    fn a_request_gives_an_engine_and_options() {
        let r = Request {
            engine: EngineChoice::Named("reference".into()),
            threads: Some(3),
            max_time: Some(2.0),
            order: Order::HighBytes,
        };
        let (engine, options) = r.engine_and_options().unwrap();
        assert_eq!(engine.name(), "reference");
        assert_eq!(options.threads, 3);
        assert_eq!(options.max_time, Some(Duration::from_secs(2)));
        assert_eq!(options.order, Order::HighBytes);
        assert_eq!(options.chunk, engine.preferred_chunk());
        let bad = Request {
            engine: EngineChoice::Named("nope".into()),
            ..Request::default()
        };
        assert!(matches!(
            bad.engine_and_options().err(),
            Some(SettingsError::Engine(_))
        ));
        let slow = Request {
            max_time: Some(-1.0),
            ..Request::default()
        };
        let Err(e) = slow.engine_and_options() else {
            panic!("a negative duration was taken")
        };
        assert_eq!(e.to_string(), "must not be negative");
    }
}
