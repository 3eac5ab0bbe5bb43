//! Turning `--scheme/--block-hash/--hotkey/--coldkey/--netuid` into a challenge.

use anyhow::{anyhow, Context, Result};
use btpow::challenge::{Part, PartValue, Parts};
use btpow::Challenge;

use crate::args::ChallengeArgs;

impl ChallengeArgs {
    fn parts(&self) -> Parts {
        let text = |v: &Option<String>| v.clone().map(PartValue::Text);
        Parts {
            block_hash: text(&self.parts.block_hash),
            hotkey: text(&self.parts.hotkey),
            coldkey: text(&self.parts.coldkey),
            netuid: self.netuid.first().copied(),
        }
    }

    /// Whether any part of a challenge was given.
    pub fn any_given(&self) -> bool {
        self.parts().any_given()
    }

    /// The challenge these arguments describe; every missing or stray part is an error.
    pub fn challenge(&self) -> Result<Challenge> {
        if self.netuid.len() > 1 {
            anyhow::bail!(
                "--netuid: a challenge is for one subnet (several are for registering on a \
                 chain, with --endpoint)"
            );
        }
        let scheme = self.scheme.context("--scheme legacy|v1 is required")?;
        self.parts()
            .challenge(scheme)
            .map_err(|e| anyhow!(e.message(flag)))
    }
}

/// A part's flag: `--block-hash`, `--hotkey`, ...
fn flag(part: Part) -> String {
    format!("--{}", part.name().replace('_', "-"))
}
