//! Every backend of this build, forced one by one, against the reference:
//! seals of single nonces and first hits of ranges, 10,000 random cases per
//! property (PROPTEST_CASES to change). A backend this CPU cannot run is
//! reported as skipped, and is not counted as passing.

mod support;

use btpow::engine::{reference::Reference, Backend, Engine, Order};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, V1Challenge};
use proptest::prelude::*;

fn job_strategy() -> impl Strategy<Value = Job> {
    (
        any::<bool>(),
        any::<u16>(),
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
        prop_oneof![
            1u64..64,
            Just(u64::MAX),
            any::<u64>().prop_map(|d| d.max(1))
        ],
        0usize..3,
    )
        .prop_map(|(v1, netuid, block, hot, cold, d, rule)| {
            let d = Difficulty::new(d).unwrap();
            if v1 {
                let c = Challenge::V1(V1Challenge::new(netuid, block, hot, cold));
                Job::new(&c, Rule::V1, d).unwrap()
            } else {
                let c = Challenge::Legacy(LegacyChallenge::new(block, hot));
                Job::new(&c, Rule::LEGACY[rule], d).unwrap()
            }
        })
}

fn nonce() -> impl Strategy<Value = u64> {
    prop_oneof![any::<u64>(), 0u64..64, (u64::MAX - 64)..=u64::MAX]
}

#[test]
fn every_backend_this_machine_supports_is_under_test() {
    let names: Vec<_> = support::engines::engines_but_the_reference()
        .map(|e| e.name())
        .collect();
    eprintln!("engines under test: {}", names.join(", "));
    for b in Backend::available() {
        if b != Backend::Reference {
            assert!(
                names.contains(&b.name()),
                "{} is supported but not under test",
                b.name()
            );
        }
    }
}

proptest! {
    #![proptest_config(support::engines::proptest_config())]

    #[test]
    fn seals_match_the_reference(job in job_strategy(), nonce in nonce()) {
        let want = Reference.seal(&job, nonce);
        for e in support::engines::engines_but_the_reference() {
            prop_assert_eq!(e.seal(&job, nonce), want.clone(), "engine {}", e.name());
        }
    }

    #[test]
    fn searches_match_the_reference(job in job_strategy(), start in nonce(), count in 0u64..70) {
        let want = Reference.search(&job, start, count);
        for e in support::engines::engines_but_the_reference() {
            prop_assert_eq!(e.search(&job, start, count), want.clone(), "engine {}", e.name());
        }
    }

    /// The midstate order, across column ends (index % 2^24 near 2^24) and
    /// the top of the index space.
    #[test]
    fn high_byte_searches_match_the_reference(
        job in job_strategy(),
        start in prop_oneof![
            any::<u64>(),
            any::<u64>().prop_map(|i| i | 0xff_ffc0),
            (u64::MAX - 64)..=u64::MAX,
        ],
        count in 0u64..70,
    ) {
        let want = Reference.search_in(&job, Order::HighBytes, start, count);
        for e in support::engines::engines_but_the_reference() {
            prop_assert_eq!(
                e.search_in(&job, Order::HighBytes, start, count),
                want.clone(),
                "engine {}",
                e.name()
            );
        }
    }
}
