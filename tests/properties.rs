//! The library against an independent naive implementation (tests/naive),
//! on random inputs. 10,000 cases per property unless PROPTEST_CASES says
//! otherwise.

mod naive;
mod support;

use btpow::engine::{self, RangeError};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, Target, V1Challenge};
use proptest::prelude::*;

fn hash32() -> impl Strategy<Value = [u8; 32]> {
    prop_oneof![
        1 => Just([0u8; 32]),
        1 => Just([0xffu8; 32]),
        8 => any::<[u8; 32]>(),
    ]
}

fn nonce() -> impl Strategy<Value = u64> {
    prop_oneof![
        1 => prop::sample::select(vec![0, 1, 1 << 32, (1 << 40) - 1, 1 << 63, u64::MAX]),
        2 => 0u64..1 << 24,
        4 => any::<u64>(),
    ]
}

/// Difficulties spread over every magnitude, the extremes and the divisors of
/// 2^256-1 (where the strict and non-strict rules part).
fn difficulty() -> impl Strategy<Value = u64> {
    prop_oneof![
        1 => prop::sample::select(vec![
            1, 3, 5, 15, 17, 255, 257, 641, 65537, 6700417, 4294967297, u64::MAX, 2, u64::MAX - 1,
        ]),
        4 => (0u32..64, any::<u64>()).prop_map(|(bits, v)| (v >> bits).max(1)),
    ]
}

/// Seals that sit near a difficulty's threshold as often as anywhere else.
fn seal_and_difficulty() -> impl Strategy<Value = ([u8; 32], u64)> {
    (difficulty(), any::<[u8; 32]>(), 0u8..4, -2i8..=2).prop_map(|(d, random, how, delta)| {
        let seal = match how {
            0 => random,
            _ => {
                // Around floor(L/d) or floor((L-1)/d), big- or little-endian.
                let rule = if how == 1 {
                    Rule::ChainBe
                } else {
                    Rule::Python
                };
                let mut t = rule.threshold(Difficulty::new(d).unwrap());
                for _ in 0..delta.unsigned_abs() {
                    t = if delta > 0 {
                        t.checked_inc()
                    } else {
                        t.checked_dec()
                    }
                    .unwrap_or(t);
                }
                let mut be = t.to_be_bytes();
                if how == 3 {
                    be.reverse();
                }
                be
            }
        };
        (seal, d)
    })
}

type NaiveSeal = Box<dyn Fn(u64) -> [u8; 32]>;
type NaiveRule = fn(&[u8; 32], u64) -> bool;

proptest! {
    #![proptest_config(support::engines::proptest_config())]

    #[test]
    fn legacy_seal_matches_naive(block_hash in hash32(), hotkey in hash32(), nonce in nonce()) {
        let c = LegacyChallenge::new(block_hash, hotkey);
        prop_assert_eq!(
            c.block_and_hotkey_hash(),
            naive::legacy_block_and_hotkey_hash(&block_hash, &hotkey)
        );
        let job = Job::new(&Challenge::Legacy(c), Rule::Python, Difficulty::MIN).unwrap();
        prop_assert_eq!(
            engine::reference::seal(&job, nonce),
            naive::legacy_seal(&block_hash, &hotkey, nonce)
        );
    }

    #[test]
    fn v1_seal_matches_naive(
        netuid in any::<u16>(),
        block_hash in hash32(),
        hotkey in hash32(),
        coldkey in hash32(),
        nonce in nonce(),
    ) {
        let c = V1Challenge::new(netuid, block_hash, hotkey, coldkey);
        let job = Job::new(&Challenge::V1(c), Rule::V1, Difficulty::MIN).unwrap();
        prop_assert_eq!(
            engine::reference::seal(&job, nonce),
            naive::v1_seal(netuid, &block_hash, &hotkey, &coldkey, nonce)
        );
    }

    #[test]
    fn thresholds_match_multiply_and_compare((seal, d) in seal_and_difficulty()) {
        let diff = Difficulty::new(d).unwrap();
        prop_assert_eq!(Target::new(Rule::Python, diff).meets(&seal), naive::python_meets(&seal, d));
        prop_assert_eq!(Target::new(Rule::ChainBe, diff).meets(&seal), naive::chain_be_meets(&seal, d));
        prop_assert_eq!(Target::new(Rule::ChainLe, diff).meets(&seal), naive::chain_le_meets(&seal, d));
        prop_assert_eq!(Target::new(Rule::V1, diff).meets(&seal), naive::v1_meets(&seal, d));
    }

    #[test]
    fn search_is_the_first_hit_of_a_linear_scan(
        v1 in any::<bool>(),
        netuid in any::<u16>(),
        block_hash in hash32(),
        hotkey in hash32(),
        coldkey in hash32(),
        d in prop_oneof![1u64..40, Just(u64::MAX)],
        start in prop_oneof![any::<u64>(), 0u64..100, (u64::MAX - 100)..=u64::MAX],
        count in 0u64..48,
    ) {
        let (job, naive_seal, naive_meets): (Job, NaiveSeal, NaiveRule) = if v1 {
            let c = Challenge::V1(V1Challenge::new(netuid, block_hash, hotkey, coldkey));
            (
                Job::new(&c, Rule::V1, Difficulty::new(d).unwrap()).unwrap(),
                Box::new(move |n| naive::v1_seal(netuid, &block_hash, &hotkey, &coldkey, n)),
                naive::v1_meets,
            )
        } else {
            let c = Challenge::Legacy(LegacyChallenge::new(block_hash, hotkey));
            let bh = naive::legacy_block_and_hotkey_hash(&block_hash, &hotkey);
            (
                Job::new(&c, Rule::Python, Difficulty::new(d).unwrap()).unwrap(),
                Box::new(move |n| naive::legacy_seal_from_hash(&bh, n)),
                naive::python_meets,
            )
        };
        let in_range = start.checked_add(count.saturating_sub(1)).is_some();
        let expected = if in_range {
            (0..count)
                .map(|i| start + i)
                .map(|n| (n, naive_seal(n)))
                .find(|(_, s)| naive_meets(s, d))
        } else {
            None
        };
        for e in support::engines::engines() {
            let got = e.search(&job, start, count);
            if in_range {
                prop_assert_eq!(got, Ok(expected.map(|(nonce, seal)| engine::Solution { nonce, seal })));
            } else {
                prop_assert_eq!(got, Err(RangeError::PastU64Max { start, count }.into()));
            }
        }
    }
}

#[test]
fn range_check_is_exact_at_the_top() {
    assert!(RangeError::check(u64::MAX, 1).is_ok());
    assert!(RangeError::check(u64::MAX, 2).is_err());
    assert!(RangeError::check(0, u64::MAX).is_ok());
}

#[test]
fn naive_primitives_know_their_answers() {
    // Published test values, so the naive side is checked too; the last one
    // crosses a Keccak rate boundary.
    let hex = btpow::hex::encode;
    assert_eq!(
        hex(&naive::sha256(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        hex(&naive::sha256(&[b'a'; 1000])),
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
    );
    assert_eq!(
        hex(&naive::keccak256(b"")),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    assert_eq!(
        hex(&naive::keccak256(&[0x61; 200])),
        hex(&{
            use sha3::Digest;
            sha3::Keccak256::digest([0x61; 200])
        })
    );
}
