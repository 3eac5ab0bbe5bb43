//! The v1 challenge: a 123-byte domain-separated prefix, and per nonce
//! `seal = keccak256(sha256(prefix || le64(nonce)))` (131 bytes hashed).

/// The prefix's length (crate shorthand for [`V1Challenge::PREFIX_LEN`]).
pub(crate) const PREFIX_LEN: usize = V1Challenge::PREFIX_LEN;

#[derive(Clone, Debug, PartialEq, Eq)]
/// A v1 challenge: what `pow_register` binds into the seal.
pub struct V1Challenge {
    /// The subnet.
    pub netuid: u16,
    /// The hash of the work block.
    pub block_hash: [u8; 32],
    /// The hotkey being registered.
    pub hotkey: [u8; 32],
    /// The coldkey is bound into the proof: it must sign `pow_register`.
    pub coldkey: [u8; 32],
}

impl V1Challenge {
    /// The domain tag that opens every v1 message.
    pub const DOMAIN: &'static [u8; 25] = b"subtensor-pow-register-v1";
    /// `DOMAIN || le16(netuid) || block_hash || hotkey || coldkey`.
    pub const PREFIX_LEN: usize = 25 + 2 + 32 + 32 + 32;

    /// A challenge for `hotkey` (signed for by `coldkey`) on `netuid` at `block_hash`.
    pub fn new(netuid: u16, block_hash: [u8; 32], hotkey: [u8; 32], coldkey: [u8; 32]) -> Self {
        V1Challenge {
            netuid,
            block_hash,
            hotkey,
            coldkey,
        }
    }

    /// The SDK's `registration_prefix`: the message without its nonce.
    pub fn prefix(&self) -> [u8; PREFIX_LEN] {
        let mut p = [0u8; PREFIX_LEN];
        p[..25].copy_from_slice(Self::DOMAIN);
        p[25..27].copy_from_slice(&self.netuid.to_le_bytes());
        p[27..59].copy_from_slice(&self.block_hash);
        p[59..91].copy_from_slice(&self.hotkey);
        p[91..123].copy_from_slice(&self.coldkey);
        p
    }
}
