//! Hex for 32-byte hashes and keys: lowercase out, either case in, an
//! optional `0x` prefix, and errors that say exactly what is wrong.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
/// Why a text is not the hex expected.
#[non_exhaustive]
pub enum HexError {
    #[error("expected {expected} hex digits ({bytes} bytes), got {got}")]
    /// The wrong number of digits.
    Length {
        /// Digits expected.
        expected: usize,
        /// Bytes expected.
        bytes: usize,
        /// Digits given.
        got: usize,
    },
    #[error("invalid hex digit {found:?} at position {position}")]
    /// A character that is not a hex digit.
    Digit {
        /// The character.
        found: char,
        /// Its position, from 0.
        position: usize,
    },
}

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex without a prefix.
pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Exactly `N` bytes of hex, with or without a leading `0x`.
pub fn decode_array<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let offset = text.len() - digits.len();
    // Report a bad character before a bad length: it is the more specific fault.
    for (i, c) in digits.char_indices() {
        if !c.is_ascii_hexdigit() {
            return Err(HexError::Digit {
                found: c,
                position: offset + i,
            });
        }
    }
    if digits.len() != 2 * N {
        return Err(HexError::Length {
            expected: 2 * N,
            bytes: N,
            got: digits.len(),
        });
    }
    let mut out = [0u8; N];
    let raw = digits.as_bytes();
    for (i, byte) in out.iter_mut().enumerate() {
        // Both digits were checked above.
        *byte = (nibble(raw[2 * i]).unwrap() << 4) | nibble(raw[2 * i + 1]).unwrap();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_prefix() {
        let b: [u8; 4] = decode_array("0xDEADbeef").unwrap();
        assert_eq!(b, [0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(encode(&b), "deadbeef");
        assert_eq!(decode_array::<4>("deadbeef").unwrap(), b);
    }

    #[test]
    fn errors_are_specific() {
        assert_eq!(
            decode_array::<4>("deadbee"),
            Err(HexError::Length {
                expected: 8,
                bytes: 4,
                got: 7
            })
        );
        assert_eq!(
            decode_array::<4>("0xdeadbeeg"),
            Err(HexError::Digit {
                found: 'g',
                position: 9
            })
        );
        assert!(decode_array::<1>("é0").is_err());
        assert!(decode_array::<1>("").is_err());
    }
}
