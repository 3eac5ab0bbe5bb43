//! A registration's output, one record per milestone: written as a line of
//! words, or serialized as a JSON event (`--format json`). Most records are
//! the library's own events (`event_record` gives their two forms); the
//! rest are the tool's: the connection, and how the run ended.

use std::fmt;

use btpow::chain::{Event, Registrant};
use serde::Serialize;

use crate::event_record;

/// One milestone of a registration. The JSON event is the record's fields
/// with `"event"` naming the variant; the text is its `Display`.
#[derive(Serialize, Debug)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Record<'a> {
    /// An event the library reports (`verbose`: the text names a lost
    /// connection's error).
    #[serde(skip)]
    Chain { event: &'a Event<'a>, verbose: bool },
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
    /// An outcome newer than this tool, as the library words it.
    Event { debug: String },
}

/// A registration's result as `--metrics` and the JSON of several pairs
/// label it, by whose it was.
pub fn registered_result(by: Registrant) -> &'static str {
    match by {
        Registrant::Us => "registered",
        Registrant::Another => "registered_by_another",
        Registrant::Before => "already_registered",
        _ => "registered_unknown",
    }
}

impl Record<'_> {
    /// The JSON event, one line, its keys in sorted order (as the event
    /// lines have always been written: scripts match on them).
    pub fn json(&self) -> String {
        let value = match self {
            Record::Chain { event, .. } => Ok(event_record::json(event)),
            own => serde_json::to_value(own),
        };
        match value {
            Ok(value) => value.to_string(),
            // Not expected (every field is plain data); the event is still said.
            Err(e) => format!("{{\"error\":\"unserializable event: {e}\",\"event\":\"error\"}}"),
        }
    }

    /// How the run ended, as `--metrics` labels it; `None` for a record
    /// that is not an end.
    pub fn end_result(&self) -> Option<&'static str> {
        Some(match self {
            Record::Registered { by, .. } => registered_result(*by),
            Record::DryRun => "dry_run",
            Record::Timeout => "timeout",
            Record::Stopped => "stopped",
            Record::Error { .. } => "error",
            _ => return None,
        })
    }

    /// Whether it is the solver's progress (text: the status line, not a
    /// line of its own).
    pub fn is_progress(&self) -> bool {
        matches!(
            self,
            Record::Chain {
                event: Event::Progress { .. },
                ..
            }
        )
    }
}

impl fmt::Display for Record<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Record::Chain { event, verbose } => event_record::describe(f, event, *verbose),
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
    use btpow::chain::{ChainError, SubmitError, WaitReason};
    use btpow::Difficulty;

    fn chain<'a>(event: &'a Event<'a>) -> Record<'a> {
        Record::Chain {
            event,
            verbose: false,
        }
    }

    fn difficulty(d: u64) -> Difficulty {
        Difficulty::new(d).unwrap()
    }

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
        let above = Event::Waiting(WaitReason::DifficultyAbove {
            block: 10,
            difficulty: difficulty(900),
            max: difficulty(500),
            reached_at: Some(20),
        });
        let w = chain(&above);
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
        let unknown =
            SubmitError::Unknown(ChainError::Unwanted("RPC error: cannot deserialize".into()));
        let refused = Event::Refused { error: &unknown };
        let lost = chain(&refused);
        assert!(!lost.to_string().contains("RPC"), "{lost}");
        assert!(lost.to_string().contains("stopped reporting"), "{lost}");
        assert!(lost.json().contains("cannot deserialize"));
        assert!(!lost.json().contains("node_said"));
        let by_pool = SubmitError::Pool {
            message: r#"{"invalid":{"custom":6}}"#.into(),
            meaning: Some("Custom(6), RateLimitExceeded".into()),
        };
        let refused = Event::Refused { error: &by_pool };
        let pool = chain(&refused);
        assert!(
            pool.json()
                .contains(r#""node_said":"{\"invalid\":{\"custom\":6}}""#),
            "{}",
            pool.json()
        );
        let interval = Event::Waiting(WaitReason::IntervalFull {
            block: 10,
            registrations: 6,
            limit: 6,
            resets_at: Some(15),
        });
        let full = chain(&interval);
        assert_eq!(
            full.to_string(),
            "block 10: the subnet has taken 6 of its 6 registrations this interval \
             (3 × TargetRegistrationsPerInterval; TooManyRegistrationsThisInterval); the \
             interval resets at block 15 (about 60 s, at 12 s blocks); waiting (--wait)"
        );
        let no_interval = Event::Waiting(WaitReason::IntervalFull {
            block: 10,
            registrations: 0,
            limit: 0,
            resets_at: None,
        });
        let none = chain(&no_interval);
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
