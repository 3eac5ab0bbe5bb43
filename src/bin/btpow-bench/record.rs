//! A registration's output, one record per milestone: written as a line of
//! words, or serialized as a JSON event (`--format json`). Each record is
//! built once from what the library reports; the two forms are views of it.

use std::fmt;

use btpow::chain::Registrant;
use serde::Serialize;

/// One milestone of a registration. The JSON event is the record's fields
/// with `"event"` naming the variant; the text is its `Display`.
#[derive(Serialize, Debug)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Record {
    /// Connected, the runtime read and the keys loaded.
    Connected {
        block: u64,
        spec_version: u32,
        scheme: &'static str,
        rule: &'static str,
        netuid: u16,
        hotkey: String,
        coldkey: String,
        signer: &'static str,
        /// The endpoint, credentials redacted (text only).
        #[serde(skip)]
        url: String,
    },
    /// Solving for a block.
    Challenge {
        block: u64,
        block_hash: String,
        difficulty: u64,
        /// Whether it replaces an earlier block's challenge (text only).
        #[serde(skip)]
        new_block: bool,
    },
    /// The solver's rates (text: the status line, not a line of its own).
    Progress {
        ewma_nonces_per_sec: f64,
        perpetual_nonces_per_sec: f64,
        nonces: u64,
        block: u64,
        block_hash: String,
        difficulty: u64,
        expected_seconds: f64,
        chance_so_far: f64,
    },
    /// The block's registrations are used up.
    #[serde(rename = "waiting")]
    SubnetFull {
        block: u64,
        reason: &'static str,
        registrations_this_block: u16,
        max_registrations_per_block: u16,
        /// `null` for a limit of 0, which no block frees.
        frees_at_block: Option<u64>,
    },
    /// Watch mode: the interval's registrations are used up.
    #[serde(rename = "waiting")]
    IntervalFull {
        block: u64,
        reason: &'static str,
        registrations_this_interval: u64,
        max_registrations_per_interval: u64,
        resets_at_block: Option<u64>,
    },
    /// Watch mode: proof-of-work registration is off.
    #[serde(rename = "waiting")]
    PowDisabled { block: u64, reason: &'static str },
    /// Watch mode: the difficulty is above the most accepted.
    #[serde(rename = "waiting")]
    DifficultyAbove {
        block: u64,
        reason: &'static str,
        difficulty: u64,
        max_difficulty: u64,
        reached_at_block: Option<u64>,
    },
    /// v1: waiting for the first block the runtime takes this hotkey's work from.
    #[serde(rename = "waiting")]
    WorkBlockAfter {
        block: u64,
        reason: &'static str,
        last_pow_registration_block: u64,
        until_block: u64,
    },
    /// v1: waiting for the block whose decayed difficulty the seal meets.
    #[serde(rename = "waiting")]
    Decay {
        block: u64,
        reason: &'static str,
        difficulty: u64,
        until_block: u64,
        difficulty_then: u64,
    },
    /// A solution, verified by the reference.
    Solved {
        block: u64,
        nonce: u64,
        seal: String,
        verified_by_reference: bool,
        /// Nonces hashed (text only).
        #[serde(skip)]
        hashes: u64,
        /// Nonces per second (text only).
        #[serde(skip)]
        rate: f64,
    },
    /// A solution the runtime would refuse now.
    Stale { reason: String },
    /// The pre-check refuses, and it is off.
    Precheck { refusal: String },
    /// Submitting.
    Submitted {
        call: &'static str,
        block: u64,
        nonce: u64,
    },
    /// In a block, with success.
    Included { block_hash: String },
    /// A submission that did not succeed.
    Refused {
        error: String,
        chain_error: String,
        kind: &'static str,
        /// A pool refusal in the node's own words (JSON only).
        #[serde(skip_serializing_if = "Option::is_none")]
        node_said: Option<String>,
    },
    /// Why the pool refused it, read from the chain.
    Diagnosed {
        cause: String,
        next_block_cures: bool,
    },
    /// The connection is lost.
    Reconnecting {
        error: String,
        delay_seconds: f64,
        /// Whether the text names the error (`--verbose`).
        #[serde(skip)]
        verbose: bool,
    },
    /// The connection is back.
    Reconnected { after_seconds: f64 },
    /// The hotkey has a uid.
    Registered {
        netuid: u16,
        uid: u16,
        already: bool,
        by: Registrant,
    },
    /// `--dry-run`: solved, not submitted.
    DryRun,
    /// `--max-time` passed.
    Timeout,
    /// A stop signal.
    Stopped,
    /// The run failed (JSON only: the text goes to stderr).
    Error { error: String },
    /// An event newer than this tool, as the library words it.
    Event { debug: String },
}

/// `Record::Refused`'s kind for a submission whose status was lost.
pub const STATUS_UNKNOWN: &str = "status-unknown";

impl Record {
    /// The JSON event, one line, its keys in sorted order (as the event
    /// lines have always been written: scripts match on them).
    pub fn json(&self) -> String {
        match serde_json::to_value(self) {
            Ok(value) => value.to_string(),
            // Not expected (every field is plain data); the event is still said.
            Err(e) => format!("{{\"error\":\"unserializable event: {e}\",\"event\":\"error\"}}"),
        }
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

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Record::Connected {
                block,
                spec_version,
                scheme,
                rule,
                hotkey,
                coldkey,
                signer,
                url,
                ..
            } => write!(
                f,
                "connected to {}: block {block}, spec {spec_version}, {scheme} scheme, rule {rule}; \
                 hotkey {hotkey}, coldkey {coldkey}, signing with the {signer}",
                crate::output::printable(url)
            ),
            Record::Challenge {
                block,
                block_hash,
                difficulty,
                new_block: true,
            } => write!(f, "new block {block} ({block_hash}), difficulty {difficulty}"),
            Record::Challenge {
                block,
                block_hash,
                difficulty,
                new_block: false,
            } => write!(
                f,
                "solving for block {block} ({block_hash}) at difficulty {difficulty}"
            ),
            Record::Progress {
                ewma_nonces_per_sec,
                perpetual_nonces_per_sec,
                block,
                block_hash,
                difficulty,
                expected_seconds,
                chance_so_far,
                ..
            } => write!(
                f,
                "block {block} {}…  difficulty {difficulty}  {:.2} M nonces/s (EWMA; {:.2} M/s overall)  \
                 expected {expected_seconds:.1} s  chance so far {:.0}%",
                block_hash.get(..10).unwrap_or(block_hash),
                ewma_nonces_per_sec / 1e6,
                perpetual_nonces_per_sec / 1e6,
                chance_so_far * 100.0
            ),
            Record::SubnetFull {
                block,
                max_registrations_per_block: 0,
                ..
            } => write!(
                f,
                "block {block}: the subnet takes no registrations (MaxRegistrationsPerBlock is 0); \
                 waiting for that to change (--wait)"
            ),
            Record::IntervalFull {
                block,
                max_registrations_per_interval: 0,
                ..
            } => write!(
                f,
                "block {block}: the subnet takes no registrations (TargetRegistrationsPerInterval \
                 is 0); waiting for that to change (--wait)"
            ),
            Record::SubnetFull {
                block,
                registrations_this_block,
                max_registrations_per_block,
                frees_at_block,
                ..
            } => write!(
                f,
                "block {block}: the subnet has taken {registrations_this_block} of its \
                 {max_registrations_per_block} registrations for this block \
                 (MaxRegistrationsPerBlock); waiting for block {}, which frees them",
                frees_at_block.unwrap_or(block.saturating_add(1))
            ),
            Record::WorkBlockAfter {
                block,
                last_pow_registration_block,
                until_block,
                ..
            } => write!(
                f,
                "block {block}: this hotkey last registered by proof of work with work block \
                 {last_pow_registration_block} (LastPowRegistrationBlock), and the runtime takes \
                 its work only from block {until_block} on; waiting for it"
            ),
            Record::IntervalFull {
                block,
                registrations_this_interval,
                max_registrations_per_interval,
                resets_at_block,
                ..
            } => {
                write!(
                    f,
                    "block {block}: the subnet has taken {registrations_this_interval} of its \
                     {max_registrations_per_interval} registrations this interval \
                     (3 × TargetRegistrationsPerInterval; TooManyRegistrationsThisInterval)"
                )?;
                match resets_at_block {
                    Some(at) => write!(
                        f,
                        "; the interval resets at block {at} (about {}, at 12 s blocks); waiting (--wait)",
                        duration_words(at.saturating_sub(*block).saturating_mul(12))
                    ),
                    None => f.write_str("; waiting for the interval to reset (--wait)"),
                }
            }
            Record::PowDisabled { block, .. } => write!(
                f,
                "block {block}: proof-of-work registration is off on this subnet; waiting (--wait)"
            ),
            Record::DifficultyAbove {
                block,
                difficulty,
                max_difficulty,
                reached_at_block,
                ..
            } => {
                write!(
                    f,
                    "block {block}: difficulty {difficulty} is above --max-difficulty {max_difficulty}"
                )?;
                if let Some(at) = reached_at_block {
                    let secs = at.saturating_sub(*block).saturating_mul(12);
                    write!(
                        f,
                        "; it decays to that by block {at} (about {}, at 12 s blocks) if nobody registers",
                        duration_words(secs)
                    )?;
                }
                f.write_str("; waiting (--wait)")
            }
            Record::Decay {
                block,
                difficulty,
                until_block,
                difficulty_then,
                ..
            } => write!(
                f,
                "block {block}: the seal misses difficulty {difficulty} now, and meets the \
                 {difficulty_then} that block {until_block} checks after the per-block decay; \
                 waiting for it"
            ),
            Record::Solved {
                block,
                nonce,
                seal,
                hashes,
                rate,
                ..
            } => write!(
                f,
                "solved block {block}: nonce {nonce}, seal {seal} ({hashes} nonces, {:.2} M/s)",
                rate / 1e6
            ),
            Record::Stale { reason } => write!(f, "not submitted: {reason}"),
            Record::Precheck { refusal } => write!(
                f,
                "pre-check would refuse ({refusal}); submitting anyway (--no-precheck)"
            ),
            Record::Submitted { call, block, .. } => {
                write!(f, "submitting {call} for block {block}")
            }
            Record::Included { block_hash } => write!(f, "included in block {block_hash}"),
            // The node's own words stay in the JSON: the text says what happened.
            Record::Refused { kind, .. } if *kind == STATUS_UNKNOWN => f.write_str(
                "submitted, but the node stopped reporting what became of it; \
                 the chain, read at the next block, tells",
            ),
            Record::Refused { error, .. } => write!(f, "submission not accepted: {error}"),
            Record::Diagnosed { cause, .. } => write!(
                f,
                "why the pool refused it, as the chain reads now: {cause}"
            ),
            Record::Reconnecting {
                error,
                delay_seconds,
                verbose,
            } => {
                f.write_str("connection lost")?;
                if *verbose {
                    write!(f, " ({error})")?;
                }
                write!(f, "; reconnecting in {delay_seconds:.1} s")
            }
            Record::Reconnected { after_seconds } => {
                write!(f, "reconnected after {after_seconds:.1} s")
            }
            Record::Registered {
                netuid, uid, by, ..
            } => match by {
                Registrant::Before => write!(
                    f,
                    "hotkey already registered on subnet {netuid} (uid {uid}); nothing to do"
                ),
                Registrant::Us => write!(
                    f,
                    "hotkey registered on subnet {netuid} (uid {uid}), by this run"
                ),
                Registrant::Another => write!(
                    f,
                    "hotkey registered on subnet {netuid} (uid {uid}), by another submission"
                ),
                Registrant::Unknown => write!(
                    f,
                    "hotkey registered on subnet {netuid} (uid {uid}); this run's submission \
                     lost its status and the blocks it could be in were not read, so it may \
                     have been this run's or another's"
                ),
            },
            Record::DryRun => f.write_str("--dry-run: not submitted"),
            Record::Timeout => f.write_str("no registration within --max-time"),
            Record::Stopped => f.write_str("stopped"),
            Record::Error { error } => f.write_str(error),
            Record::Event { debug } => f.write_str(debug),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_record_gives_both_forms() {
        let r = Record::Registered {
            netuid: 3,
            uid: 7,
            already: false,
            by: Registrant::Another,
        };
        assert_eq!(
            r.json(),
            r#"{"already":false,"by":"another","event":"registered","netuid":3,"uid":7}"#
        );
        assert_eq!(
            r.to_string(),
            "hotkey registered on subnet 3 (uid 7), by another submission"
        );
        let w = Record::DifficultyAbove {
            block: 10,
            reason: "difficulty above --max-difficulty",
            difficulty: 900,
            max_difficulty: 500,
            reached_at_block: Some(20),
        };
        assert_eq!(
            w.json(),
            r#"{"block":10,"difficulty":900,"event":"waiting","max_difficulty":500,"reached_at_block":20,"reason":"difficulty above --max-difficulty"}"#
        );
        assert_eq!(
            w.to_string(),
            "block 10: difficulty 900 is above --max-difficulty 500; it decays to that by \
             block 20 (about 2 min, at 12 s blocks) if nobody registers; waiting (--wait)"
        );
        assert_eq!(Record::DryRun.json(), r#"{"event":"dry-run"}"#);
        // Whose registration, and a lost status, in words; the node's own
        // words stay in the JSON.
        let us = Record::Registered {
            netuid: 3,
            uid: 7,
            already: false,
            by: Registrant::Us,
        };
        assert_eq!(
            us.to_string(),
            "hotkey registered on subnet 3 (uid 7), by this run"
        );
        let lost = Record::Refused {
            error: "submitted, but its status is unknown: RPC error: cannot deserialize".into(),
            chain_error: String::new(),
            kind: STATUS_UNKNOWN,
            node_said: None,
        };
        assert!(!lost.to_string().contains("RPC"), "{lost}");
        assert!(lost.to_string().contains("stopped reporting"), "{lost}");
        assert!(lost.json().contains("cannot deserialize"));
        assert!(!lost.json().contains("node_said"));
        let pool = Record::Refused {
            error: "the transaction pool refused it: Custom(6), RateLimitExceeded".into(),
            chain_error: String::new(),
            kind: "pool",
            node_said: Some(r#"{"invalid":{"custom":6}}"#.into()),
        };
        assert!(
            pool.json()
                .contains(r#""node_said":"{\"invalid\":{\"custom\":6}}""#),
            "{}",
            pool.json()
        );
        let full = Record::IntervalFull {
            block: 10,
            reason: "registrations this interval used up",
            registrations_this_interval: 6,
            max_registrations_per_interval: 6,
            resets_at_block: Some(15),
        };
        assert_eq!(
            full.to_string(),
            "block 10: the subnet has taken 6 of its 6 registrations this interval \
             (3 × TargetRegistrationsPerInterval; TooManyRegistrationsThisInterval); the \
             interval resets at block 15 (about 60 s, at 12 s blocks); waiting (--wait)"
        );
        let none = Record::IntervalFull {
            block: 10,
            reason: "registrations this interval used up",
            registrations_this_interval: 0,
            max_registrations_per_interval: 0,
            resets_at_block: None,
        };
        assert!(
            none.to_string().contains("takes no registrations"),
            "{none}"
        );
        assert_eq!(
            Record::Timeout.to_string(),
            "no registration within --max-time"
        );
    }
}
