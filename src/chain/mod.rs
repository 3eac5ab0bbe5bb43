//! The chain: reading a subnet's registration state from a subtensor node,
//! deciding the scheme and window exactly as the runtime does, and
//! registering a hotkey (the state machine in [`register`], over the
//! [`Node`] trait that [`Chain`] implements).

pub mod client;
pub mod difficulty;
pub mod endpoint;
pub mod error;
pub mod register;
pub mod rules;

pub use client::{Chain, Head, SubnetState};
pub use error::{ChainError, SubmitError};
pub use register::{Node, Registrar};
pub use rules::{Refusal, Registration, RuntimeFacts, Signer, WindowError};
