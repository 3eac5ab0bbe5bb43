//! What a registration needs from a node, as a trait: [`super::Chain`]
//! is the real one; the registrar's tests script their own.

use subxt_signer::sr25519::Keypair;

use super::error::{ChainError, RegisterError, SubmitError};
use super::model::{Head, Plan, Registration, RuntimeFacts, SubnetState};
use crate::wallet::Signer;
use crate::{Rule, Scheme};

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

/// A node lent for a while (one registrar after another on one
/// connection): the node itself.
impl<N: Node> Node for &mut N {
    fn endpoint(&self) -> &str {
        (**self).endpoint()
    }
    async fn head(&mut self) -> Result<Head, ChainError> {
        (**self).head().await
    }
    async fn block(&mut self, number: u64) -> Result<Head, ChainError> {
        (**self).block(number).await
    }
    async fn runtime_facts(&mut self, at: &Head) -> Result<RuntimeFacts, ChainError> {
        (**self).runtime_facts(at).await
    }
    async fn subnet_state(
        &mut self,
        at: &Head,
        netuid: u16,
        hotkey: &[u8; 32],
        coldkey: Option<&[u8; 32]>,
    ) -> Result<SubnetState, ChainError> {
        (**self).subnet_state(at, netuid, hotkey, coldkey).await
    }
    async fn submit(
        &mut self,
        registration: &Registration,
        signer: &Keypair,
    ) -> Result<[u8; 32], SubmitError> {
        (**self).submit(registration, signer).await
    }
    fn last_extrinsic(&self) -> Option<[u8; 32]> {
        (**self).last_extrinsic()
    }
    async fn extrinsic_in(
        &mut self,
        number: u64,
        hashes: &[[u8; 32]],
    ) -> Result<Option<bool>, ChainError> {
        (**self).extrinsic_in(number, hashes).await
    }
    async fn reconnect(&mut self) -> Result<(), ChainError> {
        (**self).reconnect().await
    }
}

impl Plan {
    /// Reads the runtime at the best block and decides the scheme, rule and
    /// signer; `scheme`, `rule` and `signer` override what the runtime says
    /// (a signer the scheme does not accept is refused unless `precheck` is
    /// off).
    pub async fn read<N: Node>(
        node: &mut N,
        netuid: u16,
        scheme: Option<Scheme>,
        rule: Option<Rule>,
        signer: Option<Signer>,
        precheck: bool,
    ) -> Result<Plan, RegisterError> {
        let head = node.head().await?;
        let facts = node.runtime_facts(&head).await?;
        Ok(Plan::decide(
            &facts, head, netuid, scheme, rule, signer, precheck,
        )?)
    }
}
