//! What can go wrong talking to a node, decided on types, not on words.
//!
//! Every error keeps its source. Whether an error is worth reconnecting for
//! is decided once, here, from the variant: a transport failure (the
//! websocket closed, the TCP connection reset, a timeout) is; an answer the
//! node gave (a JSON-RPC error, a value that does not decode) is not.

use std::error::Error as StdError;
use std::time::Duration;

use thiserror::Error;

use super::diagnosis::PoolCause;
use super::rules::{Refusal, WindowError};
use crate::solver::SolveError;

/// A boxed source error.
pub(super) type Source = Box<dyn StdError + Send + Sync + 'static>;

/// A failed request to the node.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The connection could not be made.
    #[error("cannot reach {url}")]
    Connect {
        /// The endpoint.
        url: String,
        /// Why.
        #[source]
        source: Source,
    },
    /// The connection was lost during a request.
    #[error("the connection to the node closed during {what}")]
    Disconnected {
        /// The request.
        what: &'static str,
        /// The transport's error.
        #[source]
        source: Source,
    },
    /// No answer in time.
    #[error("the node did not answer {what} within {limit:?}")]
    Timeout {
        /// The request.
        what: &'static str,
        /// How long was waited.
        limit: Duration,
    },
    /// The node sent a message larger than the client takes; the client
    /// closed the connection.
    #[error("the node sent a message larger than {} MiB (the most a client takes) during {what}", .limit >> 20)]
    TooLarge {
        /// The request.
        what: &'static str,
        /// The largest message taken, in bytes.
        limit: usize,
        /// The transport's error.
        #[source]
        source: Source,
    },
    /// The node answered with an error.
    #[error("the node answered {what} with an error")]
    Node {
        /// The request.
        what: &'static str,
        /// The node's answer.
        #[source]
        source: Source,
    },
    /// The node answered with something that cannot be read as the answer
    /// (not what a subtensor node sends).
    #[error("the node's answer to {what} cannot be read (it is not what a subtensor node sends)")]
    Unreadable {
        /// The request.
        what: &'static str,
        /// The node's answer.
        #[source]
        source: Source,
    },
    /// The chain reached is one the caller will not use (see
    /// [`super::Chain::connect_checked`]).
    #[error("{0}")]
    Unwanted(String),
    /// The node answered, but without something it must have.
    #[error("{what}: {why}")]
    Missing {
        /// The request.
        what: &'static str,
        /// What was missing.
        why: String,
    },
}

impl ChainError {
    /// Whether the connection itself failed (worth reconnecting), as opposed
    /// to an answer the node gave.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            ChainError::Connect { .. }
                | ChainError::Disconnected { .. }
                | ChainError::Timeout { .. }
        )
    }

    /// A failed request `what`, classified by its RPC error: a failure of
    /// the client's transport is a lost connection; anything else (a
    /// JSON-RPC error, a value that does not decode) is the node's answer.
    pub fn from_request<E: Rpc>(what: &'static str, e: E) -> Self {
        let too_large = match e.rpc_error() {
            Some(RpcFailure::Client(subxt_rpcs::Error::Client(inner))) => {
                message_too_large(inner.as_ref())
            }
            _ => None,
        };
        if let Some(limit) = too_large {
            return ChainError::TooLarge {
                what,
                limit,
                source: Box::new(e),
            };
        }
        let not_json_rpc = match e.rpc_error() {
            Some(RpcFailure::Client(subxt_rpcs::Error::Client(inner))) => {
                not_json_rpc(inner.as_ref())
            }
            _ => false,
        };
        match e.rpc_error() {
            // The client gave up on the connection for a message that is
            // not JSON-RPC: the node's answer, not a lost connection (a
            // new one would be answered alike).
            _ if not_json_rpc => ChainError::Unreadable {
                what,
                source: Box::new(e),
            },
            Some(f) if is_transport(&f) => ChainError::Disconnected {
                what,
                source: Box::new(e),
            },
            Some(RpcFailure::Client(subxt_rpcs::Error::Deserialization(_))) => {
                ChainError::Unreadable {
                    what,
                    source: Box::new(e),
                }
            }
            _ => ChainError::Node {
                what,
                source: Box::new(e),
            },
        }
    }

    /// Whether this error's cause is told only by its source: why the
    /// connection could not be made (`Connect`), the node's answer
    /// (`Node`). The other errors name what happened themselves; their
    /// sources are the RPC client's internals.
    pub fn cause_is_in_source(&self) -> bool {
        matches!(self, ChainError::Connect { .. } | ChainError::Node { .. })
    }
}

/// The size limit, when the websocket closed because a message was larger
/// than it (the client then needs a new connection, and says so).
fn message_too_large(e: &(dyn StdError + Send + Sync + 'static)) -> Option<usize> {
    use jsonrpsee::client_transport::ws::WsError;
    use jsonrpsee::core::client::Error as Client;
    let Client::RestartNeeded(inner) = e.downcast_ref::<Client>()? else {
        return None;
    };
    let Client::Transport(transport) = inner.as_ref() else {
        return None;
    };
    match transport.downcast_ref::<WsError>()? {
        WsError::Connection(soketto::connection::Error::MessageTooLarge { maximum, .. }) => {
            Some(*maximum)
        }
        _ => None,
    }
}

/// Whether the client closed the connection because the node sent what
/// is not JSON-RPC over a websocket: bytes that are no websocket frame, or
/// a message that is not JSON-RPC (text that is not JSON, an answer to no
/// request).
fn not_json_rpc(e: &(dyn StdError + Send + Sync + 'static)) -> bool {
    use jsonrpsee::client_transport::ws::WsError;
    use jsonrpsee::core::client::Error as Client;
    use soketto::connection::Error as Ws;
    let Some(Client::RestartNeeded(inner)) = e.downcast_ref::<Client>() else {
        return false;
    };
    match inner.as_ref() {
        Client::ParseError(_) | Client::InvalidRequestId(_) | Client::EmptyBatchRequest(_) => true,
        // The client's only words for a message it cannot parse (it has no
        // variant for it); the CLI tests hold them with a node that sends
        // garbage.
        Client::Custom(m) => m.starts_with("Unparseable message"),
        Client::Transport(t) => matches!(
            t.downcast_ref::<WsError>(),
            Some(WsError::Connection(
                Ws::UnexpectedOpCode(_)
                    | Ws::Utf8(_)
                    | Ws::Codec(
                        soketto::base::Error::UnknownOpCode
                            | soketto::base::Error::ReservedOpCode
                            | soketto::base::Error::FragmentedControl
                            | soketto::base::Error::InvalidControlFrameLen
                            | soketto::base::Error::InvalidReservedBit(_)
                    )
            ))
        ),
        _ => false,
    }
}

/// Whether an RPC error is the transport's (the connection), not the node's.
pub(crate) fn is_transport(e: &RpcFailure<'_>) -> bool {
    match e {
        RpcFailure::Client(rpc) => matches!(
            rpc,
            subxt_rpcs::Error::Client(_) | subxt_rpcs::Error::DisconnectedWillReconnect(_)
        ),
        RpcFailure::SubscriptionDropped => true,
    }
}

/// The RPC failure underneath an error of the chain client.
#[derive(Debug)]
pub enum RpcFailure<'a> {
    /// The RPC client's error.
    Client(&'a subxt_rpcs::Error),
    /// The node dropped a subscription.
    SubscriptionDropped,
}

/// Errors that may carry an RPC failure. subxt keeps its backend errors in
/// fields that are not error sources, so each type says where its own is.
pub trait Rpc: StdError + Send + Sync + 'static {
    /// The RPC failure underneath, if any.
    fn rpc_error(&self) -> Option<RpcFailure<'_>>;
}

impl Rpc for subxt_rpcs::Error {
    fn rpc_error(&self) -> Option<RpcFailure<'_>> {
        Some(RpcFailure::Client(self))
    }
}

fn backend(e: &subxt::error::BackendError) -> Option<RpcFailure<'_>> {
    use subxt::error::{BackendError, RpcError};
    match e {
        BackendError::Rpc(RpcError::ClientError(rpc)) => Some(RpcFailure::Client(rpc)),
        BackendError::Rpc(RpcError::SubscriptionDropped) => Some(RpcFailure::SubscriptionDropped),
        _ => None,
    }
}

impl Rpc for subxt::error::BackendError {
    fn rpc_error(&self) -> Option<RpcFailure<'_>> {
        backend(self)
    }
}

impl Rpc for subxt::error::OnlineClientAtBlockError {
    fn rpc_error(&self) -> Option<RpcFailure<'_>> {
        use subxt::error::OnlineClientAtBlockError as E;
        match self {
            E::CannotGetCurrentBlock { reason }
            | E::CannotGetBlockHash { reason, .. }
            | E::CannotGetBlockHeader { reason, .. }
            | E::CannotGetSpecVersion { reason, .. } => backend(reason),
            _ => None,
        }
    }
}

impl Rpc for subxt::error::OnlineClientError {
    fn rpc_error(&self) -> Option<RpcFailure<'_>> {
        use subxt::error::OnlineClientError as E;
        match self {
            E::RpcError(rpc) => Some(RpcFailure::Client(rpc)),
            E::CannotGetGenesisHash(reason) => backend(reason),
            _ => None,
        }
    }
}

impl Rpc for subxt::error::StorageError {
    fn rpc_error(&self) -> Option<RpcFailure<'_>> {
        use subxt::error::StorageError as E;
        match self {
            E::CannotFetchValue(reason)
            | E::CannotIterateValues(reason)
            | E::StreamFailure(reason) => backend(reason),
            _ => None,
        }
    }
}

impl Rpc for subxt::error::ExtrinsicError {
    fn rpc_error(&self) -> Option<RpcFailure<'_>> {
        use subxt::error::{AccountNonceError, ExtrinsicError as E};
        match self {
            E::CannotGetBlockBody(reason)
            | E::ErrorSubmittingTransaction(reason)
            | E::TransactionStatusStreamError(reason)
            | E::CannotGetFeeInfo(reason)
            | E::CannotGetValidationInfo(reason) => backend(reason),
            E::AccountNonceError {
                reason: AccountNonceError::CouldNotRetrieve(reason),
                ..
            } => backend(reason),
            _ => None,
        }
    }
}

impl Rpc for subxt::error::TransactionProgressError {
    fn rpc_error(&self) -> Option<RpcFailure<'_>> {
        use subxt::error::TransactionProgressError as E;
        match self {
            E::CannotGetNextProgressUpdate(reason) => backend(reason),
            _ => None,
        }
    }
}

impl Rpc for subxt::error::TransactionEventsError {
    fn rpc_error(&self) -> Option<RpcFailure<'_>> {
        use subxt::error::TransactionEventsError as E;
        match self {
            E::CannotFetchBlockBody { error, .. } => backend(error),
            _ => None,
        }
    }
}

/// How a submitted registration ended, when it did not end in a block with
/// success.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// The runtime refused it in a block, with this error (`InvalidWorkBlock`, …).
    #[error("the chain refused it: {pallet}::{name}")]
    Dispatch {
        /// The pallet that refused (`SubtensorModule`).
        pallet: String,
        /// The error's name.
        name: String,
    },
    /// The transaction pool refused it before any block (invalid, dropped,
    /// usurped): the node's words.
    #[error("the transaction pool refused it: {}", .meaning.as_deref().unwrap_or(.message))]
    Pool {
        /// The node's words.
        message: String,
        /// A custom code in words, in the numbering of the runtime's era.
        meaning: Option<String>,
    },
    /// The call cannot be made on this runtime (not in its metadata, or its
    /// arguments do not encode): no block will change that.
    #[error("the call cannot be built for this runtime")]
    Build(#[source] Source),
    /// Submitted, but the node's status updates stopped or could not be
    /// read: whether it was included is not known from them.
    #[error("submitted, but its status is unknown")]
    Unknown(#[source] ChainError),
    /// The request failed before the node took the transaction.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

/// The interval limit in words: what is used up, and when it frees.
fn interval_full_words(
    netuid: u16,
    head: u64,
    registrations: u64,
    limit: u64,
    resets_at: Option<u64>,
) -> String {
    let blocks = resets_at.unwrap_or(head).saturating_sub(head);
    let when = match resets_at {
        Some(at) => format!(
            "until block {at}, when the interval resets (in {blocks} block{}, about {} min at \
             12 s blocks)",
            if blocks == 1 { "" } else { "s" },
            blocks.saturating_mul(12).div_ceil(60)
        ),
        None => "until the interval resets (this runtime does not say when)".to_string(),
    };
    format!(
        "subnet {netuid} has taken {registrations} registrations this interval, the most it takes \
         (3 × TargetRegistrationsPerInterval = {limit}): the runtime refuses more \
         (TooManyRegistrationsThisInterval) {when}"
    )
}

impl SubmitError {
    /// The chain's error name, e.g. `InvalidWorkBlock`, if the runtime gave one.
    pub fn chain_error_name(&self) -> Option<&str> {
        match self {
            SubmitError::Dispatch { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Why a registration ended without one.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// The runtime cannot be registered on by proof of work, or the
    /// arguments contradict it.
    #[error(transparent)]
    Refusal(#[from] Refusal),
    /// The subnet does not exist on this chain.
    #[error("subnet {netuid} does not exist on this chain (NetworksAdded is false)")]
    NoSubnet {
        /// The subnet.
        netuid: u16,
    },
    /// The subnet does not allow proof-of-work registration.
    #[error("proof-of-work registration is disabled on subnet {netuid} (NetworkPowRegistrationAllowed is false)")]
    Disabled {
        /// The subnet.
        netuid: u16,
    },
    /// Legacy runtimes: the subnet's registrations this interval are used
    /// up, and the run does not wait ([`Options::wait_for`](super::Options::wait_for)) for the reset.
    #[error("{}", interval_full_words(*.netuid, *.head, *.registrations, *.limit, *.resets_at))]
    IntervalFull {
        /// The subnet.
        netuid: u16,
        /// The block read.
        head: u64,
        /// `RegistrationsThisInterval`.
        registrations: u64,
        /// The most the runtime takes in an interval (3 × `TargetRegistrationsPerInterval`).
        limit: u64,
        /// The block at which the interval resets, if the runtime says.
        resets_at: Option<u64>,
    },
    /// A limit of 0: the subnet takes no registrations, and no block
    /// changes that (only watch mode waits, for the limit to change).
    #[error("subnet {netuid} takes no registrations: its {limit} is 0, and no block frees that")]
    NoRegistrations {
        /// The subnet.
        netuid: u16,
        /// The storage item that is 0.
        limit: &'static str,
    },
    /// A registration the runtime refuses whatever the proof of work
    /// (read before solving).
    #[error(transparent)]
    Inadmissible(#[from] super::admission::Inadmissible),
    /// v1: the hotkey registered by proof of work with a work block at or
    /// after the head; the runtime takes its work only from `first` on,
    /// more than a block away, and the run does not wait
    /// ([`Options::wait_for`](super::Options::wait_for)) for it.
    #[error("this hotkey last registered by proof of work with work block {last} (LastPowRegistrationBlock), so the runtime takes its work only from block {first} on, {} blocks after the head {head} (InvalidWorkBlock)", .first.saturating_sub(*.head))]
    WorkBlockTooEarly {
        /// The head.
        head: u64,
        /// `LastPowRegistrationBlock` of the hotkey.
        last: u64,
        /// The first work block the runtime takes.
        first: u64,
    },
    /// The user said no at the confirmation.
    #[error("not confirmed")]
    NotConfirmed,
    /// A forced work block (testing) that the window refuses.
    #[error("not submitted: {0}")]
    Window(#[from] WindowError),
    /// The chain refused the registration in a way no next block cures.
    #[error("registration failed")]
    Refused(#[source] SubmitError),
    /// v1: the pool refused the registration, for this cause (read from the
    /// chain after the refusal), and no next block cures it.
    #[error("refused before inclusion: {cause}")]
    PoolRefused {
        /// What the chain says is wrong.
        cause: Box<PoolCause>,
        /// The pool's answer.
        #[source]
        source: SubmitError,
    },
    /// A request the node answered with an error.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The connection stayed lost past [`Backoff::give_up`](super::Backoff::give_up).
    #[error("the node at {endpoint} is gone: no connection for {} s", .after.as_secs())]
    Gone {
        /// The endpoint.
        endpoint: String,
        /// How long it was tried.
        after: Duration,
        /// The last failure.
        #[source]
        last: ChainError,
    },
    /// The solver's thread ended without an answer (a panic in an engine).
    #[error("the solver stopped unexpectedly")]
    SolverCrashed,
    /// The solver failed (an engine error, or a seal the reference rejects).
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// Every nonce from the start to 2^64-1 was searched.
    #[error("the whole nonce space was searched without a solution")]
    Exhausted,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_failures_are_connection_errors_and_answers_are_not() {
        let lost = subxt_rpcs::Error::Client("connection reset".into());
        assert!(ChainError::from_request("chain_getHeader", lost).is_connection());
        let answer = subxt_rpcs::Error::User(subxt_rpcs::UserError {
            code: 1010,
            message: "Invalid Transaction".into(),
            data: None,
        });
        assert!(!ChainError::from_request("author_submit", answer).is_connection());
        // Found inside subxt's own errors, too.
        let lost = subxt::error::StorageError::CannotFetchValue(
            subxt_rpcs::Error::Client("eof".into()).into(),
        );
        assert!(ChainError::from_request("Difficulty", lost).is_connection());
        let dropped = subxt::error::TransactionProgressError::CannotGetNextProgressUpdate(
            subxt::error::RpcError::SubscriptionDropped.into(),
        );
        assert!(ChainError::from_request("status", dropped).is_connection());
        let undecodable = subxt::error::TransactionProgressError::CannotGetNextProgressUpdate(
            subxt_rpcs::Error::Deserialization(serde_json::from_str::<()>("{}").unwrap_err())
                .into(),
        );
        let undecodable = ChainError::from_request("status", undecodable);
        assert!(!undecodable.is_connection());
        assert!(matches!(undecodable, ChainError::Unreadable { .. }));
        assert_eq!(
            undecodable.to_string(),
            "the node's answer to status cannot be read (it is not what a subtensor node sends)"
        );
        // A word like "connection" in an answer does not make it one.
        let words = subxt_rpcs::Error::User(subxt_rpcs::UserError {
            code: -32000,
            message: "connection limit reached".into(),
            data: None,
        });
        assert!(!ChainError::from_request("x", words).is_connection());
        // A message too large for the client: said so, and not a lost
        // connection to retry (the node would send it again).
        let closed = jsonrpsee::core::client::Error::RestartNeeded(std::sync::Arc::new(
            jsonrpsee::core::client::Error::Transport(Box::new(
                jsonrpsee::client_transport::ws::WsError::Connection(
                    soketto::connection::Error::MessageTooLarge {
                        current: 16 << 20,
                        maximum: 10 << 20,
                    },
                ),
            )),
        ));
        let e = ChainError::from_request("x", subxt_rpcs::Error::Client(Box::new(closed)));
        assert!(
            matches!(e, ChainError::TooLarge { limit, .. } if limit == 10 << 20),
            "{e}"
        );
        assert!(!e.is_connection());
        assert_eq!(
            e.to_string(),
            "the node sent a message larger than 10 MiB (the most a client takes) during x"
        );
        let timeout = ChainError::Timeout {
            what: "x",
            limit: Duration::from_secs(1),
        };
        assert!(timeout.is_connection());
    }

    #[test]
    fn a_message_that_is_not_json_rpc_is_an_unreadable_answer_not_a_lost_connection() {
        use jsonrpsee::core::client::Error as Client;
        let closed_for = |inner: Client| {
            let e = Client::RestartNeeded(std::sync::Arc::new(inner));
            ChainError::from_request(
                "chain_getBlockHash(0)",
                subxt_rpcs::Error::Client(Box::new(e)),
            )
        };
        for inner in [
            Client::Custom("Unparseable message: expected value at line 1 column 1".into()),
            Client::ParseError(serde_json::from_str::<()>("{").unwrap_err()),
        ] {
            let e = closed_for(inner);
            assert!(matches!(e, ChainError::Unreadable { .. }), "{e}");
            assert!(!e.is_connection());
            assert_eq!(
                e.to_string(),
                "the node's answer to chain_getBlockHash(0) cannot be read (it is not what a \
                 subtensor node sends)"
            );
        }
        // Bytes that are no websocket frame.
        let e = closed_for(Client::Transport(Box::new(
            jsonrpsee::client_transport::ws::WsError::Connection(
                soketto::connection::Error::Codec(soketto::base::Error::InvalidReservedBit(4)),
            ),
        )));
        assert!(matches!(e, ChainError::Unreadable { .. }), "{e}");
        // The transport's own failure is still a lost connection.
        let e = closed_for(Client::Transport("connection reset".into()));
        assert!(matches!(e, ChainError::Disconnected { .. }), "{e}");
        assert!(e.is_connection());
        let e = closed_for(Client::Transport(Box::new(
            jsonrpsee::client_transport::ws::WsError::Connection(
                soketto::connection::Error::Closed,
            ),
        )));
        assert!(matches!(e, ChainError::Disconnected { .. }), "{e}");
    }

    #[test]
    fn chain_error_names() {
        let e = SubmitError::Dispatch {
            pallet: "SubtensorModule".into(),
            name: "InvalidWorkBlock".into(),
        };
        assert_eq!(e.chain_error_name(), Some("InvalidWorkBlock"));
        assert_eq!(
            SubmitError::Pool {
                message: "x".into(),
                meaning: None
            }
            .chain_error_name(),
            None
        );
    }
}
