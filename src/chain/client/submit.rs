//! A submission's failures in the library's words, and the registration
//! call's arguments.

use subxt::dynamic::Value;
use subxt::error::{DispatchError, ExtrinsicError, TransactionStatusError};

use crate::chain::error::{is_transport, ChainError, Rpc as _, RpcFailure, SubmitError};
use crate::chain::model::Registration;

/// A failed submission: the transport (connection lost), the node's
/// answer (the pool refused it, in its own words), or the call itself
/// (not in this runtime, or its arguments do not encode).
pub(super) fn classify_submit(
    what: &'static str,
    e: ExtrinsicError,
    pool: impl FnOnce(String) -> SubmitError,
) -> SubmitError {
    match e.rpc_error() {
        Some(failure) if is_transport(&failure) => {
            SubmitError::Chain(ChainError::from_request(what, e))
        }
        Some(RpcFailure::Client(subxt_rpcs::Error::User(answer))) => {
            let data = answer.data.as_ref().map(|d| format!(": {}", d.get()));
            pool(format!("{}{}", answer.message, data.unwrap_or_default()))
        }
        Some(_) => SubmitError::Unknown(ChainError::from_request(what, e)),
        None => match e {
            ExtrinsicError::TransactionStatusError(
                TransactionStatusError::Error(m)
                | TransactionStatusError::Invalid(m)
                | TransactionStatusError::Dropped(m),
            ) => pool(m),
            ExtrinsicError::UnexpectedEndOfTransactionStatusStream => {
                SubmitError::Unknown(ChainError::from_request(what, e))
            }
            other => SubmitError::Build(Box::new(other)),
        },
    }
}

/// `SubtensorModule::InvalidWorkBlock` and the like.
pub(super) fn dispatch(e: &DispatchError) -> SubmitError {
    match e {
        DispatchError::Module(m) => match m.details() {
            Ok(d) => SubmitError::Dispatch {
                pallet: d.pallet.name().to_string(),
                name: d.variant.name.clone(),
            },
            Err(_) => SubmitError::Dispatch {
                pallet: "?".into(),
                name: m.details_string(),
            },
        },
        other => SubmitError::Dispatch {
            pallet: "System".into(),
            name: other.to_string(),
        },
    }
}

/// The call's arguments in the runtime's order, as dynamic values (the
/// metadata types them at encoding).
pub(super) fn call_args(registration: &Registration) -> Vec<Value> {
    let int = |v: u64| Value::u128(u128::from(v));
    match registration {
        Registration::Legacy {
            netuid,
            block_number,
            nonce,
            work,
            hotkey,
            coldkey,
        } => vec![
            int(u64::from(*netuid)),
            int(*block_number),
            int(*nonce),
            Value::from_bytes(work),
            Value::from_bytes(hotkey),
            Value::from_bytes(coldkey),
        ],
        Registration::V1 {
            netuid,
            work_block,
            nonce,
            work,
            hotkey,
        } => vec![
            int(u64::from(*netuid)),
            int(*work_block),
            int(*nonce),
            Value::from_bytes(work),
            Value::from_bytes(hotkey),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// v1 has no local runtime here: its call is checked against the
    /// definition `pow_register(netuid, work_block, nonce, work, hotkey)`.
    #[test]
    fn v1_call_arguments_in_order() {
        let r = Registration::V1 {
            netuid: 7,
            work_block: 1234,
            nonce: u64::MAX,
            work: [0xab; 32],
            hotkey: [0x01; 32],
        };
        let args = call_args(&r);
        let want = [
            Value::u128(7),
            Value::u128(1234),
            Value::u128(u128::from(u64::MAX)),
            Value::from_bytes([0xab; 32]),
            Value::from_bytes([0x01; 32]),
        ];
        assert_eq!(args, want);
        assert_eq!(r.call_name(), "pow_register");
        assert_eq!(r.signer(), crate::wallet::Signer::Coldkey);
    }

    #[test]
    fn legacy_call_arguments_in_order() {
        let r = Registration::Legacy {
            netuid: 1,
            block_number: 9,
            nonce: 42,
            work: [2; 32],
            hotkey: [3; 32],
            coldkey: [4; 32],
        };
        let args = call_args(&r);
        assert_eq!(args.len(), 6);
        assert_eq!(args[1], Value::u128(9));
        assert_eq!(args[3], Value::from_bytes([2; 32]));
        assert_eq!(args[5], Value::from_bytes([4; 32]));
    }
}
