//! Reading `SubtensorModule`'s storage at one block: an item the runtime
//! lacks is `None`, never a zero in its place.

use subxt::client::OnlineClientAtBlockImpl;
use subxt::config::substrate::H256;
use subxt::dynamic;
use subxt::ext::frame_decode::storage::{IntoDecodableValues, IntoEncodableValues};
use subxt::ext::scale_decode::DecodeAsType;
use subxt::SubstrateConfig;

use super::Chain;
use crate::chain::error::ChainError;
use crate::chain::model::{Head, Registration};

/// One block's storage.
pub(super) type Storage<'a> =
    subxt::storage::StorageClient<'a, SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;

/// `SubtensorModule`'s `item` at `keys` (its default when nothing is
/// stored), or `None` if the runtime has no such item: never a zero in its
/// place.
pub(in crate::chain) async fn read<K, V>(
    storage: &Storage<'_>,
    item: &'static str,
    keys: K,
) -> Result<Option<V>, ChainError>
where
    K: IntoEncodableValues + IntoDecodableValues,
    V: DecodeAsType,
{
    let Ok(entry) = storage.entry(dynamic::storage::<K, V>(Registration::PALLET, item)) else {
        return Ok(None); // not in this runtime
    };
    let value = entry
        .fetch(keys)
        .await
        .map_err(|e| ChainError::from_request(item, e))?;
    decoded(item, value.decode()).map(Some)
}

/// As [`read`], for an item without a default: `None` when nothing is
/// stored at `keys`.
pub(super) async fn read_present<K, V>(
    storage: &Storage<'_>,
    item: &'static str,
    keys: K,
) -> Result<Option<V>, ChainError>
where
    K: IntoEncodableValues + IntoDecodableValues,
    V: DecodeAsType,
{
    let Ok(entry) = storage.entry(dynamic::storage::<K, V>(Registration::PALLET, item)) else {
        return Ok(None); // not in this runtime
    };
    match entry
        .try_fetch(keys)
        .await
        .map_err(|e| ChainError::from_request(item, e))?
    {
        None => Ok(None),
        Some(value) => decoded(item, value.decode()).map(Some),
    }
}

impl Chain {
    /// `Owner[hotkey]`, if it is stored. The item has a default (the zero
    /// account) which subxt returns for a missing entry, and the runtime
    /// reads it with `try_get`: only the raw value tells.
    pub(super) async fn owner(
        &self,
        storage: &Storage<'_>,
        head: &Head,
        hotkey: &[u8; 32],
    ) -> Result<Option<[u8; 32]>, ChainError> {
        const OWNER: &str = "Owner";
        let Ok(entry) = storage.entry(dynamic::storage::<([u8; 32],), [u8; 32]>(
            Registration::PALLET,
            OWNER,
        )) else {
            return Ok(None); // not in this runtime
        };
        let key = entry
            .fetch_key((*hotkey,))
            .map_err(|e| ChainError::from_request(OWNER, e))?;
        let raw = self
            .rpc
            .state_get_storage(&key, Some(H256(head.hash)))
            .await
            .map_err(|e| ChainError::from_request(OWNER, e))?;
        match raw {
            None => Ok(None),
            // An AccountId32 is its 32 bytes.
            Some(bytes) => <[u8; 32]>::try_from(bytes.as_slice())
                .map(Some)
                .map_err(|_| ChainError::Unreadable {
                    what: OWNER,
                    source: format!("{} bytes, not an account's 32", bytes.len()).into(),
                }),
        }
    }
}

/// The length of the coldkey's list of hotkeys `item`, if the runtime
/// keeps it (its entries are not needed, only how many).
pub(super) async fn list_len(
    storage: &Storage<'_>,
    item: &'static str,
    coldkey: &[u8; 32],
) -> Result<Option<u32>, ChainError> {
    let list: Option<Vec<[u8; 32]>> = read(storage, item, (*coldkey,)).await?;
    Ok(list.map(|l| u32::try_from(l.len()).unwrap_or(u32::MAX)))
}

fn decoded<V>(
    item: &'static str,
    value: Result<V, subxt::error::StorageValueError>,
) -> Result<V, ChainError> {
    value.map_err(|e| ChainError::Unreadable {
        what: item,
        source: Box::new(e),
    })
}

/// The block at which the subnet's registration interval resets
/// (`LastAdjustmentBlock + AdjustmentInterval`), on runtimes that keep one.
pub(super) async fn interval_resets_at(
    storage: &Storage<'_>,
    key: (u16,),
) -> Result<Option<u64>, ChainError> {
    Ok(crate::chain::rules::interval_resets_at(
        read(storage, "LastAdjustmentBlock", key).await?,
        read(storage, "AdjustmentInterval", key).await?,
    ))
}
