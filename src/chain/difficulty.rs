//! The proof-of-work difficulty as runtime 475 moves it, in the runtime's
//! own integer arithmetic (Q32 fixed point), so that btpow knows the exact
//! difficulty a block will check, not a float estimate of it.
//!
//! From subtensor's `registration.rs` and its Q32 helpers (read in
//! coldint/subtensor, a fork that tracks mainline):
//! - the bounds: `min = max(1, MinDifficulty)`, `max = max(min, MaxDifficulty)`;
//!   admission checks `Difficulty` clamped into them
//!   (`effective_pow_difficulty`), in the pool and at dispatch;
//! - every block after block 1, `on_initialize` decays `Difficulty` by the
//!   factor `f` with `f ^ BurnHalfLife = 1/2` (`decay_factor_q32`, a
//!   bisection in Q32), as `clamp(value · f >> 32)` (`mul_by_q32`);
//! - each proof-of-work registration multiplies it by `BurnIncreaseMult`
//!   (U64F64, at least 1) and clamps it
//!   (`bump_pow_difficulty_after_registration`).
//!
//! The pool validates a transaction against the state of the best block
//! (its `Difficulty`, not yet decayed for the next block), so the
//! difficulty a submission must meet now is [`Decay::effective`] of the
//! stored value; one block later it is [`Decay::after`]`(1)`.

/// 1.0 in Q32.
const ONE_Q32: u64 = 1 << 32;
/// 0.5 in Q32.
const HALF_Q32: u64 = 1 << 31;

/// `value · factor` with `factor` in Q32, saturating into u64 (the
/// runtime's `mul_by_q32`).
pub(super) fn mul_by_q32(value: u64, factor_q32: u64) -> u64 {
    let product = u128::from(value).saturating_mul(u128::from(factor_q32));
    (product >> 32).min(u128::from(u64::MAX)) as u64
}

/// `base ^ exp` in Q32, by squaring (the runtime's `pow_q32`).
pub(super) fn pow_q32(base_q32: u64, exp: u16) -> u64 {
    let mut result = ONE_Q32;
    let mut factor = base_q32;
    let mut power = u32::from(exp);
    while power > 0 {
        if power & 1 == 1 {
            result = mul_by_q32(result, factor);
        }
        power >>= 1;
        if power > 0 {
            factor = mul_by_q32(factor, factor);
        }
    }
    result
}

/// The per-block factor `f` in Q32 with `f ^ half_life = 1/2`: the largest
/// `f` whose power is at most 1/2, by bisection (the runtime's
/// `decay_factor_q32`); 1.0 for a half-life of 0.
pub(super) fn decay_factor_q32(half_life: u16) -> u64 {
    if half_life == 0 {
        return ONE_Q32;
    }
    let (mut lo, mut hi) = (0u64, ONE_Q32);
    while lo.saturating_add(1) < hi {
        let mid = lo.saturating_add(hi.saturating_sub(lo) >> 1);
        if pow_q32(mid, half_life) > HALF_Q32 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo
}

/// A subnet's difficulty and what moves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decay {
    /// `Difficulty` as stored.
    pub stored: u64,
    /// `MinDifficulty`.
    pub min: u64,
    /// `MaxDifficulty`.
    pub max: u64,
    /// `BurnHalfLife` (0: no decay).
    pub half_life: u16,
}

impl Decay {
    /// A subnet's decay from its storage, on a runtime that decays the
    /// difficulty each block (`BurnHalfLife` present and not 0); an absent
    /// `MinDifficulty`/`MaxDifficulty` leaves that side unbounded.
    pub(crate) fn of(
        stored: u64,
        min: Option<u64>,
        max: Option<u64>,
        half_life: Option<u16>,
    ) -> Option<Decay> {
        Some(Decay {
            stored,
            min: min.unwrap_or(1),
            max: max.unwrap_or(u64::MAX),
            half_life: half_life.filter(|&h| h > 0)?,
        })
    }

    /// `[max(1, MinDifficulty), max(that, MaxDifficulty)]`.
    pub fn bounds(&self) -> (u64, u64) {
        crate::target::difficulty_bounds(self.min, self.max)
    }

    /// What admission checks now: the stored value clamped into the bounds.
    pub fn effective(&self) -> u64 {
        let (min, max) = self.bounds();
        self.stored.clamp(min, max)
    }

    /// The stored value at each later block with no registration, from
    /// the next one on: each block decays it once and clamps it
    /// (`update_registration_prices_for_networks`; with no half-life the
    /// runtime applies no factor but still clamps). Ends when the value no
    /// longer moves (at a bound, or too small to move): it stays there.
    fn later(&self) -> impl Iterator<Item = u64> {
        let (min, max) = self.bounds();
        let f = decay_factor_q32(self.half_life);
        let mut d = self.stored;
        let mut first = true;
        std::iter::from_fn(move || {
            let next = mul_by_q32(d, f).clamp(min, max);
            if next == d && !first {
                return None;
            }
            first = false;
            d = next;
            Some(d)
        })
    }

    /// The stored value after `blocks` more blocks with no registration.
    pub fn stored_after(&self, blocks: u64) -> u64 {
        let n = usize::try_from(blocks).unwrap_or(usize::MAX);
        self.later().take(n).last().unwrap_or(self.stored)
    }

    /// What admission checks `blocks` blocks from now, if nobody registers.
    pub fn after(&self, blocks: u64) -> u64 {
        Decay {
            stored: self.stored_after(blocks),
            ..*self
        }
        .effective()
    }

    /// How many blocks from now until admission checks at most `target`,
    /// if nobody registers; `None` if it never will (no decay, or a bound
    /// above `target`), at most `horizon` blocks looked ahead.
    pub fn blocks_until(&self, target: u64, horizon: u64) -> Option<u64> {
        if self.effective() <= target {
            return Some(0);
        }
        (1..=horizon)
            .zip(self.later())
            .find(|&(_, d)| d <= target)
            .map(|(k, _)| k)
    }

    /// The stored value after one proof-of-work registration:
    /// `clamp(clamp(stored) · mult)`, `mult` in U64F64 bits (64 fractional
    /// bits), taken as at least 1 (`bump_pow_difficulty_after_registration`).
    pub fn bumped(&self, mult_u64f64: u128) -> u64 {
        let mult = mult_u64f64.max(1u128 << 64);
        let (min, max) = self.bounds();
        let d = u128::from(self.stored.clamp(min, max));
        // The integer part of d · mult (U64F64), saturating:
        // d · (whole part) + (d · fraction) >> 64.
        let (whole, fraction) = (mult >> 64, mult & u128::from(u64::MAX));
        let int = (d * whole).saturating_add((d * fraction) >> 64);
        (int.min(u128::from(u64::MAX)) as u64).clamp(min, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decay_factor_halves_over_the_half_life_exactly_as_the_bisection_defines() {
        for half_life in [1u16, 2, 7, 100, 360, 361, 7200, u16::MAX] {
            let f = decay_factor_q32(half_life);
            // The bisection's postcondition: the largest f with f^h <= 1/2.
            assert!(pow_q32(f, half_life) <= HALF_Q32, "{half_life}");
            assert!(pow_q32(f + 1, half_life) > HALF_Q32, "{half_life}");
        }
        assert_eq!(decay_factor_q32(0), ONE_Q32);
        assert_eq!(decay_factor_q32(1), HALF_Q32);
        // 0.5^(1/360) = 0.998076…: within one Q32 step of the float value.
        let f = decay_factor_q32(360) as f64 / ONE_Q32 as f64;
        assert!((f - 0.5f64.powf(1.0 / 360.0)).abs() < 1e-8, "{f}");
    }

    #[test]
    fn q32_products_saturate() {
        assert_eq!(mul_by_q32(u64::MAX, ONE_Q32), u64::MAX);
        assert_eq!(mul_by_q32(u64::MAX, 2 * ONE_Q32), u64::MAX);
        assert_eq!(mul_by_q32(10, HALF_Q32), 5);
        assert_eq!(mul_by_q32(11, HALF_Q32), 5, "the product is floored");
    }

    #[test]
    fn admission_clamps_into_the_bounds() {
        let d = |stored, min, max| Decay {
            stored,
            min,
            max,
            half_life: 360,
        };
        assert_eq!(d(5, 10, 100).effective(), 10);
        assert_eq!(d(500, 10, 100).effective(), 100);
        assert_eq!(
            d(50, 0, 0).bounds(),
            (1, 1),
            "min at least 1, max at least min"
        );
        assert_eq!(d(50, 0, 0).effective(), 1);
        assert_eq!(
            d(50, 60, 20).bounds(),
            (60, 60),
            "a ceiling below the floor"
        );
    }

    #[test]
    fn each_block_decays_once_in_the_runtimes_arithmetic() {
        let s = Decay {
            stored: 10_000_000,
            min: 1_000,
            max: u64::MAX >> 2,
            half_life: 360,
        };
        let f = decay_factor_q32(360);
        assert_eq!(s.stored_after(0), 10_000_000);
        assert_eq!(s.stored_after(1), mul_by_q32(10_000_000, f));
        assert_eq!(s.stored_after(2), mul_by_q32(mul_by_q32(10_000_000, f), f));
        // About half after one half-life (floors make it a little less).
        let half = s.stored_after(360);
        assert!((4_999_000..=5_000_000).contains(&half), "{half}");
        // Down to the floor, and no further.
        assert_eq!(s.stored_after(1_000_000), 1_000);
        // No half-life: no decay.
        let flat = Decay { half_life: 0, ..s };
        assert_eq!(flat.after(1000), 10_000_000);
    }

    #[test]
    fn the_block_a_target_is_reached_is_the_first_that_checks_at_most_it() {
        let s = Decay {
            stored: 10_000_000,
            min: 1_000,
            max: u64::MAX,
            half_life: 360,
        };
        let k = s.blocks_until(5_000_000, 100_000).unwrap();
        assert!(s.after(k) <= 5_000_000 && s.after(k - 1) > 5_000_000, "{k}");
        assert_eq!(s.blocks_until(10_000_000, 10), Some(0));
        assert_eq!(
            s.blocks_until(999, 1_000_000),
            None,
            "below the floor: never"
        );
        assert_eq!(Decay { half_life: 0, ..s }.blocks_until(5, 1_000_000), None);
        assert_eq!(s.blocks_until(5_000_000, 10), None, "past the horizon");
    }

    #[test]
    fn a_registration_multiplies_by_the_increase_and_clamps() {
        let s = Decay {
            stored: 1_000_000,
            min: 1,
            max: u64::MAX,
            half_life: 360,
        };
        let one = 1u128 << 64;
        assert_eq!(s.bumped(one), 1_000_000);
        assert_eq!(s.bumped(2 * one), 2_000_000);
        assert_eq!(s.bumped(one + one / 4), 1_250_000);
        assert_eq!(
            s.bumped(one / 2),
            1_000_000,
            "a multiplier below 1 counts as 1"
        );
        let top = Decay {
            stored: u64::MAX / 2 + 10,
            ..s
        };
        assert_eq!(top.bumped(4 * one), u64::MAX, "saturates");
        let capped = Decay {
            max: 1_100_000,
            ..s
        };
        assert_eq!(capped.bumped(2 * one), 1_100_000);
    }
}
