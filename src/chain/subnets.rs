//! Every subnet's registration facts ([`SubnetFacts`]), read from the
//! chain's own storage at one block: what `btpow-bench subnets` shows, and
//! what follows from them (the difficulty a seal must meet now, and
//! later). Each item is read only if the runtime has it (its metadata says
//! so): an item a runtime lacks is `None`, never a zero.

use subxt::dynamic;

use super::client::{subnet_facts, Chain};
use super::difficulty::Decay;
use super::error::ChainError;
use super::model::{Registration, SubnetFacts};
use super::node::Node;
use super::rules::detect;
use super::Head;
use crate::challenge::Scheme;
use crate::target::effective_difficulty;

impl SubnetFacts {
    /// The difficulty a proof of work must meet now under `scheme`: the
    /// stored value for legacy; for v1, clamped into \[MinDifficulty,
    /// MaxDifficulty\] as the runtime and the SDK do.
    pub fn effective_difficulty(&self, scheme: Scheme) -> Option<u64> {
        let stored = self.difficulty?;
        Some(match scheme {
            Scheme::Legacy => stored,
            Scheme::V1 => {
                effective_difficulty(Some(stored), self.min_difficulty, self.max_difficulty).get()
            }
        })
    }

    /// The difficulty `blocks` blocks from now if nobody registers, on a
    /// runtime whose difficulty decays each block (`BurnHalfLife`, v1);
    /// `None` where the runtime has no such rule (legacy eras, or no
    /// `BurnHalfLife` item). A half-life of 0 applies no factor, but each
    /// block still clamps the stored value: the difficulty stays what
    /// admission checks now.
    pub fn difficulty_after(&self, scheme: Scheme, blocks: u64) -> Option<u64> {
        if scheme != Scheme::V1 {
            return None;
        }
        let half_life = self.half_life?;
        if half_life == 0 {
            return self.effective_difficulty(scheme);
        }
        let decay = Decay::of(
            self.difficulty?,
            self.min_difficulty,
            self.max_difficulty,
            u16::try_from(half_life).ok(),
        )?;
        Some(decay.after(blocks))
    }
}

/// The chain's subnets at one block.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Subnets {
    /// The block read.
    pub head: Head,
    /// The runtime's spec version.
    pub spec_version: u32,
    /// The scheme its proof-of-work registration checks, if it has one.
    pub scheme: Option<Scheme>,
    /// Every subnet (`NetworksAdded`), by netuid.
    pub subnets: Vec<SubnetFacts>,
}

impl Chain {
    /// Every subnet's registration facts at the best block (`only`: that
    /// subnet alone, if it exists).
    pub async fn subnets(&mut self, only: Option<u16>) -> Result<Subnets, ChainError> {
        let head = self.head().await?;
        let facts = self.runtime_facts(&head).await?;
        let scheme = detect(&facts, None, None).ok().map(|(s, _)| s);
        let timeout = self.timeout();
        let subnets = super::client::within("the subnets' storage", timeout, async {
            let at = self.at(&head).await?;
            let storage = at.storage();
            const P: &str = Registration::PALLET;
            // Every netuid `NetworksAdded` holds as true.
            let mut netuids = Vec::new();
            let added = dynamic::storage::<(u16,), bool>(P, "NetworksAdded");
            let entry = storage
                .entry(added)
                .map_err(|e| ChainError::from_request("NetworksAdded", e))?;
            let mut iter = entry
                .iter(())
                .await
                .map_err(|e| ChainError::from_request("NetworksAdded", e))?;
            while let Some(kv) = iter.next().await {
                let kv = kv.map_err(|e| ChainError::from_request("NetworksAdded", e))?;
                let unreadable = |e: &dyn std::fmt::Display| ChainError::Unreadable {
                    what: "NetworksAdded",
                    source: e.to_string().into(),
                };
                let (netuid,) = kv
                    .key()
                    .and_then(|k| k.decode())
                    .map_err(|e| unreadable(&e))?;
                let added: bool = kv.value().decode().map_err(|e| unreadable(&e))?;
                if added && only.is_none_or(|n| n == netuid) {
                    netuids.push(netuid);
                }
            }
            netuids.sort_unstable();
            let mut out = Vec::with_capacity(netuids.len());
            for netuid in netuids {
                out.push(subnet_facts(&storage, netuid).await?);
            }
            Ok(out)
        })
        .await?;
        Ok(Subnets {
            head,
            spec_version: facts.spec_version,
            scheme,
            subnets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_facts_follow_the_runtime() {
        let f = SubnetFacts {
            difficulty: Some(1_000_000),
            min_difficulty: Some(2_000_000),
            max_difficulty: Some(u64::MAX),
            half_life: Some(2),
            last_adjustment_block: Some(700),
            adjustment_interval: Some(360),
            ..SubnetFacts::default()
        };
        // v1 clamps into [min, max]; legacy reads the stored value.
        assert_eq!(f.effective_difficulty(Scheme::V1), Some(2_000_000));
        assert_eq!(f.effective_difficulty(Scheme::Legacy), Some(1_000_000));
        let unclamped = SubnetFacts {
            min_difficulty: Some(1),
            ..f.clone()
        };
        // Half-life 2: half after two blocks (the runtime's Q32 arithmetic).
        let decay = Decay {
            stored: 1_000_000,
            min: 1,
            max: u64::MAX,
            half_life: 2,
        };
        assert_eq!(
            unclamped.difficulty_after(Scheme::V1, 2),
            Some(decay.after(2))
        );
        assert!(decay.after(2).abs_diff(500_000) <= 1);
        assert_eq!(unclamped.difficulty_after(Scheme::Legacy, 2), None);
        let flat = SubnetFacts {
            half_life: None,
            ..unclamped.clone()
        };
        assert_eq!(flat.difficulty_after(Scheme::V1, 50), None);
        assert_eq!(f.interval_resets_at(), Some(1060));
        assert_eq!(SubnetFacts::default().interval_resets_at(), None);
    }

    #[test]
    fn a_half_life_of_0_keeps_the_clamped_difficulty() {
        // The runtime applies no factor, but clamps every block: below the
        // floor, the floor; above the ceiling, the ceiling; else unchanged.
        for (stored, min, max, kept) in [
            (1_000_000, Some(1), None, 1_000_000),
            (1_000_000, Some(2_000_000), Some(u64::MAX), 2_000_000),
            (9_000_000, Some(1), Some(5_000_000), 5_000_000),
            (0, None, None, 1),
        ] {
            let f = SubnetFacts {
                difficulty: Some(stored),
                min_difficulty: min,
                max_difficulty: max,
                half_life: Some(0),
                ..SubnetFacts::default()
            };
            for blocks in [0, 1, 50, 300] {
                assert_eq!(f.difficulty_after(Scheme::V1, blocks), Some(kept), "{f:?}");
            }
            assert_eq!(f.effective_difficulty(Scheme::V1), Some(kept));
            // It matches the runtime's arithmetic with no factor.
            let flat = Decay {
                stored,
                min: min.unwrap_or(1),
                max: max.unwrap_or(u64::MAX),
                half_life: 0,
            };
            assert_eq!(flat.after(300), kept);
            // Legacy eras have no decay rule at all: still nothing.
            assert_eq!(f.difficulty_after(Scheme::Legacy, 50), None);
        }
        // No difficulty stored: nothing to keep.
        let none = SubnetFacts {
            half_life: Some(0),
            ..SubnetFacts::default()
        };
        assert_eq!(none.difficulty_after(Scheme::V1, 50), None);
    }
}
