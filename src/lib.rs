//! btpow: a bit-exact solver, verifier and benchmark for Bittensor's
//! registration proof-of-work.
//!
//! The modules follow the data path: a [`challenge`] (per [scheme](challenge::Scheme))
//! becomes a [`job`] (constants precomputed, a [`target`] threshold), which an
//! [`engine`] searches; the [`solver`] drives engines over nonce ranges and
//! re-checks every solution with the [reference](engine::reference).

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs, unreachable_pub)]

pub mod account;
#[cfg(feature = "chain")]
pub mod chain;
pub mod challenge;
pub mod engine;
#[cfg(any(feature = "chain", feature = "cuda", feature = "tools"))]
mod file;
mod hash;
pub mod hex;
pub mod job;
pub mod miner;
mod primitives;
pub mod solver;
pub mod target;
pub mod u256;
#[cfg(feature = "tools")]
pub mod vectors;
#[cfg(feature = "chain")]
pub mod wallet;

pub use challenge::{Challenge, LegacyChallenge, Scheme, V1Challenge};
/// The seal of a nonce, by definition (the reference engine).
pub use engine::reference::seal;
pub use engine::{Backend, Engine, Solution};
pub use job::{Job, JobData};
pub use target::{Difficulty, Rule, Target};
pub use u256::U256;
