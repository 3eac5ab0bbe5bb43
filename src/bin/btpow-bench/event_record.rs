//! The tool's view of each event the library reports while registering:
//! its JSON event ([`json()`]) and its line of words ([`describe`]), both read
//! from the library's [`Event`] itself (`record.rs` writes them).

use std::fmt;

use btpow::chain::{Event, Registration, SubmitError, WaitReason};
use btpow::hex::encode;
use serde::Serialize;
use serde_json::{json, Value};

/// `Event::Refused`'s kind for a submission whose status was lost.
pub const STATUS_UNKNOWN: &str = "status-unknown";

fn hash_hex(h: &[u8; 32]) -> String {
    format!("0x{}", encode(h))
}

/// The solver's progress on a block: its rates and what they predict.
#[derive(Serialize)]
struct Progress {
    ewma_nonces_per_sec: f64,
    perpetual_nonces_per_sec: f64,
    nonces: u64,
    block: u64,
    block_hash: String,
    difficulty: u64,
    expected_seconds: f64,
    chance_so_far: f64,
}

impl Progress {
    /// The progress an event reports, if it is `Event::Progress`.
    fn of(event: &Event<'_>) -> Option<Self> {
        let Event::Progress {
            report,
            block,
            difficulty,
            on_block,
        } = event
        else {
            return None;
        };
        let rate = report.recent_rate().max(1.0);
        Some(Progress {
            ewma_nonces_per_sec: report.recent_rate(),
            perpetual_nonces_per_sec: report.overall_rate(),
            nonces: report.hashes,
            block: block.number,
            block_hash: hash_hex(&block.hash),
            difficulty: difficulty.get(),
            expected_seconds: difficulty.get() as f64 / rate,
            chance_so_far: difficulty.chance_within(rate * on_block.as_secs_f64()),
        })
    }

    /// Its JSON event.
    fn json(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("event".into(), "progress".into());
        }
        value
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "block {} {}…  difficulty {}  {:.2} M nonces/s (EWMA; {:.2} M/s overall)  \
             expected {:.1} s  chance so far {:.0}%",
            self.block,
            self.block_hash.get(..10).unwrap_or(&self.block_hash),
            self.difficulty,
            self.ewma_nonces_per_sec / 1e6,
            self.perpetual_nonces_per_sec / 1e6,
            self.expected_seconds,
            self.chance_so_far * 100.0
        )
    }
}

/// The JSON `"reason"` of a wait: what the tool waits on, in its words.
fn wait_reason(wait: &WaitReason) -> &'static str {
    match wait {
        // No block frees a limit of 0: only its change ends the wait.
        WaitReason::SubnetFull { limit: 0, .. } => {
            "the subnet takes no registrations (MaxRegistrationsPerBlock is 0)"
        }
        WaitReason::SubnetFull { .. } => "subnet full for this block",
        WaitReason::IntervalFull { limit: 0, .. } => {
            "the subnet takes no registrations (TargetRegistrationsPerInterval is 0)"
        }
        WaitReason::IntervalFull { .. } => "registrations this interval used up",
        WaitReason::PowDisabled { .. } => "proof-of-work registration disabled",
        WaitReason::DifficultyAbove { .. } => "difficulty above --max-difficulty",
        WaitReason::WorkBlockAfter { .. } => {
            "the hotkey's last proof-of-work registration used this block or a later one"
        }
        WaitReason::Decay { .. } => "the seal meets the difficulty of a later block",
        _ => "waiting",
    }
}

/// A wait's JSON event (`"event":"waiting"`).
fn wait_json(wait: &WaitReason) -> Value {
    let reason = wait_reason(wait);
    match *wait {
        WaitReason::SubnetFull {
            block,
            registrations,
            limit,
        } => json!({
            "event": "waiting",
            "block": block,
            "reason": reason,
            "registrations_this_block": registrations,
            "max_registrations_per_block": limit,
            // `null` for a limit of 0, which no block frees.
            "frees_at_block": (limit > 0).then(|| block.saturating_add(1)),
        }),
        WaitReason::IntervalFull {
            block,
            registrations,
            limit,
            resets_at,
        } => json!({
            "event": "waiting",
            "block": block,
            "reason": reason,
            "registrations_this_interval": registrations,
            "max_registrations_per_interval": limit,
            "resets_at_block": resets_at,
        }),
        WaitReason::PowDisabled { block } => {
            json!({ "event": "waiting", "block": block, "reason": reason })
        }
        WaitReason::DifficultyAbove {
            block,
            difficulty,
            max,
            reached_at,
        } => json!({
            "event": "waiting",
            "block": block,
            "reason": reason,
            "difficulty": difficulty.get(),
            "max_difficulty": max.get(),
            "reached_at_block": reached_at,
        }),
        WaitReason::WorkBlockAfter { block, last, until } => json!({
            "event": "waiting",
            "block": block,
            "reason": reason,
            "last_pow_registration_block": last,
            "until_block": until,
        }),
        WaitReason::Decay {
            block,
            until,
            difficulty,
            now,
        } => json!({
            "event": "waiting",
            "block": block,
            "reason": reason,
            "difficulty": now.get(),
            "until_block": until,
            "difficulty_then": difficulty.get(),
        }),
        other => json!({ "event": "event", "debug": format!("{other:?}") }),
    }
}

/// The work block and nonce an extrinsic carries.
fn block_and_nonce(registration: &Registration) -> (u64, u64) {
    match registration {
        Registration::Legacy {
            block_number,
            nonce,
            ..
        } => (*block_number, *nonce),
        Registration::V1 {
            work_block, nonce, ..
        } => (*work_block, *nonce),
    }
}

/// The JSON event of one library event (its keys sorted when written:
/// `serde_json`'s map).
pub fn json(event: &Event<'_>) -> Value {
    if let Some(progress) = Progress::of(event) {
        return progress.json();
    }
    match event {
        Event::Challenge {
            block, difficulty, ..
        } => json!({
            "event": "challenge",
            "block": block.number,
            "block_hash": hash_hex(&block.hash),
            "difficulty": difficulty.get(),
        }),
        Event::Waiting(wait) => wait_json(wait),
        Event::Solved {
            block, solution, ..
        } => json!({
            "event": "solved",
            "block": block.number,
            "nonce": solution.nonce,
            "seal": hash_hex(&solution.seal),
            "verified_by_reference": true,
        }),
        Event::Stale { reason } => json!({ "event": "stale", "reason": reason }),
        Event::SubmittingAnyway { refusal } => {
            json!({ "event": "precheck", "refusal": refusal.to_string() })
        }
        Event::Submitted { registration } => {
            let (block, nonce) = block_and_nonce(registration);
            json!({
                "event": "submitted",
                "call": registration.call_name(),
                "block": block,
                "nonce": nonce,
            })
        }
        Event::Included { block_hash } => {
            json!({ "event": "included", "block_hash": hash_hex(block_hash) })
        }
        Event::Refused { error } => {
            let mut value = json!({
                "event": "refused",
                "error": crate::output::error_text(*error),
                "chain_error": error.chain_error_name().unwrap_or(""),
                "kind": submit_kind(error),
            });
            // A pool refusal in the node's own words (JSON only).
            if let (SubmitError::Pool { message, .. }, Value::Object(map)) = (error, &mut value) {
                map.insert("node_said".into(), message.as_str().into());
            }
            value
        }
        Event::Diagnosed { cause } => json!({
            "event": "diagnosed",
            "cause": cause.to_string(),
            "next_block_cures": cause.next_block_cures(),
        }),
        Event::Reconnecting { error, delay } => json!({
            "event": "reconnecting",
            "error": crate::output::full_error_text(*error),
            "delay_seconds": delay.as_secs_f64(),
        }),
        Event::Reconnected { after } => json!({
            "event": "reconnected",
            "after_seconds": after.as_secs_f64(),
        }),
        // An event newer than this tool: as the library words it.
        other => json!({ "event": "event", "debug": format!("{other:?}") }),
    }
}

/// `secs` in words: "45 s", "12 min", "3.5 h", "2.1 days".
fn duration_words(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{:.1} h", s as f64 / 3600.0),
        s => format!("{:.1} days", s as f64 / 86_400.0),
    }
}

/// A wait in words.
fn describe_wait(f: &mut fmt::Formatter<'_>, wait: &WaitReason) -> fmt::Result {
    match *wait {
        WaitReason::SubnetFull {
            block, limit: 0, ..
        } => write!(
            f,
            "block {block}: the subnet takes no registrations (MaxRegistrationsPerBlock is 0); \
             waiting for that to change (--wait)"
        ),
        WaitReason::IntervalFull {
            block, limit: 0, ..
        } => write!(
            f,
            "block {block}: the subnet takes no registrations (TargetRegistrationsPerInterval \
             is 0); waiting for that to change (--wait)"
        ),
        WaitReason::SubnetFull {
            block,
            registrations,
            limit,
        } => write!(
            f,
            "block {block}: the subnet has taken {registrations} of its {limit} registrations \
             for this block (MaxRegistrationsPerBlock); waiting for block {}, which frees them",
            block.saturating_add(1)
        ),
        WaitReason::WorkBlockAfter { block, last, until } => write!(
            f,
            "block {block}: this hotkey last registered by proof of work with work block \
             {last} (LastPowRegistrationBlock), and the runtime takes its work only from block \
             {until} on; waiting for it"
        ),
        WaitReason::IntervalFull {
            block,
            registrations,
            limit,
            resets_at,
        } => {
            write!(
                f,
                "block {block}: the subnet has taken {registrations} of its {limit} \
                 registrations this interval \
                 (3 × TargetRegistrationsPerInterval; TooManyRegistrationsThisInterval)"
            )?;
            match resets_at {
                Some(at) => write!(
                    f,
                    "; the interval resets at block {at} (about {}, at 12 s blocks); waiting (--wait)",
                    duration_words(at.saturating_sub(block).saturating_mul(12))
                ),
                None => f.write_str("; waiting for the interval to reset (--wait)"),
            }
        }
        WaitReason::PowDisabled { block } => write!(
            f,
            "block {block}: proof-of-work registration is off on this subnet; waiting (--wait)"
        ),
        WaitReason::DifficultyAbove {
            block,
            difficulty,
            max,
            reached_at,
        } => {
            write!(
                f,
                "block {block}: difficulty {difficulty} is above --max-difficulty {max}"
            )?;
            if let Some(at) = reached_at {
                let secs = at.saturating_sub(block).saturating_mul(12);
                write!(
                    f,
                    "; it decays to that by block {at} (about {}, at 12 s blocks) if nobody registers",
                    duration_words(secs)
                )?;
            }
            f.write_str("; waiting (--wait)")
        }
        WaitReason::Decay {
            block,
            until,
            difficulty,
            now,
        } => write!(
            f,
            "block {block}: the seal misses difficulty {now} now, and meets the \
             {difficulty} that block {until} checks after the per-block decay; \
             waiting for it"
        ),
        ref other => write!(f, "{other:?}"),
    }
}

/// One library event in the tool's words (`verbose`: a lost connection
/// names its error).
pub fn describe(f: &mut fmt::Formatter<'_>, event: &Event<'_>, verbose: bool) -> fmt::Result {
    if let Some(progress) = Progress::of(event) {
        return fmt::Display::fmt(&progress, f);
    }
    match event {
        Event::Challenge {
            block,
            difficulty,
            new_block: true,
        } => write!(
            f,
            "new block {} ({}), difficulty {difficulty}",
            block.number,
            hash_hex(&block.hash)
        ),
        Event::Challenge {
            block, difficulty, ..
        } => write!(
            f,
            "solving for block {} ({}) at difficulty {difficulty}",
            block.number,
            hash_hex(&block.hash)
        ),
        Event::Waiting(wait) => describe_wait(f, wait),
        Event::Solved {
            block,
            solution,
            hashes,
            rate,
        } => write!(
            f,
            "solved block {}: nonce {}, seal {} ({hashes} nonces, {:.2} M/s)",
            block.number,
            solution.nonce,
            hash_hex(&solution.seal),
            rate / 1e6
        ),
        Event::Stale { reason } => write!(f, "not submitted: {reason}"),
        Event::SubmittingAnyway { refusal } => write!(
            f,
            "pre-check would refuse ({refusal}); submitting anyway (--no-precheck)"
        ),
        Event::Submitted { registration } => write!(
            f,
            "submitting {} for block {}",
            registration.call_name(),
            block_and_nonce(registration).0
        ),
        Event::Included { block_hash } => write!(f, "included in block {}", hash_hex(block_hash)),
        // The node's own words stay in the JSON: the text says what happened.
        Event::Refused {
            error: SubmitError::Unknown(_),
        } => f.write_str(
            "submitted, but the node stopped reporting what became of it; \
             the chain, read at the next block, tells",
        ),
        Event::Refused { error } => write!(
            f,
            "submission not accepted: {}",
            crate::output::error_text(*error)
        ),
        Event::Diagnosed { cause } => write!(
            f,
            "why the pool refused it, as the chain reads now: {cause}"
        ),
        Event::Reconnecting { error, delay } => {
            f.write_str("connection lost")?;
            if verbose {
                write!(f, " ({})", crate::output::full_error_text(*error))?;
            }
            write!(f, "; reconnecting in {:.1} s", delay.as_secs_f64())
        }
        Event::Reconnected { after } => {
            write!(f, "reconnected after {:.1} s", after.as_secs_f64())
        }
        other => write!(f, "{other:?}"),
    }
}

fn submit_kind(e: &SubmitError) -> &'static str {
    match e {
        SubmitError::Dispatch { .. } => "dispatch",
        SubmitError::Pool { .. } => "pool",
        SubmitError::Build(_) => "build",
        SubmitError::Unknown(_) => STATUS_UNKNOWN,
        SubmitError::Chain(_) => "connection",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    fn both(event: &Event<'_>) -> (String, String) {
        let r = Record::Chain {
            event,
            verbose: false,
        };
        (r.json(), r.to_string())
    }

    #[test]
    fn a_per_block_limit_of_0_is_waited_on_in_the_same_words_in_json_and_text() {
        let (json, text) = both(&Event::Waiting(WaitReason::SubnetFull {
            block: 10,
            registrations: 0,
            limit: 0,
        }));
        assert_eq!(
            json,
            r#"{"block":10,"event":"waiting","frees_at_block":null,"max_registrations_per_block":0,"reason":"the subnet takes no registrations (MaxRegistrationsPerBlock is 0)","registrations_this_block":0}"#
        );
        assert!(text.contains("takes no registrations (MaxRegistrationsPerBlock is 0)"));
        assert!(!text.contains("frees"), "{text}");
        let (json, _) = both(&Event::Waiting(WaitReason::SubnetFull {
            block: 10,
            registrations: 2,
            limit: 2,
        }));
        assert!(json.contains(r#""frees_at_block":11"#), "{json}");
        assert!(
            json.contains(r#""reason":"subnet full for this block""#),
            "{json}"
        );
    }

    #[test]
    fn waiting_for_a_work_block_after_the_last_pow_registration() {
        let (json, text) = both(&Event::Waiting(WaitReason::WorkBlockAfter {
            block: 50,
            last: 50,
            until: 51,
        }));
        assert!(json.contains(r#""event":"waiting""#), "{json}");
        assert!(
            json.contains(r#""last_pow_registration_block":50"#),
            "{json}"
        );
        assert!(json.contains(r#""until_block":51"#), "{json}");
        assert_eq!(
            text,
            "block 50: this hotkey last registered by proof of work with work block 50 \
             (LastPowRegistrationBlock), and the runtime takes its work only from block 51 on; \
             waiting for it"
        );
    }
}
