//! A subtensor node over JSON-RPC (subxt, metadata fetched at run time,
//! dynamic calls and storage). It uses the legacy RPC backend, which every
//! subtensor node serves; chopsticks does not speak the newer chainHead
//! protocol well enough. It pins the genesis hash (asked once by number, so no
//! unknown hash is ever probed) and follows the best head, so a
//! proof of work is never made for a block that finality has not reached.

use std::sync::Arc;
use std::time::Duration;

use subxt::backend::LegacyBackend;
use subxt::config::substrate::H256;
use subxt::config::RpcConfigFor;
use subxt::dynamic::{self, Value};
use subxt::error::{DispatchError, TransactionEventsError};
use subxt::transactions::TransactionStatus;
use subxt::{OnlineClient, SubstrateConfig};
use subxt_rpcs::methods::legacy::LegacyRpcMethods;
use subxt_rpcs::RpcClient;
use subxt_signer::sr25519::Keypair;
use thiserror::Error;

use super::rules::{Registration, RuntimeFacts};

type Rpc = LegacyRpcMethods<RpcConfigFor<SubstrateConfig>>;

#[derive(Debug, Error)]
pub enum ChainError {
    #[error("cannot reach {url}: {why}")]
    Connect { url: String, why: String },
    #[error("the node did not answer within {0:?}")]
    Timeout(Duration),
    #[error("RPC {what}: {why}")]
    Rpc { what: &'static str, why: String },
    #[error("storage {item}: {why}")]
    Storage { item: &'static str, why: String },
}

impl ChainError {
    /// Whether the connection itself failed (worth reconnecting), as opposed
    /// to an answer the node gave.
    pub fn is_connection(&self) -> bool {
        match self {
            ChainError::Connect { .. } | ChainError::Timeout(_) => true,
            ChainError::Rpc { why, .. } | ChainError::Storage { why, .. } => {
                let w = why.to_ascii_lowercase();
                w.contains("restart") || w.contains("closed") || w.contains("connection")
            }
        }
    }
}

/// How a submitted registration ended.
#[derive(Debug, Error)]
pub enum SubmitError {
    /// The runtime refused it: `SubtensorModule::InvalidWorkBlock` etc.
    #[error("the chain refused it: {0}")]
    Dispatch(String),
    /// The transaction pool refused it before any block.
    #[error("the transaction pool refused it: {0}")]
    Pool(String),
    #[error("{0}")]
    Chain(#[from] ChainError),
}

impl SubmitError {
    /// The chain's error name, e.g. `InvalidWorkBlock`, if the runtime gave one.
    pub fn chain_error_name(&self) -> Option<&str> {
        match self {
            SubmitError::Dispatch(s) => s.rsplit("::").next(),
            _ => None,
        }
    }
}

/// The best block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub number: u64,
    pub hash: [u8; 32],
}

/// What a registration attempt needs to know about a subnet, at one block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubnetState {
    pub difficulty: u64,
    pub min_difficulty: Option<u64>,
    pub max_difficulty: Option<u64>,
    pub pow_allowed: bool,
    /// The hotkey's uid, if it is registered.
    pub uid: Option<u16>,
    pub registrations_this_block: u16,
    pub max_registrations_per_block: u16,
    /// v1: the hotkey's last proof-of-work registration block.
    pub last_pow_block: Option<u64>,
}

pub struct Chain {
    api: OnlineClient<SubstrateConfig>,
    rpc: Rpc,
    timeout: Duration,
}

fn rpc_err(what: &'static str) -> impl Fn(subxt_rpcs::Error) -> ChainError {
    move |e| ChainError::Rpc {
        what,
        why: e.to_string(),
    }
}

async fn within<T>(
    limit: Duration,
    f: impl std::future::Future<Output = Result<T, ChainError>>,
) -> Result<T, ChainError> {
    tokio::time::timeout(limit, f)
        .await
        .map_err(|_| ChainError::Timeout(limit))?
}

impl Chain {
    /// Connects to `url` (`ws://` or `wss://`).
    pub async fn connect(url: &str, timeout: Duration) -> Result<Chain, ChainError> {
        within(timeout, async {
            let client =
                RpcClient::from_insecure_url(url)
                    .await
                    .map_err(|e| ChainError::Connect {
                        url: url.to_string(),
                        why: e.to_string(),
                    })?;
            let rpc = Rpc::new(client.clone());
            let genesis = rpc
                .chain_get_block_hash(Some(0u64.into()))
                .await
                .map_err(rpc_err("chain_getBlockHash(0)"))?
                .ok_or_else(|| ChainError::Rpc {
                    what: "chain_getBlockHash(0)",
                    why: "no genesis block".into(),
                })?;
            let config = SubstrateConfig::builder().set_genesis_hash(genesis).build();
            let backend = LegacyBackend::builder().build(client);
            let api = OnlineClient::from_backend_with_config(config, Arc::new(backend))
                .await
                .map_err(|e| ChainError::Connect {
                    url: url.to_string(),
                    why: e.to_string(),
                })?;
            Ok(Chain { api, rpc, timeout })
        })
        .await
    }

    /// The best block.
    pub async fn head(&self) -> Result<Head, ChainError> {
        within(self.timeout, async {
            let header = self
                .rpc
                .chain_get_header(None)
                .await
                .map_err(rpc_err("chain_getHeader"))?
                .ok_or_else(|| ChainError::Rpc {
                    what: "chain_getHeader",
                    why: "no best header".into(),
                })?;
            let hash = self
                .rpc
                .chain_get_block_hash(Some(header.number.into()))
                .await
                .map_err(rpc_err("chain_getBlockHash"))?
                .ok_or_else(|| ChainError::Rpc {
                    what: "chain_getBlockHash",
                    why: "no hash for the best block".into(),
                })?;
            Ok(Head {
                number: header.number,
                hash: hash.0,
            })
        })
        .await
    }

    /// Block `number` of the best chain.
    pub async fn block(&self, number: u64) -> Result<Head, ChainError> {
        within(self.timeout, async {
            let hash = self
                .rpc
                .chain_get_block_hash(Some(number.into()))
                .await
                .map_err(rpc_err("chain_getBlockHash"))?
                .ok_or_else(|| ChainError::Rpc {
                    what: "chain_getBlockHash",
                    why: format!("no block {number}"),
                })?;
            Ok(Head {
                number,
                hash: hash.0,
            })
        })
        .await
    }

    async fn at(
        &self,
        head: &Head,
    ) -> Result<
        subxt::client::ClientAtBlock<
            SubstrateConfig,
            subxt::client::OnlineClientAtBlockImpl<SubstrateConfig>,
        >,
        ChainError,
    > {
        self.api
            .at_block_hash_and_number(H256(head.hash), head.number)
            .await
            .map_err(|e| ChainError::Rpc {
                what: "state at block",
                why: e.to_string(),
            })
    }

    /// The runtime's spec version and registration calls, at `head`.
    pub async fn runtime_facts(&self, head: &Head) -> Result<RuntimeFacts, ChainError> {
        within(self.timeout, async {
            let at = self.at(head).await?;
            let metadata = at.metadata();
            let pallet = metadata.pallet_by_name(Registration::PALLET);
            let call_args = |name: &str| {
                pallet
                    .as_ref()
                    .and_then(|p| p.call_variant_by_name(name))
                    .map(|v| v.fields.len())
            };
            Ok(RuntimeFacts {
                spec_version: at.spec_version(),
                has_pow_register: call_args("pow_register").is_some(),
                register_args: call_args("register"),
            })
        })
        .await
    }

    /// The subnet's registration state for `hotkey`, at `head`.
    pub async fn subnet_state(
        &self,
        head: &Head,
        netuid: u16,
        hotkey: &[u8; 32],
    ) -> Result<SubnetState, ChainError> {
        within(self.timeout, async {
            let at = self.at(head).await?;
            let storage = at.storage();
            const P: &str = Registration::PALLET;
            macro_rules! read {
                // An item with a default: the value, or None if the runtime lacks the item.
                (opt $item:literal, $keys:ty, $val:ty, $k:expr) => {{
                    let addr = dynamic::storage::<$keys, $val>(P, $item);
                    match storage.entry(addr) {
                        Err(_) => None,
                        Ok(entry) => {
                            let why = |e: &dyn std::fmt::Display| ChainError::Storage {
                                item: $item,
                                why: e.to_string(),
                            };
                            let value = entry.fetch($k).await.map_err(|e| why(&e))?;
                            Some(value.decode().map_err(|e| why(&e))?)
                        }
                    }
                }};
                // An item without a default: None when absent.
                (try $item:literal, $keys:ty, $val:ty, $k:expr) => {{
                    let addr = dynamic::storage::<$keys, $val>(P, $item);
                    match storage.entry(addr) {
                        Err(_) => None,
                        Ok(entry) => {
                            match entry.try_fetch($k).await.map_err(|e| ChainError::Storage {
                                item: $item,
                                why: e.to_string(),
                            })? {
                                None => None,
                                Some(v) => Some(v.decode().map_err(|e| ChainError::Storage {
                                    item: $item,
                                    why: e.to_string(),
                                })?),
                            }
                        }
                    }
                }};
            }
            let difficulty =
                read!(opt "Difficulty", (u16,), u64, (netuid,)).ok_or(ChainError::Storage {
                    item: "Difficulty",
                    why: "not in this runtime".into(),
                })?;
            Ok(SubnetState {
                difficulty,
                min_difficulty: read!(opt "MinDifficulty", (u16,), u64, (netuid,)),
                max_difficulty: read!(opt "MaxDifficulty", (u16,), u64, (netuid,)),
                pow_allowed: read!(opt "NetworkPowRegistrationAllowed", (u16,), bool, (netuid,))
                    .unwrap_or(false),
                uid: read!(try "Uids", (u16, [u8; 32]), u16, (netuid, *hotkey)),
                registrations_this_block:
                    read!(opt "RegistrationsThisBlock", (u16,), u16, (netuid,)).unwrap_or(0),
                max_registrations_per_block:
                    read!(opt "MaxRegistrationsPerBlock", (u16,), u16, (netuid,))
                        .unwrap_or(u16::MAX),
                last_pow_block: read!(try "LastPowRegistrationBlock", ([u8; 32],), u64, (*hotkey,)),
            })
        })
        .await
    }

    /// Signs `registration` with `signer`, submits it, and waits until it is
    /// in a block; the runtime's refusal comes back by name.
    pub async fn submit(
        &self,
        registration: &Registration,
        signer: &Keypair,
    ) -> Result<[u8; 32], SubmitError> {
        let payload = dynamic::transaction(
            Registration::PALLET,
            registration.call_name(),
            call_args(registration),
        );
        let head = self.head().await?;
        let mut txs = self.at(&head).await?.transactions();
        let mut progress = within(self.timeout, async {
            txs.sign_and_submit_then_watch_default(&payload, signer)
                .await
                .map_err(|e| ChainError::Rpc {
                    what: "author_submitAndWatchExtrinsic",
                    why: e.to_string(),
                })
        })
        .await
        .map_err(|e| match e {
            ChainError::Rpc { why, .. } if !why.to_ascii_lowercase().contains("connection") => {
                SubmitError::Pool(why)
            }
            other => SubmitError::Chain(other),
        })?;
        // Inclusion takes a block or two; allow several.
        let wait = self.timeout * 4;
        loop {
            let status = tokio::time::timeout(wait, progress.next())
                .await
                .map_err(|_| ChainError::Timeout(wait))?;
            let Some(status) = status else {
                return Err(SubmitError::Pool(
                    "the node dropped the subscription".into(),
                ));
            };
            let status = status.map_err(|e| ChainError::Rpc {
                what: "transaction status",
                why: e.to_string(),
            })?;
            match status {
                TransactionStatus::InBestBlock(in_block)
                | TransactionStatus::InFinalizedBlock(in_block) => {
                    return match in_block.wait_for_success().await {
                        Ok(_) => Ok(in_block.block_hash().0),
                        Err(TransactionEventsError::ExtrinsicFailed(e)) => {
                            Err(SubmitError::Dispatch(dispatch_name(&e)))
                        }
                        Err(e) => Err(SubmitError::Chain(ChainError::Rpc {
                            what: "transaction events",
                            why: e.to_string(),
                        })),
                    };
                }
                TransactionStatus::Error { message }
                | TransactionStatus::Invalid { message }
                | TransactionStatus::Dropped { message } => return Err(SubmitError::Pool(message)),
                _ => {}
            }
        }
    }
}

/// The call's arguments in the runtime's order, as dynamic values (the
/// metadata types them at encoding).
pub fn call_args(registration: &Registration) -> Vec<Value> {
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

/// `SubtensorModule::InvalidWorkBlock` and the like.
fn dispatch_name(e: &DispatchError) -> String {
    match e {
        DispatchError::Module(m) => m.details_string(),
        other => other.to_string(),
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
        assert_eq!(r.signer(), super::super::rules::Signer::Coldkey);
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

    #[test]
    fn chain_error_names() {
        let e = SubmitError::Dispatch("SubtensorModule::InvalidWorkBlock".into());
        assert_eq!(e.chain_error_name(), Some("InvalidWorkBlock"));
        assert_eq!(SubmitError::Pool("x".into()).chain_error_name(), None);
    }
}
