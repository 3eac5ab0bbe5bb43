//! Why runtime 475's pool refused a `pow_register`: its answer is only
//! `Invalid(Custom(code))`, so the registrar reads the chain again and
//! names the check that fails there ([`PoolCause`]).

use super::admission::{self, Inadmissible};
use super::model::{Head, SubnetState};
use super::rules::{self, difficulty_of, Refusal, WindowError};
use crate::engine::reference;
use crate::{Challenge, Difficulty, Job, Rule, Scheme, V1Challenge};

/// Why runtime 475's pool refused a `pow_register`, as the chain read
/// after the refusal explains it (the pool itself says only
/// `Invalid(Custom(code))`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolCause {
    /// `SubnetNotExists` (custom code 3 on runtime 475).
    NoSubnet,
    /// `NonAssociatedColdKey` (custom code 25 on runtime 475): the hotkey
    /// belongs to another coldkey.
    NotOwner,
    /// The hotkey is registered now (a lost race).
    AlreadyRegistered,
    /// Proof-of-work registration is off on the subnet.
    Disabled,
    /// The block's registrations are used up.
    BlockFull,
    /// The work block is out of the window, or not after the hotkey's last
    /// proof-of-work registration.
    Window(WindowError),
    /// The seal is not the one the runtime computes: it binds the coldkey
    /// that signs.
    Seal {
        /// The signer's public key.
        signer: [u8; 32],
        /// The coldkey the seal was made for.
        coldkey: [u8; 32],
    },
    /// The seal misses the difficulty the pool checks now.
    Difficulty(Difficulty),
    /// The work block's hash on the best chain is not the one solved for.
    WorkBlockReplaced(u64),
    /// A check no proof of work passes (the root subnet, no neuron slots,
    /// a system account, the hotkey's owner, the coldkey's hotkey cap).
    Inadmissible(Inadmissible),
    /// None of the above: every check passes on the chain as it is now.
    Unknown,
}

impl PoolCause {
    /// Whether solving or submitting at a later block can cure it.
    pub fn next_block_cures(&self) -> bool {
        !matches!(
            self,
            PoolCause::Disabled
                | PoolCause::Seal { .. }
                | PoolCause::NoSubnet
                | PoolCause::NotOwner
                | PoolCause::Inadmissible(_)
        )
    }
}

impl std::fmt::Display for PoolCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::account::ss58_encode;
        match self {
            PoolCause::NoSubnet => f.write_str("the subnet does not exist (SubnetNotExists)"),
            PoolCause::NotOwner => f.write_str(
                "the hotkey belongs to another coldkey (NonAssociatedColdKey); no block cures that",
            ),
            PoolCause::AlreadyRegistered => f.write_str("the hotkey is registered now"),
            PoolCause::Disabled => {
                f.write_str("proof-of-work registration is off on the subnet; no block cures that")
            }
            PoolCause::BlockFull => {
                f.write_str("this block's registrations are used up; the next block may take it")
            }
            PoolCause::Window(why) => write!(f, "{why}; a seal for a newer block cures that"),
            PoolCause::Seal { signer, coldkey } => write!(
                f,
                "the seal binds coldkey {}, but the extrinsic is signed by {}; no block cures that",
                ss58_encode(coldkey),
                ss58_encode(signer)
            ),
            PoolCause::Difficulty(d) => write!(
                f,
                "the seal misses the difficulty the pool checks now ({d}); a new seal, or the decay of later blocks, cures that"
            ),
            PoolCause::WorkBlockReplaced(n) => write!(
                f,
                "block {n} was replaced on the best chain after it was solved for; a seal for a newer block cures that"
            ),
            PoolCause::Inadmissible(why) => write!(f, "{why}"),
            PoolCause::Unknown => f.write_str(
                "every check passes on the chain as it is now (the chain moved, or the node refused it for another reason)",
            ),
        }
    }
}

/// A v1 registration the pool refused, with the chain as read after the
/// refusal: the checks of `check_pow_registration`, in its order.
pub(super) struct Refused<'a> {
    pub scheme: Scheme,
    pub netuid: u16,
    pub work_block: u64,
    pub nonce: u64,
    pub work: [u8; 32],
    pub hotkey: [u8; 32],
    /// The key that signed.
    pub signer: [u8; 32],
    /// The coldkey the seal was made for.
    pub coldkey: [u8; 32],
    /// The best block now.
    pub head: u64,
    /// The subnet at it.
    pub state: &'a SubnetState,
}

impl Refused<'_> {
    fn inadmissible(&self) -> Option<Inadmissible> {
        let (s, n) = (self.state, self.netuid);
        admission::check(self.scheme, n, &self.hotkey, &self.coldkey, s).err()
    }

    /// The checks before the seal: the first that fails.
    pub(super) fn before_the_seal(&self) -> Result<(), PoolCause> {
        let s = self.state;
        let inadmissible = self.inadmissible();
        if let Some(root @ Inadmissible::RootSubnet) = inadmissible {
            return Err(PoolCause::Inadmissible(root));
        }
        if !s.pow_allowed() {
            return Err(PoolCause::Disabled);
        }
        if s.uid.is_some() {
            return Err(PoolCause::AlreadyRegistered);
        }
        // The runtime's order: the subnet's slots before its per-block
        // limit and the work; the accounts after the seal.
        if let Some(slots @ Inadmissible::NoNeuronSlots { .. }) = inadmissible {
            return Err(PoolCause::Inadmissible(slots));
        }
        if s.registrations_this_block() >= s.max_registrations_per_block() {
            return Err(PoolCause::BlockFull);
        }
        rules::v1_window(self.work_block, self.head, s.last_pow_block).map_err(PoolCause::Window)
    }

    /// The seal, as the runtime computes it from `work`, the work block on
    /// the best chain now, and the coldkey that signed; then the checks
    /// after it. `Unknown` if every check passes.
    pub(super) fn at_the_seal(&self, work: &Head) -> Result<PoolCause, Refusal> {
        let challenge = Challenge::V1(V1Challenge::new(
            self.netuid,
            work.hash,
            self.hotkey,
            self.signer,
        ));
        let d = difficulty_of(self.scheme, self.state);
        let job = Job::new(&challenge, Rule::V1, d)?;
        let seal = reference::seal(&job, self.nonce);
        if seal != self.work {
            // Signed by the coldkey the seal binds: the work block's hash
            // changed under it (a reorganisation), which a new seal cures.
            if self.signer == self.coldkey {
                return Ok(PoolCause::WorkBlockReplaced(self.work_block));
            }
            return Ok(PoolCause::Seal {
                signer: self.signer,
                coldkey: self.coldkey,
            });
        }
        if !job.target().meets(&seal) {
            return Ok(PoolCause::Difficulty(d));
        }
        Ok(self
            .inadmissible()
            .map_or(PoolCause::Unknown, PoolCause::Inadmissible))
    }
}
