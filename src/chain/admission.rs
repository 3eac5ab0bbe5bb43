//! The runtime's admission checks that no proof of work can pass, read
//! before the first hash: the root subnet, a subnet without neuron slots,
//! a system account, a hotkey owned by another coldkey, a coldkey at its
//! hotkey cap. Runtime 475 runs them in `check_pow_registration`, in the
//! pool and again in the block; the legacy `register` runs the first three
//! it has (root, `NonAssociatedColdKey`, `NoNeuronIdAvailable`) when the
//! extrinsic executes. A seal mined for a registration that fails one of
//! them is lost work, so the registrar refuses before solving.

use thiserror::Error;

use super::model::SubnetState;
use crate::account::ss58_encode;
use crate::challenge::Scheme;

/// Runtime 475's `MAX_STAKING_HOTKEYS`: a coldkey that holds (or stakes to)
/// this many hotkeys cannot take a new one by proof of work.
pub(super) const MAX_STAKING_HOTKEYS: u32 = 256;

/// `SubtensorPalletId` (`PalletId(*b"subtensr")`): subnet accounts are its
/// sub-accounts, `b"modl" ++ b"subtensr" ++ le16(netuid) ++ zeros`.
const SUBTENSOR_PALLET_ID: &[u8; 8] = b"subtensr";

/// A registration the runtime refuses whatever the proof of work; each
/// names the runtime's own error.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Inadmissible {
    /// `RegistrationNotPermittedOnRootSubnet`.
    #[error("subnet 0 is the root subnet, which takes no registration (RegistrationNotPermittedOnRootSubnet); register on another subnet")]
    RootSubnet,
    /// `MaxAllowedUids` is 0: `NoNeuronIdAvailable`.
    #[error("subnet {netuid} has no neuron slots: its MaxAllowedUids is 0 (NoNeuronIdAvailable), until its owner changes that; register on another subnet")]
    NoNeuronSlots {
        /// The subnet.
        netuid: u16,
    },
    /// The hotkey is a subnet's own account: `CannotUseSystemAccount`.
    #[error("hotkey {} is subnet {netuid}'s system account, which cannot be registered (CannotUseSystemAccount); use a hotkey of your own", ss58_encode(.hotkey))]
    SystemAccount {
        /// The hotkey.
        hotkey: [u8; 32],
        /// The subnet whose account it is.
        netuid: u16,
    },
    /// `Owner[hotkey]` is another coldkey: `NonAssociatedColdKey`.
    #[error("hotkey {} belongs to coldkey {}, not to this wallet's coldkey {} (NonAssociatedColdKey); register it with the wallet that owns it, or use another hotkey", ss58_encode(.hotkey), ss58_encode(.owner), ss58_encode(.coldkey))]
    NotOwner {
        /// The hotkey.
        hotkey: [u8; 32],
        /// Its owner on chain.
        owner: [u8; 32],
        /// The coldkey that would register it.
        coldkey: [u8; 32],
    },
    /// Runtime 475: a new hotkey for a coldkey at `MAX_STAKING_HOTKEYS`:
    /// `TooManyStakingHotkeys`.
    #[error("coldkey {} has {count} hotkeys in its {list}, and the runtime lets a coldkey with {MAX_STAKING_HOTKEYS} or more take no new hotkey (TooManyStakingHotkeys); register a hotkey it owns already, or use another coldkey", ss58_encode(.coldkey))]
    TooManyHotkeys {
        /// The coldkey.
        coldkey: [u8; 32],
        /// The list at the cap: `OwnedHotkeys` or `StakingHotkeys`.
        list: &'static str,
        /// Its length.
        count: u32,
    },
}

impl Inadmissible {
    /// The runtime's name for the refusal.
    pub fn runtime_name(&self) -> &'static str {
        match self {
            Inadmissible::RootSubnet => "RegistrationNotPermittedOnRootSubnet",
            Inadmissible::NoNeuronSlots { .. } => "NoNeuronIdAvailable",
            Inadmissible::SystemAccount { .. } => "CannotUseSystemAccount",
            Inadmissible::NotOwner { .. } => "NonAssociatedColdKey",
            Inadmissible::TooManyHotkeys { .. } => "TooManyStakingHotkeys",
        }
    }
}

/// The subnet whose system account `account` is, if it is one (the
/// runtime's `is_subnet_account_id`).
pub(super) fn subnet_account(account: &[u8; 32]) -> Option<u16> {
    let is = account[..4] == *b"modl"
        && account[4..12] == *SUBTENSOR_PALLET_ID
        && account[14..].iter().all(|&b| b == 0);
    is.then(|| u16::from_le_bytes([account[12], account[13]]))
}

/// Runtime 475's `check_pow_registration` (and the legacy `register`'s
/// equivalents), for the checks no proof of work can pass, in the
/// runtime's order. Existence, the subnet's switch and the hotkey's uid
/// are the registrar's (a uid ends the run as registered); the per-block
/// limit and the window are cured by a later block, so it waits for them.
pub(super) fn check(
    scheme: Scheme,
    netuid: u16,
    hotkey: &[u8; 32],
    coldkey: &[u8; 32],
    state: &SubnetState,
) -> Result<(), Inadmissible> {
    if netuid == 0 {
        return Err(Inadmissible::RootSubnet);
    }
    let no_slots =
        (state.max_allowed_uids() == Some(0)).then_some(Inadmissible::NoNeuronSlots { netuid });
    // Runtime 475 counts the slots before the work; the legacy `register`
    // only after the hotkey's owner.
    if let (Scheme::V1, Some(e)) = (scheme, &no_slots) {
        return Err(e.clone());
    }
    if scheme == Scheme::V1 {
        if let Some(netuid) = subnet_account(hotkey) {
            return Err(Inadmissible::SystemAccount {
                hotkey: *hotkey,
                netuid,
            });
        }
    }
    if let Some(owner) = state.owner.filter(|owner| owner != coldkey) {
        return Err(Inadmissible::NotOwner {
            hotkey: *hotkey,
            owner,
            coldkey: *coldkey,
        });
    }
    if let Some(e) = no_slots {
        return Err(e);
    }
    // An associated hotkey grows neither list.
    if state.owner.is_some() {
        return Ok(());
    }
    if scheme == Scheme::V1 {
        for (list, count) in [
            ("OwnedHotkeys", state.owned_hotkeys),
            ("StakingHotkeys", state.staking_hotkeys),
        ] {
            if let Some(count) = count.filter(|&n| n >= MAX_STAKING_HOTKEYS) {
                return Err(Inadmissible::TooManyHotkeys {
                    coldkey: *coldkey,
                    list,
                    count,
                });
            }
        }
    }
    Ok(())
}

/// v1: the first block whose work the runtime takes from this hotkey
/// (`work_block > LastPowRegistrationBlock`), when the head's is not one.
pub(super) fn first_work_block(scheme: Scheme, head: u64, last_pow: Option<u64>) -> Option<u64> {
    match (scheme, last_pow) {
        (Scheme::V1, Some(last)) if last >= head => Some(last.saturating_add(1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::model::SubnetFacts;

    const HOT: [u8; 32] = [1; 32];
    const COLD: [u8; 32] = [2; 32];

    fn open() -> SubnetState {
        SubnetState {
            subnet: SubnetFacts {
                pow_allowed: Some(true),
                max_neurons: Some(256),
                ..SubnetFacts::default()
            },
            ..SubnetState::default()
        }
    }

    /// `s` with `MaxAllowedUids` `slots`.
    fn with_slots(slots: u64, s: SubnetState) -> SubnetState {
        let mut s = s;
        s.subnet.max_neurons = Some(slots);
        s
    }

    fn system_account(netuid: u16) -> [u8; 32] {
        let mut a = [0u8; 32];
        a[..4].copy_from_slice(b"modl");
        a[4..12].copy_from_slice(SUBTENSOR_PALLET_ID);
        a[12..14].copy_from_slice(&netuid.to_le_bytes());
        a
    }

    #[test]
    fn an_open_subnet_and_a_free_or_own_hotkey_pass() {
        for scheme in [Scheme::Legacy, Scheme::V1] {
            assert_eq!(check(scheme, 1, &HOT, &COLD, &open()), Ok(()));
            let own = SubnetState {
                owner: Some(COLD),
                // An associated hotkey grows neither list: the cap does not bite.
                owned_hotkeys: Some(MAX_STAKING_HOTKEYS),
                ..open()
            };
            assert_eq!(check(scheme, 1, &HOT, &COLD, &own), Ok(()));
        }
    }

    #[test]
    fn each_refusal_by_the_runtimes_name_in_its_order() {
        let name = |scheme, netuid, hotkey: &[u8; 32], s: &SubnetState| {
            check(scheme, netuid, hotkey, &COLD, s)
                .err()
                .map(|e| e.runtime_name())
        };
        let all_wrong = with_slots(
            0,
            SubnetState {
                owner: Some([9; 32]),
                owned_hotkeys: Some(MAX_STAKING_HOTKEYS),
                ..open()
            },
        );
        let v1 = Scheme::V1;
        assert_eq!(
            name(v1, 0, &HOT, &all_wrong),
            Some("RegistrationNotPermittedOnRootSubnet")
        );
        assert_eq!(name(v1, 3, &HOT, &all_wrong), Some("NoNeuronIdAvailable"));
        let slots = with_slots(1, all_wrong.clone());
        assert_eq!(
            name(v1, 3, &system_account(3), &slots),
            Some("CannotUseSystemAccount")
        );
        assert_eq!(name(v1, 3, &HOT, &slots), Some("NonAssociatedColdKey"));
        let unowned = SubnetState {
            owner: None,
            ..slots.clone()
        };
        assert_eq!(name(v1, 3, &HOT, &unowned), Some("TooManyStakingHotkeys"));
        let staking = SubnetState {
            owned_hotkeys: Some(MAX_STAKING_HOTKEYS - 1),
            staking_hotkeys: Some(MAX_STAKING_HOTKEYS),
            ..unowned.clone()
        };
        assert_eq!(name(v1, 3, &HOT, &staking), Some("TooManyStakingHotkeys"));
        let below = SubnetState {
            staking_hotkeys: Some(MAX_STAKING_HOTKEYS - 1),
            ..staking
        };
        assert_eq!(name(v1, 3, &HOT, &below), None);
        // The legacy `register` has no system-account check and no cap.
        let legacy = Scheme::Legacy;
        assert_eq!(
            name(legacy, 0, &HOT, &open()),
            Some("RegistrationNotPermittedOnRootSubnet")
        );
        assert_eq!(name(legacy, 3, &system_account(3), &unowned), None);
        assert_eq!(name(legacy, 3, &HOT, &slots), Some("NonAssociatedColdKey"));
        // The legacy `register` looks at the owner before the slots.
        assert_eq!(
            name(legacy, 3, &HOT, &all_wrong),
            Some("NonAssociatedColdKey")
        );
        assert_eq!(name(legacy, 3, &HOT, &unowned), None);
        let no_slots_unowned = SubnetState {
            owner: None,
            ..all_wrong.clone()
        };
        assert_eq!(
            name(legacy, 3, &HOT, &no_slots_unowned),
            Some("NoNeuronIdAvailable")
        );
    }

    #[test]
    fn subnet_accounts_are_the_pallets_sub_accounts_only() {
        assert_eq!(subnet_account(&system_account(0)), Some(0));
        assert_eq!(subnet_account(&system_account(513)), Some(513));
        let mut trailing = system_account(5);
        trailing[31] = 1;
        assert_eq!(subnet_account(&trailing), None);
        let mut other_pallet = system_account(5);
        other_pallet[4] = b'x';
        assert_eq!(subnet_account(&other_pallet), None);
        assert_eq!(subnet_account(&HOT), None);
    }

    #[test]
    fn the_first_work_block_after_the_last_pow_registration() {
        assert_eq!(first_work_block(Scheme::V1, 100, None), None);
        assert_eq!(first_work_block(Scheme::V1, 100, Some(99)), None);
        assert_eq!(first_work_block(Scheme::V1, 100, Some(100)), Some(101));
        assert_eq!(first_work_block(Scheme::V1, 100, Some(120)), Some(121));
        assert_eq!(
            first_work_block(Scheme::V1, 100, Some(u64::MAX)),
            Some(u64::MAX)
        );
        assert_eq!(first_work_block(Scheme::Legacy, 100, Some(120)), None);
    }
}
