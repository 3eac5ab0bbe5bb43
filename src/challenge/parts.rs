//! A challenge from the parts a user gives (the command line's
//! `--block-hash/--hotkey/--coldkey/--netuid`, the Python keywords): each
//! part may be missing, stray or malformed, and every error names the part
//! as the front end calls it.

use super::{Challenge, LegacyChallenge, Scheme, V1Challenge};
use crate::account::parse_account;
use crate::hex::decode_array;

/// One part of a challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The work block's hash.
    BlockHash,
    /// The hotkey being registered.
    Hotkey,
    /// The coldkey (v1).
    Coldkey,
    /// The subnet (v1).
    Netuid,
}

impl Part {
    /// `block_hash`, `hotkey`, `coldkey`, `netuid`.
    pub fn name(self) -> &'static str {
        match self {
            Part::BlockHash => "block_hash",
            Part::Hotkey => "hotkey",
            Part::Coldkey => "coldkey",
            Part::Netuid => "netuid",
        }
    }
}

/// A 32-byte value as given: text (hex; SS58 too for accounts) or raw bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartValue {
    /// Hex, or SS58 for an account.
    Text(String),
    /// The 32 bytes themselves.
    Bytes(Vec<u8>),
}

/// The parts given, any of them missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    /// The work block's hash.
    pub block_hash: Option<PartValue>,
    /// The hotkey being registered.
    pub hotkey: Option<PartValue>,
    /// v1: the coldkey that signs `pow_register`.
    pub coldkey: Option<PartValue>,
    /// v1: the subnet.
    pub netuid: Option<u16>,
}

/// Why the parts make no challenge. Its text names each part by its name
/// (`netuid`); [`PartsError::message`] names them as a front end does.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(|p| p.name().to_string()))]
#[non_exhaustive]
pub enum PartsError {
    /// A part the scheme needs is missing.
    Missing {
        /// The part.
        part: Part,
        /// The scheme that needs it.
        scheme: Scheme,
    },
    /// `coldkey` or `netuid` given for the legacy scheme.
    NotLegacy,
    /// A part does not read as 32 bytes (`given`: the text, quoted).
    Malformed {
        /// The part.
        part: Part,
        /// The text given (None for bytes).
        given: Option<String>,
        /// What is wrong with it.
        reason: String,
    },
}

impl PartsError {
    /// The message, each part called what `name` calls it.
    pub fn message(&self, name: impl Fn(Part) -> String) -> String {
        match self {
            PartsError::Missing { part, scheme } => match (part, scheme) {
                (Part::Coldkey | Part::Netuid, Scheme::V1) => {
                    format!("{} is required for v1", name(*part))
                }
                _ => format!("{} is required", name(*part)),
            },
            PartsError::NotLegacy => format!(
                "{} and {} are not part of a legacy challenge",
                name(Part::Coldkey),
                name(Part::Netuid)
            ),
            PartsError::Malformed {
                part,
                given: Some(text),
                reason,
            } => format!("{} {text:?}: {reason}", name(*part)),
            PartsError::Malformed {
                part,
                given: None,
                reason,
            } => format!("{}: {reason}", name(*part)),
        }
    }
}

impl Parts {
    /// Whether any part was given.
    pub fn any_given(&self) -> bool {
        self.block_hash.is_some()
            || self.hotkey.is_some()
            || self.coldkey.is_some()
            || self.netuid.is_some()
    }

    /// The `scheme` challenge these parts describe; every missing, stray or
    /// malformed part is an error, checked in the order of the parts.
    pub fn challenge(&self, scheme: Scheme) -> Result<Challenge, PartsError> {
        let need = |part, value: &Option<PartValue>| {
            value
                .as_ref()
                .ok_or(PartsError::Missing { part, scheme })
                .and_then(|v| bytes32(part, v))
        };
        let block_hash = need(Part::BlockHash, &self.block_hash)?;
        let hotkey = need(Part::Hotkey, &self.hotkey)?;
        Ok(match scheme {
            Scheme::Legacy => {
                if self.coldkey.is_some() || self.netuid.is_some() {
                    return Err(PartsError::NotLegacy);
                }
                Challenge::Legacy(LegacyChallenge::new(block_hash, hotkey))
            }
            Scheme::V1 => {
                let netuid = self.netuid.ok_or(PartsError::Missing {
                    part: Part::Netuid,
                    scheme,
                })?;
                let coldkey = need(Part::Coldkey, &self.coldkey)?;
                Challenge::V1(V1Challenge::new(netuid, block_hash, hotkey, coldkey))
            }
        })
    }
}

/// A part's 32 bytes: accounts read as SS58 or hex, the block hash as hex.
fn bytes32(part: Part, value: &PartValue) -> Result<[u8; 32], PartsError> {
    let malformed = |given: Option<&str>, reason: String| PartsError::Malformed {
        part,
        given: given.map(str::to_string),
        reason,
    };
    match value {
        PartValue::Bytes(b) => b
            .as_slice()
            .try_into()
            .map_err(|_| malformed(None, format!("expected 32 bytes, got {}", b.len()))),
        PartValue::Text(t) if part == Part::BlockHash => {
            decode_array(t).map_err(|e| malformed(Some(t), e.to_string()))
        }
        PartValue::Text(t) => parse_account(t).map_err(|e| malformed(Some(t), e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Option<PartValue> {
        Some(PartValue::Text(s.to_string()))
    }

    fn v1() -> Parts {
        Parts {
            block_hash: text(&"11".repeat(32)),
            hotkey: text("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"),
            coldkey: Some(PartValue::Bytes(vec![0x33; 32])),
            netuid: Some(5),
        }
    }

    #[test]
    fn text_and_bytes_make_the_same_challenge() {
        let c = v1().challenge(Scheme::V1).unwrap();
        let same = Parts {
            block_hash: Some(PartValue::Bytes(vec![0x11; 32])),
            coldkey: text(&"33".repeat(32)),
            ..v1()
        };
        assert_eq!(same.challenge(Scheme::V1).unwrap(), c);
        let Challenge::V1(c) = c else { panic!("v1") };
        assert_eq!(
            (c.netuid, c.block_hash, c.coldkey),
            (5, [0x11; 32], [0x33; 32])
        );
        assert_eq!(
            c.hotkey,
            parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").unwrap()
        );
    }

    #[test]
    fn every_error_names_its_part_in_the_front_ends_words() {
        // As the command line names them.
        let flag = |p: Part| format!("--{}", p.name().replace('_', "-"));
        let cases = [
            (
                Parts {
                    netuid: None,
                    ..v1()
                },
                Scheme::V1,
                "--netuid is required for v1",
            ),
            (
                Parts {
                    coldkey: None,
                    ..v1()
                },
                Scheme::V1,
                "--coldkey is required for v1",
            ),
            (
                Parts {
                    hotkey: None,
                    ..v1()
                },
                Scheme::Legacy,
                "--hotkey is required",
            ),
            (
                v1(),
                Scheme::Legacy,
                "--coldkey and --netuid are not part of a legacy challenge",
            ),
            (
                Parts {
                    block_hash: text("xy"),
                    ..v1()
                },
                Scheme::V1,
                "--block-hash \"xy\": ",
            ),
            (
                Parts {
                    coldkey: Some(PartValue::Bytes(vec![1; 31])),
                    ..v1()
                },
                Scheme::V1,
                "--coldkey: expected 32 bytes, got 31",
            ),
        ];
        for (parts, scheme, words) in cases {
            let e = parts.challenge(scheme).unwrap_err();
            assert!(e.message(flag).starts_with(words), "{}", e.message(flag));
        }
        let e = Parts::default().challenge(Scheme::V1).unwrap_err();
        assert_eq!(e.to_string(), "block_hash is required");
    }
}
