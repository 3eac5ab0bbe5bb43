//! Account public keys as users write them: SS58 addresses (what btcli
//! prints) or 32 bytes of hex.

use blake2::{Blake2b512, Digest};
use thiserror::Error;

/// The generic Substrate address format, which Bittensor uses.
pub(crate) const SS58_FORMAT: u16 = 42;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
/// Why a text is not an account.
#[non_exhaustive]
pub enum AccountError {
    /// Nothing given (or only spaces).
    #[error("empty: an account is an SS58 address (5…, as btcli prints it) or 64 hex digits")]
    Empty,
    /// Neither hex nor base58.
    #[error("not 32-byte hex and not an SS58 address: {0}")]
    NotBase58(String),
    /// Hex of the wrong length.
    #[error("expected 64 hex digits (32 bytes), got {0}")]
    HexLength(usize),
    /// Base58 of the wrong length.
    #[error("SS58 address decodes to {got} bytes; with its {prefix}-byte network prefix an account address has {want}")]
    Length {
        /// Decoded bytes.
        got: usize,
        /// The network prefix's length.
        prefix: usize,
        /// The length an account address has with that prefix.
        want: usize,
    },
    /// The checksum does not match.
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
    if text.is_empty() {
        return Err(AccountError::Empty);
    }
    let hex_like = text.strip_prefix("0x").unwrap_or(text);
    if hex_like.len() == 64 && hex_like.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(crate::hex::decode_array(hex_like).expect("checked as hex"));
    }
    let looks_hex =
        text.starts_with("0x") || (!text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit()));
    match ss58_decode(text) {
        Err(_) if looks_hex => Err(AccountError::HexLength(hex_like.len())),
        other => other,
    }
}

fn ss58_decode(text: &str) -> Result<[u8; 32], AccountError> {
    let raw = bs58::decode(text)
        .into_vec()
        .map_err(|e| AccountError::NotBase58(e.to_string()))?;
    let prefix = match raw.first() {
        Some(64..=127) => 2,
        _ => 1,
    };
    let want = prefix + 32 + 2;
    if raw.len() != want {
        return Err(AccountError::Length {
            got: raw.len(),
            prefix,
            want,
        });
    }
    let prefix_len = prefix;
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
        for empty in ["", "  "] {
            assert_eq!(parse_account(empty), Err(AccountError::Empty));
        }
        assert!(matches!(
            parse_account("0OIl"),
            Err(AccountError::NotBase58(_))
        ));
        assert!(matches!(
            parse_account("abc"),
            Err(AccountError::HexLength(3))
        ));
        // 62 and 66 hex digits: a hex error, not a base58 one.
        assert_eq!(
            parse_account(&"ab".repeat(31)),
            Err(AccountError::HexLength(62))
        );
        assert_eq!(
            parse_account(&format!("0x{}", "ab".repeat(33))),
            Err(AccountError::HexLength(66))
        );
        // 36 bytes with a one-byte prefix: says what it should have been.
        let mut raw = vec![42u8];
        raw.extend_from_slice(&[7; 33]);
        raw.extend_from_slice(&[0, 0]);
        let text = bs58::encode(&raw).into_string();
        let e = parse_account(&text).unwrap_err();
        assert_eq!(
            e,
            AccountError::Length {
                got: 36,
                prefix: 1,
                want: 35
            }
        );
        assert!(e.to_string().contains("has 35"), "{e}");
    }
}
