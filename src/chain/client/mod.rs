//! A subtensor node over JSON-RPC (subxt, metadata fetched at run time,
//! dynamic calls and storage). It uses the legacy RPC backend, which every
//! subtensor node serves; chopsticks does not speak the newer chainHead
//! protocol well enough. It pins the genesis hash (asked once by number, so
//! no unknown hash is ever probed) and follows the best head: a registration
//! must land within a few blocks of its work block, which finality would
//! not leave time for.

use std::sync::Arc;
use std::time::Duration;

use jsonrpsee::client_transport::ws::{Url, WsHandshakeError, WsTransportClientBuilder};
use subxt::backend::LegacyBackend;
use subxt::config::substrate::H256;
use subxt::config::Hasher as _;
use subxt::config::RpcConfigFor;
use subxt::dynamic;
use subxt::error::TransactionEventsError;
use subxt::transactions::{DefaultParams, TransactionStatus};
use subxt::{OnlineClient, SubstrateConfig};
use subxt_rpcs::methods::legacy::LegacyRpcMethods;
use subxt_rpcs::RpcClient;
use subxt_signer::sr25519::Keypair;

use super::error::{ChainError, SubmitError};
use super::model::{Head, Registration, RuntimeFacts, SubnetState};
use super::node::Node;
use super::pool_codes::{custom_code, PoolCodes};

mod storage;
mod submit;

pub(super) use storage::subnet_facts;
use storage::{list_len, read};
use submit::{call_args, classify_submit, dispatch};

type Rpc = LegacyRpcMethods<RpcConfigFor<SubstrateConfig>>;

/// A connection to a subtensor node.
pub struct Chain {
    url: String,
    /// The URL as it may be shown ([`super::endpoint::redact`]).
    shown: String,
    genesis: [u8; 32],
    api: OnlineClient<SubstrateConfig>,
    rpc: Rpc,
    timeout: Duration,
    /// The hash of the extrinsic the last `submit` signed.
    last_extrinsic: Option<[u8; 32]>,
}

/// `f`, or a timeout error naming `what` after `limit`.
pub(super) async fn within<T, E: From<ChainError>>(
    what: &'static str,
    limit: Duration,
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    tokio::time::timeout(limit, f)
        .await
        .map_err(|_| ChainError::Timeout { what, limit })?
}

fn missing(what: &'static str, why: impl Into<String>) -> ChainError {
    ChainError::Missing {
        what,
        why: why.into(),
    }
}

/// Why a websocket connection could not be made, in a user's terms.
#[derive(Debug, thiserror::Error)]
pub(super) enum ConnectFailure {
    /// Something answered, but not as a websocket server.
    #[error("it did not answer as a websocket server: its answer cannot be read as a websocket handshake (is this a node's RPC port?)")]
    NotWebsocket(#[source] WsHandshakeError),
    /// The TLS handshake of a `wss://` endpoint failed.
    #[error("the TLS handshake failed")]
    Tls(#[source] std::io::Error),
    /// The TCP connection failed (refused, reset, unreachable).
    #[error("the TCP connection failed")]
    Tcp(#[source] std::io::Error),
    /// Anything else (a bad URL, a name that does not resolve, a timeout).
    #[error(transparent)]
    Other(WsHandshakeError),
}

impl ConnectFailure {
    fn new(e: WsHandshakeError, tls: bool) -> Self {
        match e {
            WsHandshakeError::Transport(_) | WsHandshakeError::Rejected { .. } => {
                ConnectFailure::NotWebsocket(e)
            }
            // rustls reports its failures as invalid data on the stream.
            WsHandshakeError::Io(io) if tls && io.kind() == std::io::ErrorKind::InvalidData => {
                ConnectFailure::Tls(io)
            }
            WsHandshakeError::Io(io) => ConnectFailure::Tcp(io),
            other => ConnectFailure::Other(other),
        }
    }
}

/// A websocket JSON-RPC client for `url`, its connection bounded by `timeout`.
async fn ws_client(url: &str, timeout: Duration) -> Result<RpcClient, ChainError> {
    let failed = |e: ConnectFailure| ChainError::Connect {
        url: super::endpoint::redact(url),
        source: Box::new(e),
    };
    let parsed = Url::parse(url).map_err(|e| {
        failed(ConnectFailure::Other(WsHandshakeError::Url(
            e.to_string().into(),
        )))
    })?;
    let tls = parsed.scheme() == "wss";
    let (sender, receiver) = WsTransportClientBuilder::default()
        .connection_timeout(timeout)
        .build(parsed)
        .await
        .map_err(|e| failed(ConnectFailure::new(e, tls)))?;
    let client = jsonrpsee::core::client::Client::builder()
        .max_buffer_capacity_per_subscription(4096)
        .build_with_tokio(sender, receiver);
    Ok(RpcClient::new(client))
}

impl Chain {
    /// Connects to `url` (`ws://` or `wss://`); the connection and each
    /// request then wait at most `timeout`.
    pub async fn connect(url: &str, timeout: Duration) -> Result<Chain, ChainError> {
        Self::connect_checked(url, timeout, |_| Ok(())).await
    }

    /// As [`Chain::connect`], and `check` decides from the genesis hash
    /// (which chain this is) whether to go on, before anything else is
    /// asked; its refusal comes back as [`ChainError::Unwanted`].
    pub async fn connect_checked(
        url: &str,
        timeout: Duration,
        check: impl FnOnce(&[u8; 32]) -> Result<(), String>,
    ) -> Result<Chain, ChainError> {
        within("the connection", timeout, async {
            let client = ws_client(url, timeout).await?;
            let rpc = Rpc::new(client.clone());
            let genesis = rpc
                .chain_get_block_hash(Some(0u64.into()))
                .await
                .map_err(|e| ChainError::from_request("chain_getBlockHash(0)", e))?
                .ok_or_else(|| missing("chain_getBlockHash(0)", "no genesis block"))?;
            check(&genesis.0).map_err(ChainError::Unwanted)?;
            let config = SubstrateConfig::builder().set_genesis_hash(genesis).build();
            let backend = LegacyBackend::builder().build(client);
            let api = OnlineClient::from_backend_with_config(config, Arc::new(backend))
                .await
                .map_err(|e| ChainError::from_request("the runtime metadata", e))?;
            Ok(Chain {
                url: url.to_string(),
                shown: super::endpoint::redact(url),
                genesis: genesis.0,
                api,
                rpc,
                timeout,
                last_extrinsic: None,
            })
        })
        .await
    }

    /// The genesis hash: which chain this is.
    pub fn genesis(&self) -> [u8; 32] {
        self.genesis
    }

    /// `finney` or `test` when `genesis` is one of the public networks'
    /// genesis hashes, where keys anyone can derive must not be used.
    pub fn public_network(genesis: &[u8; 32]) -> Option<&'static str> {
        super::endpoint::public_network(genesis)
    }

    /// The endpoint, with any credentials in it redacted.
    pub fn endpoint(&self) -> &str {
        <Self as Node>::endpoint(self)
    }

    /// The limit of any one request.
    pub(super) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(super) async fn at(
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
            .map_err(|e| ChainError::from_request("the state at a block", e))
    }
}

impl Node for Chain {
    fn endpoint(&self) -> &str {
        &self.shown
    }

    async fn head(&mut self) -> Result<Head, ChainError> {
        within("chain_getHeader", self.timeout, async {
            let header = self
                .rpc
                .chain_get_header(None)
                .await
                .map_err(|e| ChainError::from_request("chain_getHeader", e))?
                .ok_or_else(|| missing("chain_getHeader", "no best header"))?;
            let hash = self
                .rpc
                .chain_get_block_hash(Some(header.number.into()))
                .await
                .map_err(|e| ChainError::from_request("chain_getBlockHash", e))?
                .ok_or_else(|| missing("chain_getBlockHash", "no hash for the best block"))?;
            Ok(Head {
                number: header.number,
                hash: hash.0,
            })
        })
        .await
    }

    async fn block(&mut self, number: u64) -> Result<Head, ChainError> {
        within("chain_getBlockHash", self.timeout, async {
            let hash = self
                .rpc
                .chain_get_block_hash(Some(number.into()))
                .await
                .map_err(|e| ChainError::from_request("chain_getBlockHash", e))?
                .ok_or_else(|| missing("chain_getBlockHash", format!("no block {number}")))?;
            Ok(Head {
                number,
                hash: hash.0,
            })
        })
        .await
    }

    async fn runtime_facts(&mut self, head: &Head) -> Result<RuntimeFacts, ChainError> {
        within("the runtime metadata", self.timeout, async {
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

    async fn subnet_state(
        &mut self,
        head: &Head,
        netuid: u16,
        hotkey: &[u8; 32],
        coldkey: Option<&[u8; 32]>,
    ) -> Result<SubnetState, ChainError> {
        within("the subnet's storage", self.timeout, async {
            let at = self.at(head).await?;
            let storage = at.storage();
            let key = (netuid,);
            let owner = self
                .read_present(&storage, head, "Owner", (*hotkey,))
                .await?;
            // The cap on a coldkey's hotkeys bites only a hotkey without an owner.
            let (owned_hotkeys, staking_hotkeys) = match (owner, coldkey) {
                (None, Some(coldkey)) => (
                    list_len(&storage, "OwnedHotkeys", coldkey).await?,
                    list_len(&storage, "StakingHotkeys", coldkey).await?,
                ),
                _ => (None, None),
            };
            let facts = subnet_facts(&storage, netuid).await?;
            if facts.difficulty.is_none() {
                return Err(missing("Difficulty", "not in this runtime"));
            }
            Ok(SubnetState {
                // A runtime without the item: taken to exist.
                missing: !read(&storage, "NetworksAdded", key).await?.unwrap_or(true),
                uid: self
                    .read_present(&storage, head, "Uids", (netuid, *hotkey))
                    .await?,
                last_pow_block: self
                    .read_present(&storage, head, "LastPowRegistrationBlock", (*hotkey,))
                    .await?,
                subnet: facts,
                owner,
                owned_hotkeys,
                staking_hotkeys,
            })
        })
        .await
    }

    /// Signs `registration` with `signer`, submits it, and waits until it is
    /// in a block; the runtime's refusal comes back by name.
    async fn submit(
        &mut self,
        registration: &Registration,
        signer: &Keypair,
    ) -> Result<[u8; 32], SubmitError> {
        let payload = dynamic::transaction(
            Registration::PALLET,
            registration.call_name(),
            call_args(registration),
        );
        self.last_extrinsic = None;
        let head = self.head().await?;
        let at = self.at(&head).await?;
        let codes = {
            let metadata = at.metadata();
            let has_pow_register = metadata
                .pallet_by_name(Registration::PALLET)
                .and_then(|p| p.call_variant_by_name("pow_register"))
                .is_some();
            let extrinsic = metadata.extrinsic();
            PoolCodes::of(
                extrinsic
                    .transaction_extensions_to_use_for_encoding()
                    .map(|e| e.identifier()),
                has_pow_register,
            )
        };
        let pool = |message: String| SubmitError::Pool {
            meaning: codes.zip(custom_code(&message)).map(|(c, n)| c.explain(n)),
            message,
        };
        let mut txs = at.transactions();
        const SUBMIT: &str = "author_submitAndWatchExtrinsic";
        let signed = within("signing the extrinsic", self.timeout, async {
            txs.create_signed(&payload, signer, DefaultParams::default_params())
                .await
                // Nothing is sent yet: a node's answer here is no pool's.
                .map_err(|e| {
                    classify_submit("signing the extrinsic", e, |message| {
                        SubmitError::Chain(ChainError::Node {
                            what: "signing the extrinsic",
                            source: message.into(),
                        })
                    })
                })
        })
        .await?;
        // Known before it is sent: if its status is lost, the blocks tell.
        self.last_extrinsic = Some(signed.hash().0);
        let mut progress = within(SUBMIT, self.timeout, async {
            signed
                .submit_and_watch()
                .await
                .map_err(|e| classify_submit(SUBMIT, e, pool))
        })
        .await?;
        // Inclusion takes a block or two; allow several.
        let wait = self.timeout.saturating_mul(4);
        loop {
            let status = tokio::time::timeout(wait, progress.next())
                .await
                .map_err(|_| {
                    SubmitError::Unknown(ChainError::Timeout {
                        what: "the transaction status",
                        limit: wait,
                    })
                })?;
            let Some(status) = status else {
                return Err(SubmitError::Unknown(missing(
                    "the transaction status",
                    "the node ended the subscription",
                )));
            };
            // A status the node sends but subxt cannot read (chopsticks
            // sends `{"invalid":{"stale":null}}`) says nothing about the
            // outcome: the caller reads the chain.
            let status = status.map_err(|e| {
                SubmitError::Unknown(ChainError::from_request("the transaction status", e))
            })?;
            match status {
                TransactionStatus::InBestBlock(in_block)
                | TransactionStatus::InFinalizedBlock(in_block) => {
                    let events = tokio::time::timeout(self.timeout, in_block.wait_for_success())
                        .await
                        .map_err(|_| {
                            SubmitError::Unknown(ChainError::Timeout {
                                what: "the transaction events",
                                limit: self.timeout,
                            })
                        })?;
                    return match events {
                        Ok(_) => Ok(in_block.block_hash().0),
                        Err(TransactionEventsError::ExtrinsicFailed(e)) => Err(dispatch(&e)),
                        Err(e) => Err(SubmitError::Unknown(ChainError::from_request(
                            "the transaction events",
                            e,
                        ))),
                    };
                }
                TransactionStatus::Error { message }
                | TransactionStatus::Invalid { message }
                | TransactionStatus::Dropped { message } => return Err(pool(message)),
                _ => {}
            }
        }
    }

    fn last_extrinsic(&self) -> Option<[u8; 32]> {
        self.last_extrinsic
    }

    async fn extrinsic_in(
        &mut self,
        number: u64,
        hashes: &[[u8; 32]],
    ) -> Result<Option<bool>, ChainError> {
        let block = self.block(number).await?;
        within("the block's extrinsics", self.timeout, async {
            let at = self.at(&block).await?;
            let body = self
                .rpc
                .chain_get_block(Some(H256(block.hash)))
                .await
                .map_err(|e| ChainError::from_request("chain_getBlock", e))?
                .ok_or_else(|| missing("chain_getBlock", format!("no block {number}")))?;
            // Hashed as they are, undecoded: an extrinsic this client
            // cannot decode is not this run's, and must not hide it.
            let hasher = at.hasher();
            let Some(index) = body
                .block
                .extrinsics
                .iter()
                .position(|x| hashes.contains(&hasher.hash(&x.0).0))
            else {
                return Ok(None);
            };
            let events = at
                .events()
                .fetch()
                .await
                .map_err(|e| ChainError::Unreadable {
                    what: "the block's events",
                    source: Box::new(e),
                })?;
            let succeeded = events.iter().flatten().any(|e| {
                e.phase() == subxt::events::Phase::ApplyExtrinsic(index as u32)
                    && e.pallet_name() == "System"
                    && e.event_name() == "ExtrinsicSuccess"
            });
            Ok(Some(succeeded))
        })
        .await
    }

    async fn reconnect(&mut self) -> Result<(), ChainError> {
        let genesis = self.genesis;
        // The same chain, or none: a node that now serves another chain is
        // not this registration's.
        *self = Chain::connect_checked(&self.url, self.timeout, |g| {
            if *g == genesis {
                Ok(())
            } else {
                Err(
                    "after reconnecting, the node serves another chain (its genesis hash changed)"
                        .into(),
                )
            }
        })
        .await?;
        Ok(())
    }
}
