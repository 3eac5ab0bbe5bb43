//! What a transaction pool's `Invalid(Custom(n))` refusal means. Each era
//! of subtensor numbers its custom refusals its own way, in the transaction
//! extension that runs the checks before admission; the era is read from
//! the runtime's metadata (the extension's name, and whether `pow_register`
//! exists), never guessed from the code.

/// Whose numbering a runtime's pool refusals are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PoolCodes {
    /// `SubtensorSignedExtension` (spec 218's era): bare codes 0–5, each
    /// for one call; 5 is `register`'s interval limit.
    SignedExtension,
    /// `SubtensorTransactionExtension` with `CustomTransactionError` 0–14
    /// and 255 (spec 293's era): `register`'s interval limit is 6,
    /// `RateLimitExceeded`.
    TransactionExtension,
    /// Runtime 475 (`pow_register`): `CustomTransactionError` 0–27 and 255;
    /// every refusal of `check_pow_registration` but 3 and 25 is 255.
    /// (Mainline subtensor numbers from 25 on differently.)
    PowRegister,
}

impl PoolCodes {
    /// The numbering of a runtime whose transaction extensions are
    /// `extensions` (by name); `None` for one that has neither subtensor
    /// extension.
    pub(crate) fn of<'a>(
        mut extensions: impl Iterator<Item = &'a str>,
        has_pow_register: bool,
    ) -> Option<PoolCodes> {
        let subtensor = extensions.find(|e| e.starts_with("Subtensor"))?;
        Some(match subtensor {
            "SubtensorSignedExtension" => PoolCodes::SignedExtension,
            _ if has_pow_register => PoolCodes::PowRegister,
            _ => PoolCodes::TransactionExtension,
        })
    }

    /// Whose numbering this is, in words.
    fn source(self) -> &'static str {
        match self {
            PoolCodes::SignedExtension => "SubtensorSignedExtension, spec 218's era",
            PoolCodes::TransactionExtension => "SubtensorTransactionExtension, spec 293's era",
            PoolCodes::PowRegister => "runtime 475's SubtensorTransactionExtension",
        }
    }

    /// The name of `code`, and what it means for a registration where the
    /// registration calls can get it.
    fn name(self, code: u16) -> Option<(&'static str, Option<&'static str>)> {
        const INTERVAL: &str =
            "the subnet's registrations this interval are used up (TooManyRegistrationsThisInterval)";
        let named = |name| Some((name, None));
        match (self, code) {
            (PoolCodes::SignedExtension, 0) => named("ColdkeyInSwapSchedule"),
            (PoolCodes::SignedExtension, 1) => named("commit_weights below the minimum stake"),
            (PoolCodes::SignedExtension, 2) => named("reveal_weights below the minimum stake"),
            (PoolCodes::SignedExtension, 3) => named("set_weights below the minimum stake"),
            (PoolCodes::SignedExtension, 4) => named("set_tao_weights below the minimum stake"),
            (PoolCodes::SignedExtension, 5) => Some(("registration limit", Some(INTERVAL))),
            (PoolCodes::SignedExtension, _) => None,
            (PoolCodes::TransactionExtension, 6) => Some(("RateLimitExceeded", Some(INTERVAL))),
            (PoolCodes::TransactionExtension, 15..=254) => None,
            (PoolCodes::PowRegister, 255) => Some((
                "BadRequest",
                Some("one of check_pow_registration's checks failed; the pool does not say which"),
            )),
            (PoolCodes::PowRegister, 3) => {
                Some(("SubnetNotExists", Some("the subnet does not exist")))
            }
            (PoolCodes::PowRegister, 25) => Some((
                "NonAssociatedColdKey",
                Some("the hotkey belongs to another coldkey"),
            )),
            (PoolCodes::PowRegister, 28..=254) => None,
            (_, code) => named(custom_transaction_error(code)?),
        }
    }

    /// `code` in words: its name in this era's numbering, where the
    /// numbering is from, and what it means for a registration.
    pub(crate) fn explain(self, code: u16) -> String {
        match self.name(code) {
            Some((name, meaning)) => {
                let mut words = format!("Custom({code}), {name} ({})", self.source());
                if let Some(meaning) = meaning {
                    words.push_str(": ");
                    words.push_str(meaning);
                }
                words
            }
            None => format!("Custom({code}), not a code of {}", self.source()),
        }
    }
}

/// `CustomTransactionError`'s names, 0–27 (runtime 475's numbering; spec
/// 293's era defines 0–14 the same way).
fn custom_transaction_error(code: u16) -> Option<&'static str> {
    Some(match code {
        0 => "ColdkeyInSwapSchedule",
        1 => "StakeAmountTooLow",
        2 => "BalanceTooLow",
        3 => "SubnetNotExists",
        4 => "HotkeyAccountDoesntExist",
        5 => "NotEnoughStakeToWithdraw",
        6 => "RateLimitExceeded",
        7 => "InsufficientLiquidity",
        8 => "SlippageTooHigh",
        9 => "TransferDisallowed",
        10 => "HotKeyNotRegisteredInNetwork",
        11 => "InvalidIpAddress",
        12 => "ServingRateLimitExceeded",
        13 => "InvalidPort",
        14 => "ZeroMaxAmount",
        15 => "InvalidRevealRound",
        16 => "CommitNotFound",
        17 => "CommitBlockNotInRevealRange",
        18 => "InputLengthsUnequal",
        19 => "UidNotFound",
        20 => "EvmKeyAssociateRateLimitExceeded",
        21 => "ColdkeySwapDisputed",
        22 => "InvalidRealAccount",
        23 => "FailedShieldedTxParsing",
        24 => "InvalidShieldedTxPubKeyHash",
        25 => "NonAssociatedColdKey",
        26 => "DelegateTakeTooLow",
        27 => "DelegateTakeTooHigh",
        255 => "BadRequest",
        _ => return None,
    })
}

/// The `code` of a pool refusal's text, as a node words it (`Custom
/// error: 255`, `Custom(255)`, chopsticks' `{"invalid":{"custom":5}}`).
pub(crate) fn custom_code(message: &str) -> Option<u16> {
    ["Custom error: ", "Custom(", "\"custom\":"]
        .iter()
        .find_map(|tag| {
            let rest = &message[message.find(tag)? + tag.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_era_comes_from_the_metadata() {
        // Spec 218's extensions, spec 293's, and runtime 475's (in part).
        let s218 = [
            "CheckNonZeroSender",
            "CheckWeight",
            "SubtensorSignedExtension",
            "CommitmentsSignedExtension",
        ];
        let s293 = [
            "CheckNonce",
            "ChargeTransactionPayment",
            "SubtensorTransactionExtension",
            "CheckMetadataHash",
        ];
        let s475 = [
            "CheckShieldedTxValidity",
            "SubtensorTransactionExtension",
            "DrandPriority",
        ];
        assert_eq!(
            PoolCodes::of(s218.into_iter(), false),
            Some(PoolCodes::SignedExtension)
        );
        assert_eq!(
            PoolCodes::of(s293.into_iter(), false),
            Some(PoolCodes::TransactionExtension)
        );
        assert_eq!(
            PoolCodes::of(s475.into_iter(), true),
            Some(PoolCodes::PowRegister)
        );
        assert_eq!(PoolCodes::of(["CheckNonce"].into_iter(), false), None);
    }

    #[test]
    fn each_era_names_its_own_codes() {
        // The interval limit: 5 in spec 218's era, 6 in spec 293's.
        let e = PoolCodes::SignedExtension.explain(5);
        assert!(
            e.contains("TooManyRegistrationsThisInterval") && e.contains("spec 218"),
            "{e}"
        );
        let e = PoolCodes::TransactionExtension.explain(6);
        assert!(e.starts_with("Custom(6), RateLimitExceeded"), "{e}");
        assert!(
            e.contains("TooManyRegistrationsThisInterval") && e.contains("spec 293"),
            "{e}"
        );
        // The same code means something else in another era.
        assert!(PoolCodes::TransactionExtension
            .explain(5)
            .contains("NotEnoughStakeToWithdraw"));
        assert!(PoolCodes::SignedExtension
            .explain(6)
            .contains("not a code of"));
        assert!(PoolCodes::TransactionExtension
            .explain(20)
            .contains("not a code of"));
        let e = PoolCodes::PowRegister.explain(255);
        assert!(
            e.contains("BadRequest") && e.contains("check_pow_registration"),
            "{e}"
        );
        assert!(PoolCodes::PowRegister
            .explain(25)
            .contains("another coldkey"));
        assert!(PoolCodes::PowRegister
            .explain(27)
            .contains("DelegateTakeTooHigh"));
        assert!(PoolCodes::PowRegister.explain(28).contains("not a code of"));
    }

    #[test]
    fn codes_as_nodes_word_them() {
        assert_eq!(
            custom_code("Invalid Transaction: \"Custom error: 255\""),
            Some(255)
        );
        assert_eq!(custom_code("Invalid(Custom(25))"), Some(25));
        assert_eq!(custom_code("{\"invalid\":{\"custom\":5}}"), Some(5));
        assert_eq!(custom_code("Invalid Transaction: Stale"), None);
    }
}
