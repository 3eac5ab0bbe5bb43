//! Why runtime 475's pool refused a `pow_register`: its answer is only
//! `Invalid(Custom(code))`, so the registrar reads the chain again and
//! names the check that fails there ([`PoolCause`]).

use super::admission::Inadmissible;
use super::rules::WindowError;
use crate::Difficulty;

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
