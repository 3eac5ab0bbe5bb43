//! What a registration run knows, at the bottom of the chain module: the
//! best block, one subnet's state at it, what the runtime's metadata says,
//! the plan of a run, and the extrinsic it submits. Data only: the rules
//! over it are `rules.rs` and `admission.rs`, the node that fills it
//! `client/`.

use super::difficulty::Decay;
use crate::challenge::Scheme;
use crate::target::Rule;
use crate::wallet::Signer;

/// The best block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// Its number.
    pub number: u64,
    /// Its hash.
    pub hash: [u8; 32],
}

/// One subnet's registration facts as stored, read in one place
/// (`client::subnet_facts`); `None`: the runtime has no such item. What a
/// registration needs besides (the hotkey's facts, and the subnet's read
/// with its defaults) is [`SubnetState`], made from these.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SubnetFacts {
    /// The subnet.
    pub netuid: u16,
    /// `NetworkPowRegistrationAllowed`.
    pub pow_allowed: Option<bool>,
    /// `NetworkRegistrationAllowed` (burned registration).
    pub burn_allowed: Option<bool>,
    /// `Difficulty`, as stored.
    pub difficulty: Option<u64>,
    /// `MinDifficulty`.
    pub min_difficulty: Option<u64>,
    /// `MaxDifficulty`.
    pub max_difficulty: Option<u64>,
    /// `Burn`, in rao (10^-9 TAO).
    pub burn: Option<u64>,
    /// `RegistrationsThisBlock`.
    pub registrations_this_block: Option<u64>,
    /// `MaxRegistrationsPerBlock`.
    pub max_registrations_per_block: Option<u64>,
    /// `SubnetworkN`: neurons registered.
    pub neurons: Option<u64>,
    /// `MaxAllowedUids`.
    pub max_neurons: Option<u64>,
    /// `RegistrationsThisInterval`.
    pub registrations_this_interval: Option<u64>,
    /// `TargetRegistrationsPerInterval`.
    pub target_registrations_per_interval: Option<u64>,
    /// `AdjustmentInterval`, in blocks.
    pub adjustment_interval: Option<u64>,
    /// `LastAdjustmentBlock`.
    pub last_adjustment_block: Option<u64>,
    /// `BurnHalfLife` (runtimes whose difficulty decays each block).
    pub half_life: Option<u64>,
    /// `BurnIncreaseMult`: what each proof-of-work registration multiplies
    /// the difficulty by (U64F64 bits), on runtimes that raise it so.
    #[serde(skip)]
    pub increase_mult: Option<u128>,
}

impl SubnetFacts {
    /// The block at which the registration interval resets:
    /// `LastAdjustmentBlock + AdjustmentInterval` (the first block whose
    /// `on_initialize` finds `now - last >= interval`), on runtimes that
    /// keep both.
    pub fn interval_resets_at(&self) -> Option<u64> {
        Some(
            self.last_adjustment_block?
                .saturating_add(self.adjustment_interval?),
        )
    }
}

/// What a registration attempt needs to know about a subnet, at one block:
/// the subnet's [`SubnetFacts`] as read (its runtime defaults applied by the
/// methods below, in this one place), whether it exists, and the hotkey's
/// own facts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubnetState {
    /// The subnet's registration facts, as stored.
    pub subnet: SubnetFacts,
    /// The subnet does not exist (`NetworksAdded` is false).
    pub missing: bool,
    /// The hotkey's uid, if it is registered.
    pub uid: Option<u16>,
    /// v1: the hotkey's last proof-of-work registration block.
    pub last_pow_block: Option<u64>,
    /// `Owner[hotkey]`: the coldkey the hotkey belongs to, if it has one.
    pub owner: Option<[u8; 32]>,
    /// How many hotkeys the coldkey owns (`OwnedHotkeys`), read when the
    /// hotkey has no owner yet and the runtime keeps the list.
    pub owned_hotkeys: Option<u32>,
    /// How many hotkeys the coldkey stakes to (`StakingHotkeys`), as
    /// `owned_hotkeys`.
    pub staking_hotkeys: Option<u32>,
}

/// Each of these items is a u16 in every runtime.
fn narrow(v: u64) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

impl SubnetState {
    /// `Difficulty` (the chain client refuses a runtime without it).
    pub fn difficulty(&self) -> u64 {
        self.subnet.difficulty.unwrap_or_default()
    }

    /// `NetworkPowRegistrationAllowed` (false if the runtime lacks it).
    pub fn pow_allowed(&self) -> bool {
        self.subnet.pow_allowed.unwrap_or(false)
    }

    /// `RegistrationsThisBlock` (0 if the runtime lacks it).
    pub fn registrations_this_block(&self) -> u16 {
        self.subnet.registrations_this_block.map_or(0, narrow)
    }

    /// `MaxRegistrationsPerBlock` (`u16::MAX` if the runtime lacks it).
    pub fn max_registrations_per_block(&self) -> u16 {
        self.subnet
            .max_registrations_per_block
            .map_or(u16::MAX, narrow)
    }

    /// `BurnHalfLife`: the difficulty's per-block decay (runtime 475), if
    /// the runtime has it.
    pub fn half_life(&self) -> Option<u16> {
        self.subnet.half_life.map(narrow)
    }

    /// `MaxAllowedUids`, if the runtime has it.
    pub fn max_allowed_uids(&self) -> Option<u16> {
        self.subnet.max_neurons.map(narrow)
    }

    /// The difficulty and what moves it, for a runtime that decays it each
    /// block (`None` for one that does not: the legacy runtimes).
    pub fn decay(&self) -> Option<Decay> {
        Decay::of(
            self.difficulty(),
            self.subnet.min_difficulty,
            self.subnet.max_difficulty,
            self.half_life(),
        )
    }
}

/// What the runtime's metadata says about the registration calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeFacts {
    /// The runtime's spec version.
    pub spec_version: u32,
    /// `SubtensorModule.pow_register` exists.
    pub has_pow_register: bool,
    /// The number of arguments of `SubtensorModule.register`, if it exists.
    pub register_args: Option<usize>,
}

/// legacy `register` must be signed by the hotkey (the chain says
/// `TransactorAccountShouldBeHotKey` otherwise); v1 `pow_register` by the
/// coldkey bound into the proof.
pub(crate) fn required_signer(scheme: Scheme) -> Signer {
    match scheme {
        Scheme::Legacy => Signer::Hotkey,
        Scheme::V1 => Signer::Coldkey,
    }
}

/// A registration extrinsic, ready to be signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registration {
    /// `SubtensorModule.register(netuid, block_number, nonce, work, hotkey, coldkey)`
    Legacy {
        /// The subnet.
        netuid: u16,
        /// The work block.
        block_number: u64,
        /// The nonce.
        nonce: u64,
        /// The seal.
        work: [u8; 32],
        /// The hotkey registered.
        hotkey: [u8; 32],
        /// Its coldkey.
        coldkey: [u8; 32],
    },
    /// `SubtensorModule.pow_register(netuid, work_block, nonce, work, hotkey)`
    V1 {
        /// The subnet.
        netuid: u16,
        /// The work block.
        work_block: u64,
        /// The nonce.
        nonce: u64,
        /// The seal.
        work: [u8; 32],
        /// The hotkey registered.
        hotkey: [u8; 32],
    },
}

impl Registration {
    /// The pallet of both calls.
    pub const PALLET: &'static str = "SubtensorModule";

    /// The call's name in the pallet.
    pub fn call_name(&self) -> &'static str {
        match self {
            Registration::Legacy { .. } => "register",
            Registration::V1 { .. } => "pow_register",
        }
    }

    /// Who must sign it.
    pub fn signer(&self) -> Signer {
        match self {
            Registration::Legacy { .. } => required_signer(Scheme::Legacy),
            Registration::V1 { .. } => required_signer(Scheme::V1),
        }
    }
}

/// The scheme, rule and signer for one runtime and subnet.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The subnet.
    pub netuid: u16,
    /// The scheme the runtime checks (or the one forced).
    pub scheme: Scheme,
    /// The rule the runtime checks (or the one forced).
    pub rule: Rule,
    /// The key that signs.
    pub signer: Signer,
    /// The runtime's spec version.
    pub spec_version: u32,
    /// The best block when the plan was made.
    pub head: Head,
}
