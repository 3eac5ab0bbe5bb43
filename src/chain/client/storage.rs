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
use crate::chain::model::{Head, Registration, SubnetFacts};

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

impl Chain {
    /// As [`read`], for an item whose presence matters: `None` when nothing
    /// is stored at `keys` (the runtime's `try_get`). subxt's `try_fetch`
    /// gives an item's default for a missing key (`Owner`'s is the zero
    /// account), so for an item with one the raw value is asked first.
    pub(super) async fn read_present<K, V>(
        &self,
        storage: &Storage<'_>,
        head: &Head,
        item: &'static str,
        keys: K,
    ) -> Result<Option<V>, ChainError>
    where
        K: IntoEncodableValues + IntoDecodableValues + Clone,
        V: DecodeAsType,
    {
        let Ok(entry) = storage.entry(dynamic::storage::<K, V>(Registration::PALLET, item)) else {
            return Ok(None); // not in this runtime
        };
        let failed = |e| ChainError::from_request(item, e);
        if entry.default_value().is_some() {
            let key = entry.fetch_key(keys.clone()).map_err(failed)?;
            let raw = self
                .rpc
                .state_get_storage(&key, Some(H256(head.hash)))
                .await
                .map_err(|e| ChainError::from_request(item, e))?;
            if raw.is_none() {
                return Ok(None);
            }
        }
        match entry.try_fetch(keys).await.map_err(failed)? {
            None => Ok(None),
            Some(value) => decoded(item, value.decode()).map(Some),
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

/// A fixed-point number as stored (`U64F64`, `FixedU128`): its bits.
#[derive(subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct FixedBits {
    bits: u128,
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

/// Subnet `netuid`'s registration facts: the one place each is read.
pub(in crate::chain) async fn subnet_facts(
    storage: &Storage<'_>,
    netuid: u16,
) -> Result<SubnetFacts, ChainError> {
    let key = (netuid,);
    Ok(SubnetFacts {
        netuid,
        pow_allowed: read(storage, "NetworkPowRegistrationAllowed", key).await?,
        burn_allowed: read(storage, "NetworkRegistrationAllowed", key).await?,
        difficulty: read(storage, "Difficulty", key).await?,
        min_difficulty: read(storage, "MinDifficulty", key).await?,
        max_difficulty: read(storage, "MaxDifficulty", key).await?,
        burn: read(storage, "Burn", key).await?,
        registrations_this_block: read(storage, "RegistrationsThisBlock", key).await?,
        max_registrations_per_block: read(storage, "MaxRegistrationsPerBlock", key).await?,
        neurons: read(storage, "SubnetworkN", key).await?,
        max_neurons: read(storage, "MaxAllowedUids", key).await?,
        registrations_this_interval: read(storage, "RegistrationsThisInterval", key).await?,
        target_registrations_per_interval: read(storage, "TargetRegistrationsPerInterval", key)
            .await?,
        adjustment_interval: read(storage, "AdjustmentInterval", key).await?,
        last_adjustment_block: read(storage, "LastAdjustmentBlock", key).await?,
        half_life: read(storage, "BurnHalfLife", key).await?,
        // Only the order of several registrations needs it: a value of
        // another shape is taken as unknown, never as a failed read.
        increase_mult: match read::<_, FixedBits>(storage, "BurnIncreaseMult", key).await {
            Ok(value) => value.map(|f| f.bits),
            Err(ChainError::Unreadable { .. }) => None,
            Err(e) => return Err(e),
        },
    })
}
