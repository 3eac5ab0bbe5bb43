//! `btpow-bench seal`: one nonce's seal and every rule's verdict, for
//! checking a submission by hand.

use btpow::engine::reference;
use btpow::hex::encode;
use btpow::{Challenge, Difficulty, Job, Rule};

use crate::args::SealArgs;
use crate::CmdResult;

pub fn run(args: &SealArgs) -> CmdResult {
    let challenge = args.challenge.challenge()?;
    let difficulty = Difficulty::new(args.difficulty)?;
    let rules: &[Rule] = match challenge {
        Challenge::Legacy(ref c) => {
            outln!(
                "block_and_hotkey_hash {}",
                encode(&c.block_and_hotkey_hash())
            );
            &Rule::LEGACY
        }
        Challenge::V1(ref c) => {
            outln!("prefix                {}", encode(&c.prefix()));
            &[Rule::V1]
        }
    };
    let first = Job::new(&challenge, rules[0], difficulty)?;
    let seal = reference::seal(&first, args.nonce);
    outln!("nonce                 {}", args.nonce);
    outln!("seal                  {}", encode(&seal));
    outln!("difficulty            {difficulty}");
    for &rule in rules {
        let job = Job::new(&challenge, rule, difficulty)?;
        let verdict = if job.target().meets(&seal) {
            "meets"
        } else {
            "does not meet"
        };
        outln!("rule {:<16} {verdict}", rule.name());
    }
    Ok(true)
}
