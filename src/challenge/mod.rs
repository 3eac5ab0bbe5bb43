//! What the chain hands a miner: a challenge per scheme. A challenge holds
//! public values only (block hash, account public keys); `Job` turns it into
//! the bytes the engines hash.

mod legacy;
mod parts;
pub(crate) mod v1;

use std::fmt;
use std::str::FromStr;

pub use legacy::LegacyChallenge;
pub use parts::{Part, PartValue, Parts, PartsError};
pub use v1::V1Challenge;

/// The two registration proof-of-work schemes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// SDK <= 9.12.2 `pow.py`, subtensor `register` (specs <= 396).
    Legacy,
    /// Domain-separated `pow_register` (SDK 11.x).
    V1,
}

impl Scheme {
    /// `legacy` or `v1`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Legacy => "legacy",
            Scheme::V1 => "v1",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheme {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "legacy" => Ok(Scheme::Legacy),
            "v1" => Ok(Scheme::V1),
            _ => Err(format!("unknown scheme {s:?}: expected legacy or v1")),
        }
    }
}

/// A challenge of either scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// The legacy scheme's challenge.
    Legacy(LegacyChallenge),
    /// The v1 scheme's challenge.
    V1(V1Challenge),
}

impl Challenge {
    /// Its scheme.
    pub fn scheme(&self) -> Scheme {
        match self {
            Challenge::Legacy(_) => Scheme::Legacy,
            Challenge::V1(_) => Scheme::V1,
        }
    }
}
