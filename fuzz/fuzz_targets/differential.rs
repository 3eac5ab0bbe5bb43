//! The reference engine and the rules against the independent naive
//! implementation in tests/naive, on any inputs.
#![no_main]

use btpow::engine::{self, reference};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, Target, V1Challenge};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/naive/mod.rs"]
mod naive;

fn take<const N: usize>(data: &mut &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let n = N.min(data.len());
    out[..n].copy_from_slice(&data[..n]);
    *data = &data[n..];
    out
}

fuzz_target!(|input: &[u8]| {
    let mut data = input;
    let [mode, count] = take::<2>(&mut data);
    let block_hash = take::<32>(&mut data);
    let hotkey = take::<32>(&mut data);
    let coldkey = take::<32>(&mut data);
    let netuid = u16::from_le_bytes(take::<2>(&mut data));
    let start = u64::from_le_bytes(take::<8>(&mut data));
    let raw_d = u64::from_le_bytes(take::<8>(&mut data));
    // Either any difficulty, or a small one so that searches find something.
    let d = if mode & 2 == 0 { raw_d.max(1) } else { raw_d % 64 + 1 };
    let difficulty = Difficulty::new(d).unwrap();
    let count = u64::from(count % 32);

    // Rules: every one, on the raw remaining bytes as a seal.
    let seal_bytes = take::<32>(&mut data);
    assert_eq!(Target::new(Rule::Python, difficulty).meets(&seal_bytes), naive::python_meets(&seal_bytes, d));
    assert_eq!(Target::new(Rule::ChainBe, difficulty).meets(&seal_bytes), naive::chain_be_meets(&seal_bytes, d));
    assert_eq!(Target::new(Rule::ChainLe, difficulty).meets(&seal_bytes), naive::chain_le_meets(&seal_bytes, d));
    assert_eq!(Target::new(Rule::V1, difficulty).meets(&seal_bytes), naive::v1_meets(&seal_bytes, d));

    let v1 = mode & 1 == 1;
    let (job, naive_seal): (Job, Box<dyn Fn(u64) -> [u8; 32]>) = if v1 {
        let c = Challenge::V1(V1Challenge::new(netuid, block_hash, hotkey, coldkey));
        (
            Job::new(&c, Rule::V1, difficulty).unwrap(),
            Box::new(move |n| naive::v1_seal(netuid, &block_hash, &hotkey, &coldkey, n)),
        )
    } else {
        let c = Challenge::Legacy(LegacyChallenge::new(block_hash, hotkey));
        (
            Job::new(&c, Rule::Python, difficulty).unwrap(),
            Box::new(move |n| naive::legacy_seal(&block_hash, &hotkey, n)),
        )
    };
    assert_eq!(reference::seal(&job, start), naive_seal(start));

    // Search against a linear scan of naive seals.
    let meets = |s: &[u8; 32]| {
        if v1 {
            naive::v1_meets(s, d)
        } else {
            naive::python_meets(s, d)
        }
    };
    for backend in engine::Backend::available() {
        let got = backend.engine().unwrap().search(&job, start, count);
        if start.checked_add(count.saturating_sub(1)).is_none() {
            assert!(got.is_err());
            continue;
        }
        let want = (0..count)
            .map(|i| start + i)
            .map(|n| (n, naive_seal(n)))
            .find(|(_, s)| meets(s));
        assert_eq!(got.unwrap().map(|s| (s.nonce, s.seal)), want);
    }
});
