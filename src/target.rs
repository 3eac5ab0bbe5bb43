//! Difficulty and the acceptance rules, as exact 256-bit thresholds.
//!
//! Every rule is "the seal, read as an integer in the rule's byte order, is at
//! most a threshold":
//!
//! | rule       | integer        | pow.py / chain test  | threshold        |
//! |------------|----------------|----------------------|------------------|
//! | `python`   | `int_be(seal)` | `s * d <  L`         | `floor((L-1)/d)` |
//! | `chain-be` | `int_be(seal)` | `s * d <= L`         | `floor(L/d)`     |
//! | `chain-le` | `int_le(seal)` | `s * d <= L`         | `floor(L/d)`     |
//! | `v1`       | `int_le(seal)` | `s <= L // d`        | `floor(L/d)`     |
//!
//! with `L = 2^256 - 1`. `s*d < L` ⇔ `s*d <= L-1` ⇔ `s <= floor((L-1)/d)`; the
//! rules differ only when `d` divides `L` and `s = L/d`.

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

use crate::challenge::Scheme;
use crate::u256::U256;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
/// Why a difficulty or a rule is not accepted.
#[non_exhaustive]
pub enum TargetError {
    #[error("difficulty must be at least 1 (0 has no threshold)")]
    /// A difficulty of 0.
    ZeroDifficulty,
    #[error("unknown rule {0:?}: expected python, chain-be, chain-le or v1")]
    /// A rule name not known.
    UnknownRule(String),
}

/// A registration difficulty, `1..=2^64-1` (the chain stores a `u64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Difficulty(NonZeroU64);

impl Difficulty {
    /// The chance that at least one of `tried` random nonces meets this
    /// difficulty: each meets with probability about 1/d, so
    /// 1 - e^(-tried/d).
    pub fn chance_within(self, tried: f64) -> f64 {
        1.0 - (-tried / self.get() as f64).exp()
    }

    /// Difficulty 1: every seal but the rule's excluded top meets.
    pub const MIN: Difficulty = Difficulty(NonZeroU64::MIN);
    /// Difficulty 2^64-1.
    pub const MAX: Difficulty = Difficulty(NonZeroU64::MAX);

    /// A difficulty; 0 is refused.
    pub fn new(d: u64) -> Result<Self, TargetError> {
        NonZeroU64::new(d)
            .map(Difficulty)
            .ok_or(TargetError::ZeroDifficulty)
    }

    /// Its value.
    pub fn get(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(any(test, feature = "chain"))]
/// The v1 SDK's `effective_difficulty`: the chain's `Difficulty` clamped into
/// `[MinDifficulty, MaxDifficulty]`, where a missing or zero value falls back
/// the way the SDK's `or` does (`value or 1`, `minimum or 1`; a missing
/// maximum is `2^64-1`, a zero maximum collapses to the minimum).
pub(crate) fn effective_difficulty(
    value: Option<u64>,
    min: Option<u64>,
    max: Option<u64>,
) -> Difficulty {
    let (lo, hi) = difficulty_bounds(min.unwrap_or(1), max.unwrap_or(u64::MAX));
    let d = value.filter(|&v| v != 0).unwrap_or(1).max(lo).min(hi);
    Difficulty::new(d).expect("clamped into [lo, hi] with lo >= 1")
}

#[cfg(any(test, feature = "chain"))]
/// The bounds a difficulty is clamped into: `[max(1, min), max(that, max)]`
/// (the runtime's `pow_difficulty_bounds`; the SDK's clamp agrees).
pub(crate) fn difficulty_bounds(min: u64, max: u64) -> (u64, u64) {
    let lo = min.max(1);
    (lo, max.max(lo))
}

/// Which way the 32 seal bytes are read as an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ByteOrder {
    /// Most significant byte first.
    Big,
    /// Least significant byte first.
    Little,
}

/// An acceptance rule, by its name in this project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// pow.py `_seal_meets_difficulty`: `int_be(seal) * d < 2^256-1`.
    Python,
    /// subtensor `hash_meets_difficulty` up to spec ~282: big-endian, no overflow.
    ChainBe,
    /// subtensor specs ~283..396: little-endian, no overflow.
    ChainLe,
    /// `pow_register`: `int_le(seal) <= (2^256-1) // d`.
    V1,
}

impl Rule {
    /// The rule a challenge of `scheme` is solved by when none is given
    /// offline: pow.py's for legacy (what the SDK that solves it checks),
    /// the chain's for v1 (it has only one).
    pub fn default_for(scheme: Scheme) -> Rule {
        match scheme {
            Scheme::Legacy => Rule::Python,
            Scheme::V1 => Rule::V1,
        }
    }

    /// Every rule.
    pub const ALL: [Rule; 4] = [Rule::Python, Rule::ChainBe, Rule::ChainLe, Rule::V1];
    /// The legacy scheme's rules.
    pub const LEGACY: [Rule; 3] = [Rule::Python, Rule::ChainBe, Rule::ChainLe];

    /// The name `--rule` takes.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Python => "python",
            Rule::ChainBe => "chain-be",
            Rule::ChainLe => "chain-le",
            Rule::V1 => "v1",
        }
    }

    /// The scheme the rule belongs to.
    pub fn scheme(self) -> Scheme {
        match self {
            Rule::V1 => Scheme::V1,
            _ => Scheme::Legacy,
        }
    }

    /// How the rule reads a seal as a number.
    pub(crate) fn byte_order(self) -> ByteOrder {
        match self {
            Rule::Python | Rule::ChainBe => ByteOrder::Big,
            Rule::ChainLe | Rule::V1 => ByteOrder::Little,
        }
    }

    /// The largest accepted seal value for difficulty `d`.
    pub fn threshold(self, d: Difficulty) -> U256 {
        let dividend = match self {
            // pow.py compares strictly against 2^256-1.
            Rule::Python => U256::MAX.checked_dec().expect("MAX is not zero"),
            Rule::ChainBe | Rule::ChainLe | Rule::V1 => U256::MAX,
        };
        dividend
            .checked_div_u64(d.get())
            .expect("difficulty is non-zero")
    }
}

/// A rule used with a scheme it does not belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("rule {rule} belongs to the {} scheme, not {scheme}", .rule.scheme())]
pub struct SchemeMismatch {
    /// The rule.
    pub rule: Rule,
    /// The scheme it was used with.
    pub scheme: Scheme,
}

impl Rule {
    /// Refuses this rule for another scheme's challenge.
    pub fn check_scheme(self, scheme: Scheme) -> Result<(), SchemeMismatch> {
        if self.scheme() == scheme {
            Ok(())
        } else {
            Err(SchemeMismatch { rule: self, scheme })
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Rule {
    type Err = TargetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| TargetError::UnknownRule(s.to_string()))
    }
}

/// A rule and difficulty with the threshold worked out once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    rule: Rule,
    difficulty: Difficulty,
    threshold: U256,
}

impl Target {
    /// The target of `rule` at `difficulty`.
    pub fn new(rule: Rule, difficulty: Difficulty) -> Self {
        Target {
            rule,
            difficulty,
            threshold: rule.threshold(difficulty),
        }
    }

    /// Its rule.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// Its difficulty.
    pub fn difficulty(&self) -> Difficulty {
        self.difficulty
    }

    /// The largest seal value that meets it.
    pub fn threshold(&self) -> U256 {
        self.threshold
    }

    /// The seal as the integer this rule compares.
    pub fn seal_value(&self, seal: &[u8; 32]) -> U256 {
        match self.rule.byte_order() {
            ByteOrder::Big => U256::from_be_bytes(seal),
            ByteOrder::Little => U256::from_le_bytes(seal),
        }
    }

    /// Whether `seal` meets it.
    pub fn meets(&self, seal: &[u8; 32]) -> bool {
        self.seal_value(seal) <= self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: u64) -> Difficulty {
        Difficulty::new(v).unwrap()
    }

    #[test]
    fn zero_difficulty_is_an_error() {
        assert_eq!(Difficulty::new(0), Err(TargetError::ZeroDifficulty));
    }

    #[test]
    fn rules_differ_only_at_exact_quotients() {
        // d = 1, s = L: chain accepts (L*1 <= L), python refuses (L*1 < L is false).
        let all_ff = [0xff; 32];
        assert!(!Target::new(Rule::Python, d(1)).meets(&all_ff));
        assert!(Target::new(Rule::ChainBe, d(1)).meets(&all_ff));
        assert!(Target::new(Rule::ChainLe, d(1)).meets(&all_ff));
        assert!(Target::new(Rule::V1, d(1)).meets(&all_ff));
        // d = 2 does not divide L: floor(L/2) == floor((L-1)/2).
        assert_eq!(Rule::Python.threshold(d(2)), Rule::ChainBe.threshold(d(2)));
        assert_ne!(Rule::Python.threshold(d(3)), Rule::ChainBe.threshold(d(3)));
    }

    #[test]
    fn byte_order_matters() {
        let mut seal = [0u8; 32];
        seal[31] = 0xff; // tiny big-endian, huge little-endian
        assert!(Target::new(Rule::ChainBe, Difficulty::MAX).meets(&seal));
        assert!(!Target::new(Rule::ChainLe, d(2)).meets(&seal));
    }

    #[test]
    fn effective_difficulty_matches_the_sdk() {
        let e = |v, lo, hi| effective_difficulty(v, lo, hi).get();
        assert_eq!(e(None, None, None), 1);
        assert_eq!(e(Some(0), Some(0), None), 1);
        assert_eq!(e(Some(5), Some(10), Some(100)), 10);
        assert_eq!(e(Some(500), Some(10), Some(100)), 100);
        assert_eq!(e(Some(50), Some(10), Some(100)), 50);
        // An owner ceiling below the floor cannot win.
        assert_eq!(e(Some(50), Some(10), Some(3)), 10);
        assert_eq!(e(Some(50), Some(10), Some(0)), 10);
        assert_eq!(e(Some(u64::MAX), None, None), u64::MAX);
    }

    #[test]
    fn rule_names_round_trip() {
        for r in Rule::ALL {
            assert_eq!(r.name().parse::<Rule>(), Ok(r));
        }
        assert!("chain".parse::<Rule>().is_err());
    }
}
