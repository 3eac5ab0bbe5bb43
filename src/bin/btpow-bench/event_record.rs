//! The record of each event the library reports while registering: the
//! facts of the event, with the tool's words for them (`record.rs` writes
//! them as text or JSON).

use btpow::chain::{Event, Registration, SubmitError, WaitReason};
use btpow::hex::encode;

use crate::record::{self, Record};

fn hash_hex(h: &[u8; 32]) -> String {
    format!("0x{}", encode(h))
}

/// The record of one event.
pub fn record(event: &Event<'_>, verbose: bool) -> Record {
    match event {
        Event::Challenge {
            block,
            difficulty,
            new_block,
        } => Record::Challenge {
            block: block.number,
            block_hash: hash_hex(&block.hash),
            difficulty: difficulty.get(),
            new_block: *new_block,
        },
        Event::Progress {
            report,
            block,
            difficulty,
            on_block,
        } => {
            let rate = report.recent_rate().max(1.0);
            Record::Progress {
                ewma_nonces_per_sec: report.recent_rate(),
                perpetual_nonces_per_sec: report.overall_rate(),
                nonces: report.hashes,
                block: block.number,
                block_hash: hash_hex(&block.hash),
                difficulty: difficulty.get(),
                expected_seconds: difficulty.get() as f64 / rate,
                chance_so_far: difficulty.chance_within(rate * on_block.as_secs_f64()),
            }
        }
        Event::Waiting(WaitReason::SubnetFull {
            block,
            registrations,
            limit,
        }) => Record::SubnetFull {
            block: *block,
            // No block frees a limit of 0: only its change ends the wait.
            reason: if *limit == 0 {
                "the subnet takes no registrations (MaxRegistrationsPerBlock is 0)"
            } else {
                "subnet full for this block"
            },
            registrations_this_block: *registrations,
            max_registrations_per_block: *limit,
            frees_at_block: (*limit > 0).then(|| block.saturating_add(1)),
        },
        Event::Waiting(WaitReason::IntervalFull {
            block,
            registrations,
            limit,
            resets_at,
        }) => Record::IntervalFull {
            block: *block,
            reason: if *limit == 0 {
                "the subnet takes no registrations (TargetRegistrationsPerInterval is 0)"
            } else {
                "registrations this interval used up"
            },
            registrations_this_interval: *registrations,
            max_registrations_per_interval: *limit,
            resets_at_block: *resets_at,
        },
        Event::Waiting(WaitReason::PowDisabled { block }) => Record::PowDisabled {
            block: *block,
            reason: "proof-of-work registration disabled",
        },
        Event::Waiting(WaitReason::DifficultyAbove {
            block,
            difficulty,
            max,
            reached_at,
        }) => Record::DifficultyAbove {
            block: *block,
            reason: "difficulty above --max-difficulty",
            difficulty: difficulty.get(),
            max_difficulty: max.get(),
            reached_at_block: *reached_at,
        },
        Event::Waiting(WaitReason::WorkBlockAfter { block, last, until }) => {
            Record::WorkBlockAfter {
                block: *block,
                reason:
                    "the hotkey's last proof-of-work registration used this block or a later one",
                last_pow_registration_block: *last,
                until_block: *until,
            }
        }
        Event::Waiting(WaitReason::Decay {
            block,
            until,
            difficulty,
            now,
        }) => Record::Decay {
            block: *block,
            reason: "the seal meets the difficulty of a later block",
            difficulty: now.get(),
            until_block: *until,
            difficulty_then: difficulty.get(),
        },
        Event::Solved {
            block,
            solution,
            hashes,
            rate,
        } => Record::Solved {
            block: block.number,
            nonce: solution.nonce,
            seal: hash_hex(&solution.seal),
            verified_by_reference: true,
            hashes: *hashes,
            rate: *rate,
        },
        Event::Stale { reason } => Record::Stale {
            reason: reason.clone(),
        },
        Event::SubmittingAnyway { refusal } => Record::Precheck {
            refusal: refusal.to_string(),
        },
        Event::Submitted { registration } => {
            let (block, nonce) = match registration {
                Registration::Legacy {
                    block_number,
                    nonce,
                    ..
                } => (*block_number, *nonce),
                Registration::V1 {
                    work_block, nonce, ..
                } => (*work_block, *nonce),
            };
            Record::Submitted {
                call: registration.call_name(),
                block,
                nonce,
            }
        }
        Event::Included { block_hash } => Record::Included {
            block_hash: hash_hex(block_hash),
        },
        Event::Refused { error } => Record::Refused {
            error: crate::output::error_text(*error),
            chain_error: error.chain_error_name().unwrap_or("").to_string(),
            kind: submit_kind(error),
            node_said: match error {
                SubmitError::Pool { message, .. } => Some(message.clone()),
                _ => None,
            },
        },
        Event::Diagnosed { cause } => Record::Diagnosed {
            cause: cause.to_string(),
            next_block_cures: cause.next_block_cures(),
        },
        Event::Reconnecting { error, delay } => Record::Reconnecting {
            error: crate::output::full_error_text(*error),
            delay_seconds: delay.as_secs_f64(),
            verbose,
        },
        Event::Reconnected { after } => Record::Reconnected {
            after_seconds: after.as_secs_f64(),
        },
        // An event newer than this tool: shown as the library words it.
        other => Record::Event {
            debug: format!("{other:?}"),
        },
    }
}

fn submit_kind(e: &SubmitError) -> &'static str {
    match e {
        SubmitError::Dispatch { .. } => "dispatch",
        SubmitError::Pool { .. } => "pool",
        SubmitError::Build(_) => "build",
        SubmitError::Unknown(_) => record::STATUS_UNKNOWN,
        SubmitError::Chain(_) => "connection",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(event: &Event<'_>) -> (String, String) {
        let r = record(event, false);
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
