//! Holding an engine to one golden row.

use super::{NonceRange, Row};
use crate::challenge::{Challenge, LegacyChallenge, V1Challenge};
use crate::engine::{reference, Engine, Order};
use crate::hex::encode;
use crate::job::Job;
use crate::target::{Difficulty, Rule, Target};

impl Row {
    /// Whether this row's check goes through an engine. Threshold rows
    /// test the acceptance rules alone (a seal without its preimage), so
    /// they are checked once, not once per engine.
    pub fn uses_engine(&self) -> bool {
        !matches!(self, Row::LegacyDifficulty { .. })
    }

    /// Checks this row with `engine`; `Err` says what differs.
    pub fn check(&self, engine: &dyn Engine) -> Result<(), String> {
        check_row(engine, self)
    }
}

fn check_row(engine: &dyn Engine, row: &Row) -> Result<(), String> {
    match row {
        Row::LegacySeal {
            block_hash,
            hotkey,
            nonce,
            block_and_hotkey_hash,
            seal,
            difficulty,
            meets,
        } => {
            let challenge = LegacyChallenge::new(*block_hash, *hotkey);
            same(
                "block_and_hotkey_hash",
                &encode(&challenge.block_and_hotkey_hash()),
                &encode(block_and_hotkey_hash),
            )?;
            let job = job(Challenge::Legacy(challenge), Rule::Python, *difficulty);
            check_seal(engine, &job, *nonce, seal, *meets)
        }
        Row::LegacyDifficulty {
            seal,
            difficulty,
            python_meets,
            chain_meets,
        } => {
            let python = Target::new(Rule::Python, *difficulty).meets(seal);
            same("python_meets", &python, python_meets)?;
            let chain = Target::new(Rule::ChainBe, *difficulty).meets(seal);
            same("chain_meets", &chain, chain_meets)
        }
        Row::LegacySolve {
            block_hash,
            hotkey,
            difficulty,
            range,
            first_nonce,
        } => {
            let challenge = Challenge::Legacy(LegacyChallenge::new(*block_hash, *hotkey));
            check_search(
                engine,
                &job(challenge, Rule::Python, *difficulty),
                *range,
                *first_nonce,
            )
        }
        Row::V1Seal {
            netuid,
            block_hash,
            hotkey,
            coldkey,
            nonce,
            seal,
            difficulty,
            meets,
        } => {
            let challenge = V1Challenge::new(*netuid, *block_hash, *hotkey, *coldkey);
            let job = job(Challenge::V1(challenge), Rule::V1, *difficulty);
            check_seal(engine, &job, *nonce, seal, *meets)
        }
        Row::V1Solve {
            netuid,
            block_hash,
            hotkey,
            coldkey,
            difficulty,
            range,
            first_nonce,
        } => {
            let challenge = V1Challenge::new(*netuid, *block_hash, *hotkey, *coldkey);
            let job = job(Challenge::V1(challenge), Rule::V1, *difficulty);
            check_search(engine, &job, *range, *first_nonce)
        }
    }
}

fn job(challenge: Challenge, rule: Rule, difficulty: Difficulty) -> Job {
    Job::new(&challenge, rule, difficulty).expect("each row kind pairs its scheme with its rule")
}

fn same<T: PartialEq + std::fmt::Debug>(what: &str, got: &T, want: &T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want:?}, got {got:?}"))
    }
}

/// The engine's seal, the rule's verdict, and the engine's own search over
/// the single nonce must all agree with the row.
fn check_seal(
    engine: &dyn Engine,
    job: &Job,
    nonce: u64,
    seal: &[u8; 32],
    meets: bool,
) -> Result<(), String> {
    let got = engine.seal(job, nonce).map_err(|e| e.to_string())?;
    same("seal", &encode(&got), &encode(seal))?;
    same("meets", &job.target().meets(seal), &meets)?;
    let want = meets.then(|| (nonce, encode(seal)));
    let found = engine.search(job, nonce, 1).map_err(|e| e.to_string())?;
    same(
        "search(nonce, 1)",
        &found.map(|s| (s.nonce, encode(&s.seal))),
        &want,
    )?;
    // The same nonce through the midstate path (v1's block-3-only kernels).
    let index = Order::HighBytes.index(nonce);
    let found = engine
        .search_in(job, Order::HighBytes, index, 1)
        .map_err(|e| e.to_string())?;
    same(
        "search_in(high-bytes, nonce, 1)",
        &found.map(|s| (s.nonce, encode(&s.seal))),
        &want,
    )
}

fn check_search(
    engine: &dyn Engine,
    job: &Job,
    range: NonceRange,
    first_nonce: Option<u64>,
) -> Result<(), String> {
    let found = engine
        .search(job, range.start, range.count)
        .map_err(|e| e.to_string())?;
    same("first_nonce", &found.map(|s| s.nonce), &first_nonce)?;
    if let Some(s) = found {
        same(
            "seal of first_nonce",
            &encode(&s.seal),
            &encode(&reference::seal(job, s.nonce)),
        )?;
    }
    Ok(())
}
