//! Turning `--scheme/--block-hash/--hotkey/--coldkey/--netuid` into a challenge.

use anyhow::{bail, Context, Result};
use btpow::account::parse_account;
use btpow::hex::decode_array;
use btpow::{Challenge, LegacyChallenge, Scheme, V1Challenge};

use crate::args::ChallengeArgs;

impl ChallengeArgs {
    /// Whether any part of a challenge was given.
    pub fn any_given(&self) -> bool {
        self.block_hash.is_some()
            || self.hotkey.is_some()
            || self.coldkey.is_some()
            || self.netuid.is_some()
    }

    /// The challenge these arguments describe; every missing or stray part is an error.
    pub fn challenge(&self) -> Result<Challenge> {
        let scheme = self.scheme.context("--scheme legacy|v1 is required")?;
        let block_hash = self
            .block_hash
            .as_deref()
            .context("--block-hash is required")?;
        let block_hash: [u8; 32] =
            decode_array(block_hash).with_context(|| format!("--block-hash {block_hash:?}"))?;
        let hotkey = account("--hotkey", self.hotkey.as_deref())?;
        Ok(match scheme {
            Scheme::Legacy => {
                if self.coldkey.is_some() || self.netuid.is_some() {
                    bail!("--coldkey and --netuid are not part of a legacy challenge");
                }
                Challenge::Legacy(LegacyChallenge::new(block_hash, hotkey))
            }
            Scheme::V1 => {
                let netuid = self.netuid.context("--netuid is required for v1")?;
                let coldkey = account("--coldkey", self.coldkey.as_deref())?;
                Challenge::V1(V1Challenge::new(netuid, block_hash, hotkey, coldkey))
            }
        })
    }
}

fn account(flag: &str, value: Option<&str>) -> Result<[u8; 32]> {
    let value = value.with_context(|| format!("{flag} is required"))?;
    parse_account(value).with_context(|| format!("{flag} {value:?}"))
}
