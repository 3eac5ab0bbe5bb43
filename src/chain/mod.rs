//! The chain: reading a subnet's registration state from a subtensor node,
//! deciding the scheme and window exactly as the runtime does, and
//! submitting the registration.

pub mod client;
pub mod rules;

pub use client::{Chain, ChainError, Head, SubmitError, SubnetState};
pub use rules::{Refusal, Registration, RuntimeFacts, Signer, WindowError};
