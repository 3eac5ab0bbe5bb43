//! The chain: reading a subnet's registration state from a subtensor node,
//! deciding the scheme and window exactly as the runtime does, and
//! registering a hotkey.
//!
//! The files are layers, each importing only those below it:
//! - the model (`model.rs`): the best block, one subnet's state at it, the
//!   runtime's facts, the plan of a run, the extrinsic; with
//!   `difficulty.rs`, runtime 475's per-block decay, `endpoint.rs` and
//!   `pool_codes.rs` (each era's numbering of the pool's refusals);
//! - pure rules over it: `rules.rs` (the scheme, the window, what to do
//!   with a seal), `admission.rs` (what the runtime refuses whatever the
//!   proof of work), `diagnosis.rs` (why the pool refused one);
//! - `error.rs` and `events.rs`: what goes wrong, what a run reports
//!   ([`Event`]) and how it ends ([`RegisterOutcome`]), as facts;
//! - [`Node`] (`node.rs`): what a run needs from a node, implemented by
//!   [`Chain`] (`client/`: the subxt client, its storage reads and its
//!   submissions);
//! - `retry.rs` (the node behind a link that retries a lost connection and
//!   ends every wait at a stop or the deadline) and `options.rs`;
//! - [`Registrar`] (`registrar/`): the state machine, its passes in
//!   `mod.rs`, the checks around them in `gates.rs`, its tests against a
//!   scripted node (`scripted.rs`) in `tests.rs`;
//! - [`Campaign`] (`campaign/`): several (hotkey, subnet) pairs in one
//!   run, one registrar after another in the order of `schedule.rs`
//!   (pure, beside the rules: cheapest first by the difficulty each
//!   subnet will have when its turn comes);
//! - `subnets.rs`: every subnet's registration facts, for `subnets`.

mod admission;
mod campaign;
mod client;
mod diagnosis;
mod difficulty;
mod endpoint;
mod error;
mod events;
mod model;
mod node;
mod options;
mod pool_codes;
mod registrar;
mod retry;
mod rules;
mod schedule;
mod subnets;

pub use crate::wallet::Signer;
pub use admission::Inadmissible;
pub use campaign::{Campaign, Ended, Pair, PairEnd, PairEvents, PairId, PairReport};
pub use client::Chain;
pub use diagnosis::PoolCause;
pub use endpoint::check as check_endpoint;
pub use error::{ChainError, RegisterError, SubmitError};
pub use events::{Event, Events, RegisterOutcome, Registrant, WaitReason};
pub use model::{Head, Plan, Registration, RuntimeFacts, SubnetFacts, SubnetState};
pub use node::Node;
pub use options::Options;
pub use registrar::Registrar;
pub use retry::{Backoff, Stop};
pub use rules::{Refusal, WindowError};
pub use schedule::{cheapest_first, SubnetNow, Turn};
pub use subnets::Subnets;
