//! What a registration needs from a node, as a trait: [`super::Chain`]
//! is the real one; the registrar's tests script their own.

use subxt_signer::sr25519::Keypair;

use super::error::{ChainError, SubmitError};
use super::model::{Head, Registration, RuntimeFacts, SubnetState};

/// What the registration needs from a node.
// Used only through generics, never as `dyn` and never across threads, so
// the futures need no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Node {
    /// The endpoint, for messages: credentials redacted.
    fn endpoint(&self) -> &str;
    /// The best block.
    async fn head(&mut self) -> Result<Head, ChainError>;
    /// Block `number` of the best chain.
    async fn block(&mut self, number: u64) -> Result<Head, ChainError>;
    /// What the runtime's metadata says about the registration calls.
    async fn runtime_facts(&mut self, at: &Head) -> Result<RuntimeFacts, ChainError>;
    /// The subnet's registration state for `hotkey`, at `at`; with
    /// `coldkey`, also how many hotkeys that coldkey holds (runtime 475
    /// caps them).
    async fn subnet_state(
        &mut self,
        at: &Head,
        netuid: u16,
        hotkey: &[u8; 32],
        coldkey: Option<&[u8; 32]>,
    ) -> Result<SubnetState, ChainError>;
    /// Signs and submits `registration` and waits until it is in a block.
    async fn submit(
        &mut self,
        registration: &Registration,
        signer: &Keypair,
    ) -> Result<[u8; 32], SubmitError>;
    /// The hash of the extrinsic the last [`Node::submit`] signed (known
    /// before it was sent, whatever became of it).
    fn last_extrinsic(&self) -> Option<[u8; 32]>;
    /// Whether block `number` of the best chain holds one of the
    /// extrinsics `hashes`: `Some(true)` if it succeeded there,
    /// `Some(false)` if it failed, `None` if none is in the block.
    async fn extrinsic_in(
        &mut self,
        number: u64,
        hashes: &[[u8; 32]],
    ) -> Result<Option<bool>, ChainError>;
    /// Opens a new connection in place of a lost one.
    async fn reconnect(&mut self) -> Result<(), ChainError>;
}
