//! The chain: reading a subnet's registration state from a subtensor node,
//! deciding the scheme and window exactly as the runtime does, and
//! registering a hotkey.
//!
//! The files follow a run: [`Chain`] (`client.rs`) talks to the node;
//! `rules.rs` decides what the runtime would (pure functions), and
//! `admission.rs` which registrations it refuses whatever the proof of
//! work; `registrar.rs`
//! is the state machine ([`Registrar`]); `retry.rs` its waiting, retrying
//! and stopping; `events.rs` what it reports ([`Event`]) and how it ends
//! ([`RegisterOutcome`]); `difficulty.rs` the per-block decay of runtime
//! 475; `subnets.rs` every subnet's registration facts; `error.rs` what
//! goes wrong.

mod admission;
mod client;
mod diagnosis;
mod difficulty;
mod endpoint;
mod error;
mod events;
mod model;
mod node;
mod pool_codes;
mod registrar;
mod retry;
mod rules;
mod subnets;

pub use crate::wallet::Signer;
pub use admission::Inadmissible;
pub use client::Chain;
pub use diagnosis::PoolCause;
pub use endpoint::check as check_endpoint;
pub use error::{ChainError, RegisterError, SubmitError};
pub use events::{Event, Events, RegisterOutcome, Registrant, WaitReason};
pub use model::{Head, Plan, Registration, RuntimeFacts, SubnetState};
pub use node::Node;
pub use registrar::{Options, Registrar};
pub use retry::{Backoff, Stop};
pub use rules::{Refusal, WindowError};
pub use subnets::{SubnetFacts, Subnets};
