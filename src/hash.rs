//! The two hash functions of both schemes, from audited crates. These are the
//! oracle's primitives; faster engines bring their own and are held to these.

use sha2::{Digest, Sha256};
use sha3::Keccak256;

/// SHA-256 (FIPS 180-4).
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Original Keccak-256 (padding byte 0x01), not SHA3-256: pycryptodome's
/// `keccak.new(digest_bits=256)`, eth_utils' `keccak`, substrate's `keccak_256`.
pub(crate) fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::encode;

    #[test]
    fn known_answers() {
        assert_eq!(
            encode(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Keccak-256("") differs from SHA3-256("") (a7ffc6f8...).
        assert_eq!(
            encode(&keccak256(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
    }
}
