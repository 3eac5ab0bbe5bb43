//! The legacy challenge: `bh = keccak256(block_hash || hotkey)`, and per
//! nonce `seal = keccak256(sha256(le64(nonce) || bh))`.

use crate::hash::keccak256;

/// A legacy challenge. For the old faucet (`netuid == -1` in pow.py) the
/// coldkey's public key stands where the hotkey is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyChallenge {
    /// The hash of the block the work is for.
    pub block_hash: [u8; 32],
    /// The hotkey being registered.
    pub hotkey: [u8; 32],
}

impl LegacyChallenge {
    /// A challenge for `hotkey` at `block_hash`.
    pub fn new(block_hash: [u8; 32], hotkey: [u8; 32]) -> Self {
        LegacyChallenge { block_hash, hotkey }
    }

    /// pow.py `_hash_block_with_hotkey`: the 32 bytes every nonce is hashed with.
    pub fn block_and_hotkey_hash(&self) -> [u8; 32] {
        let mut input = [0u8; 64];
        input[..32].copy_from_slice(&self.block_hash);
        input[32..].copy_from_slice(&self.hotkey);
        keccak256(&input)
    }
}
