//! Account public keys as users write them: SS58 addresses (what btcli
//! prints) or 32 bytes of hex.

use blake2::{Blake2b512, Digest};
use thiserror::Error;

/// The generic Substrate address format, which Bittensor uses.
pub const SS58_FORMAT: u16 = 42;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccountError {
    #[error("not 32-byte hex and not an SS58 address: {0}")]
    NotBase58(String),
    #[error("SS58 address decodes to {0} bytes; an account id address has 35 or 36")]
    Length(usize),
    #[error("SS58 checksum mismatch (mistyped address?)")]
    Checksum,
}

fn checksum(payload: &[u8]) -> [u8; 2] {
    let h = Blake2b512::new()
        .chain_update(b"SS58PRE")
        .chain_update(payload)
        .finalize();
    [h[0], h[1]]
}

/// A 32-byte public key from hex (`0x` optional) or an SS58 address of any
/// network format.
pub fn parse_account(text: &str) -> Result<[u8; 32], AccountError> {
    let text = text.trim();
    let hex_like = text.strip_prefix("0x").unwrap_or(text);
    if hex_like.len() == 64 && hex_like.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(crate::hex::decode_array(hex_like).expect("checked as hex"));
    }
    let raw = bs58::decode(text)
        .into_vec()
        .map_err(|e| AccountError::NotBase58(e.to_string()))?;
    let prefix_len = match raw.first() {
        Some(0..=63) => 1,
        Some(64..=127) => 2,
        _ => return Err(AccountError::Length(raw.len())),
    };
    if raw.len() != prefix_len + 32 + 2 {
        return Err(AccountError::Length(raw.len()));
    }
    let (payload, sum) = raw.split_at(prefix_len + 32);
    if checksum(payload) != sum {
        return Err(AccountError::Checksum);
    }
    Ok(payload[prefix_len..].try_into().expect("32 bytes"))
}

/// The SS58 address (format 42) of a public key.
pub fn ss58_encode(public: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(35);
    raw.push(SS58_FORMAT as u8);
    raw.extend_from_slice(public);
    let sum = checksum(&raw);
    raw.extend_from_slice(&sum);
    bs58::encode(raw).into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_address() {
        // bittensor_core.ss58_encode(bytes(32), 42)
        let zero = "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM";
        assert_eq!(ss58_encode(&[0; 32]), zero);
        assert_eq!(parse_account(zero), Ok([0; 32]));
        // Alice's well-known sr25519 public key.
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        let pk = parse_account(alice).unwrap();
        assert_eq!(
            crate::hex::encode(&pk),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
        assert_eq!(ss58_encode(&pk), alice);
    }

    #[test]
    fn hex_and_errors() {
        assert_eq!(
            parse_account(&format!("0x{}", "ab".repeat(32))),
            Ok([0xab; 32])
        );
        assert_eq!(
            parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"),
            Err(AccountError::Checksum)
        );
        assert!(matches!(
            parse_account("0OIl"),
            Err(AccountError::NotBase58(_))
        ));
        assert!(matches!(parse_account("abc"), Err(AccountError::Length(_))));
    }
}
