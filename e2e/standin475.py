"""standin475: a MODEL of Bittensor's mainnet runtime 475 (node-subtensor/475/1)
behind a websocket JSON-RPC node on 127.0.0.1. It is not the runtime and not
a node: no runtime wasm of 475 can be obtained here, so its state transition
is re-implemented in Python from the runtime's source. Used by the end-to-end
tests of btpow's v1 (pow_register) path, and validated by the reference
client, bittensor 11.3.0 (e2e/standin_sdk_register.py).

Run it with the pinned v1 environment's Python (bittensor 11.3.0 +
bittensor-core 0.1.5 + websockets; `bash vectors/setup` creates it):

    vectors/.venv/v1/bin/python e2e/standin475.py --port 9944 --log xts.hex \\
        --account 5F...coldkey \\
        --subnet 1 --pow-allowed --difficulty 20000 --min-difficulty 1 \\
        --max-difficulty 1000000000 --half-life 360

The first line on stdout says it is a model; then
`standin475: listening on ws://127.0.0.1:PORT ...` (with `--port 0` a free
port is chosen and named there). Then one line per submission (its verdict),
per block, and per RPC method the first time a client calls it
(`standin475: first call of chain_getHeader`, state_call as
`state_call:Api_method`): that is how the method lists below were found.
Redirect stdout to a file (or read it, or pass --quiet): a full pipe would
stall the node.

Beside it: e2e/standin_scale.py (SCALE, hashers, the metadata-driven codec),
e2e/standin_admin.py (one JSON-RPC call from a shell), e2e/standin_selftest.py
(the model's own checks, with extrinsics built by the SDK's codec) and
e2e/standin_sdk_register.py (the SDK registering against it).

Options
  --port P              127.0.0.1 only; 0 picks a free port
  --log FILE            every submitted extrinsic, as 0x-hex, one per line,
                        appended before it is judged (refused ones included)
  --verdict-log FILE    one JSON line per submission: hash, head, verdict, the
                        RPC error a client got, the model's own reason (the
                        pool does not tell clients why; this file does) and,
                        when it decoded, the parts: signer, nonce, tip, era,
                        metadata_hash_mode, call and extra (0x-hex, as on the
                        wire), call_decoded
  --quiet               only the first two stdout lines
  --metadata PATH       default ../shared/chain/runtime475-metadata.scale
  --block-mode M        instant (default): a block is built as soon as an
                        extrinsic is accepted into the pool; manual: only on
                        standin_newBlocks (and the timer)
  --block-time S        also build a block every S seconds
  --initial-blocks N    blocks built at start (default 1; the head is then #1)
  --account SS58[=RAO]  an existing account (providers 1) with that free
                        balance (default 1 TAO); repeatable. Runtime 475's
                        CheckNonce refuses signers without an account
                        (Invalid Payment), as the real chain does.
  --metadata-hash HEX   the RFC-0078 metadata digest a CheckMetadataHash
                        `Enabled` signature must carry; without it such
                        extrinsics are refused as not modelled (the digest
                        needs V15 metadata, which is not available for 475:
                        bittensor_core.metadata_digest refuses V14)
  --storage JSON        storage items set at genesis (same forms as
                        standin_setStorage; JSON text or @FILE)
  --subnet NETUID       adds a subnet (NetworksAdded; root, 0, always
                        exists); the options below apply to the latest
                        --subnet, storage defaults (the metadata's) otherwise:
      --pow-allowed / --pow-disallowed   NetworkPowRegistrationAllowed
      --difficulty D --min-difficulty D --max-difficulty D
      --half-life N          BurnHalfLife (u16)
      --increase-mult X      BurnIncreaseMult as a decimal (U64F64, floor)
      --increase-mult-bits B BurnIncreaseMult's raw u128 bits
      --max-regs-per-block N MaxRegistrationsPerBlock
      --max-allowed-uids N   MaxAllowedUids
      --burn R / --min-burn R / --max-burn R

Admin RPCs (the tests' only; a real node has none of them)
  standin_newBlocks([n=1])        build n blocks (the first takes the ready
                                  pool); returns {"number", "hash"} of the head
  standin_setStorage([items])     write into the head's state, in place (as
                                  chopsticks' dev_setStorage). An item is
                                  {"pallet","item","params":[..],"value":v}
                                  (value null removes it; accounts as ss58 or
                                  0x-hex, byte arrays as 0x-hex, FixedU128 as
                                  {"bits": n}) or a raw ["0xkey","0xvalue"|null]
  standin_getStorage([pallet, item, params, at?])  decoded value (or null)
  standin_setBlockMode(["instant"|"manual"])
  standin_loseNextStatus([])      the next watched submission gets one status
                                  no client can read ({"invalid":{"stale":null}},
                                  as chopsticks sends) and no other, and is
                                  built into a block all the same
  standin_info([])                model statement, head, finalized, pool

What is real and what is modelled
  Real (byte for byte): the metadata (state_getMetadata, the file mainnet
  serves for 475); the runtime version (the metadata's System.Version:
  node-subtensor/node-subtensor, spec 475, impl 1, authoring 1, tx 1, its api
  list); finney's genesis hash for block 0; SCALE encodings of every storage
  value, event, call and extrinsic, from the metadata's own types
  (e2e/standin_scale.py, cross-checked against the SDK's codec); storage keys
  (twox128 prefixes and the metadata's map hashers, cross-checked against the
  SDK's); block hashes (blake2-256 of the SCALE header); the signed payload of
  the 13 extensions (call, extra, implicit: spec and tx version, genesis =
  BlockHash[0], the era's birth-block hash, the metadata-hash option; hashed
  with blake2-256 when longer than 256 bytes) and its sr25519/ed25519 check
  (bittensor_core, i.e. sp-core; its `<Bytes>` wrapping fallback excluded);
  the seal (the SDK's registration_seal is the judge, and the runtime's own
  formula is recomputed beside it); the pool's RPC errors (1010 "Invalid
  Transaction" with "Custom error: N", 1012, 1013, 1014, ...) and the
  CustomTransactionError codes of RaoFoundation/subtensor's
  common/src/transaction_error.rs: of check_pow_registration's errors only
  SubnetNotExists (3) and NonAssociatedColdKey (25) have their own code;
  every other one (InvalidWorkBlock, InvalidSeal, InvalidDifficulty,
  TooManyRegistrationsThisBlock, SubNetRegistrationDisabled,
  HotKeyAlreadyRegisteredInSubNet, ...) is BadRequest (255).
  Modelled from the runtime's source (coldint/subtensor, a fork tracking
  mainline; pallets/subtensor/src/subnets/registration.rs,
  extensions/subtensor.rs, coinbase/block_step.rs): check_pow_registration in
  its order; the pool validating at head+1 after frame_system::initialize only
  (no on_initialize: Difficulty is the head's, not yet decayed, and
  RegistrationsThisBlock is the head's); each block's on_initialize decaying
  Difficulty (and Burn) by decay_factor_q32(BurnHalfLife) with mul_by_q32,
  clamped into [max(1, MinDifficulty), max(that, MaxDifficulty)], skipped at
  block 1, and resetting RegistrationsThisBlock; do_pow_register (Owner,
  OwnedHotkeys, StakingHotkeys, Uids, Keys, SubnetworkN, BlockAtRegistration,
  IsNetworkMember, the difficulty bump by BurnIncreaseMult,
  LastPowRegistrationBlock, RegistrationsThisBlock, NeuronRegistered); the
  frame extensions (CheckNonZeroSender, CheckMortality, CheckNonce with its
  "no account: Payment" rule, the tip against the free balance); the pool's
  tags ((signer, nonce) and ("pow-registration", hotkey, work_block)), bans
  (30 min for refused and included extrinsics), priority = tip.
  Not real: state and extrinsics roots are blake2-256 digests of the sorted
  state / the extrinsic list, not trie roots; the genesis header (finney's
  genesis state root is unknown; block 0's hash is finney's, not the hash of
  the header served); the Aura seal is not a signature; weights in events are
  placeholders and fees are not modelled (every modelled call pays 0, as
  pow_register does); finality is instant (finalized = best); one fork only; only
  the calls pow_register, System.remark and Timestamp.set (the inherent)
  are modelled, any other call is refused with a JSON-RPC error -32099 that
  says so; a full subnet prunes its oldest registration (immunity, owner
  protection and emissions are not modelled); CheckColdkeySwap, CheckWeight
  and the block length limit are not modelled; metadata V15 is not served
  (Metadata_metadata_versions answers [14]) because only 475's V14 bytes
  exist here.

RPC methods: the legacy substrate set (chain_getBlockHash/getHead/getHeader/
getBlock/getFinalizedHead, the new/all/finalized head subscriptions,
state_getRuntimeVersion/getMetadata/getStorage(At)/getStorageHash/
getStorageSize/queryStorageAt/getKeys/getKeysPaged/call, the runtime-version
and storage subscriptions, author_submitExtrinsic/submitAndWatchExtrinsic/
unwatchExtrinsic/pendingExtrinsics, system_accountNextIndex = account_nextIndex,
system_chain/name/version/properties/health/..., rpc_methods) and state_call
for Metadata_metadata_versions/_metadata_at_version/_metadata, Core_version,
AccountNonceApi_account_nonce, TransactionPaymentApi_query_info/
_query_fee_details. Any other method is answered -32601 and named on stdout
as `standin475: unknown RPC method X` (a state_call of another runtime API:
-32099, `unknown runtime API X`). Seen in registrations:
  subxt's legacy backend (btpow-bench solve, and --wait): chain_getBlockHash,
  chain_getHeader, state_call Core_version, Metadata_metadata_versions,
  Metadata_metadata_at_version(14), AccountNonceApi_account_nonce,
  state_getStorage, author_submitAndWatchExtrinsic, chain_getBlock,
  author_unwatchExtrinsic.
  bittensor 11.3.0 (Client.mine_pow_registration + execute, and btcli
  subnets register --pow): state_getRuntimeVersion, chain_getBlockHash,
  state_call Metadata_metadata_at_version(15) (answered None) then
  state_getMetadata, chain_getHead, chain_getHeader, chain_getFinalizedHead,
  state_getStorageAt, state_getKeysPaged, account_nextIndex, state_call
  TransactionPaymentApi_query_info, author_submitAndWatchExtrinsic,
  chain_getBlock, author_unwatchExtrinsic; it waits for `finalized`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import secrets
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bittensor_core as core  # noqa: E402
from bittensor._transport.codec import RuntimeCodec  # noqa: E402
from bittensor.pow_registration import (  # noqa: E402
    effective_difficulty as sdk_effective_difficulty,
    registration_prefix as sdk_registration_prefix,
    registration_seal as sdk_registration_seal,
)
from eth_utils import keccak  # noqa: E402
from websockets.asyncio.server import serve  # noqa: E402

from standin_scale import (  # noqa: E402
    Reader,
    TypeCodec,
    blake2_256,
    compact,
    map_hasher,
    twox128,
)

MODEL_LINE = (
    "standin475: a MODEL of Bittensor runtime 475 (node-subtensor/475/1), not the runtime "
    "and not a node. Real: metadata bytes, runtime version, finney's genesis hash, SCALE "
    "encodings, storage keys, block hashes, signature checks, the SDK's seal. Modelled from "
    "the runtime's source: check_pow_registration, the pool, difficulty decay and bump, "
    "do_pow_register. Not real: trie roots, the genesis header, the Aura seal, weights."
)

FINNEY_GENESIS = bytes.fromhex("2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03")
HASH69 = bytes([69]) * 32  # frame_system's genesis placeholder for BlockHash[0]
EMPTY_TRIE_ROOT = blake2_256(b"\x00")  # the real root of an empty trie
DEFAULT_METADATA = HERE.parent.parent / "shared" / "chain" / "runtime475-metadata.scale"

POW_MAX_WORK_AGE_BLOCKS = 5  # registration.rs
MAX_STAKING_HOTKEYS = 256  # = MAX_ROOT_CLAIM_WORK
BAN_SECONDS = 30 * 60  # substrate's pool bans for 30 minutes
SUBTENSOR_PALLET_ID = bytes.fromhex("73756274656e7372")  # metadata constant "subtensr"
MODL = b"modl"
ONE_Q32 = 1 << 32
U64_MAX = (1 << 64) - 1
U128_MAX = (1 << 128) - 1

# Placeholder weights (real ones come from the runtime's benchmarks).
WEIGHT_TIMESTAMP = {"ref_time": 9_000_000, "proof_size": 1_493}
WEIGHT_POW_REGISTER = {"ref_time": 180_000_000, "proof_size": 9_000}
WEIGHT_REMARK = {"ref_time": 1_000_000, "proof_size": 0}

# `From<CustomTransactionError> for u8` in common/src/transaction_error.rs of
# RaoFoundation/subtensor (475's source lineage; coldint's extension maps to
# exactly these variants, and bittensor 11.3.0's error_map.py names the same
# numbers). opentensor/subtensor numbers differently (NonAssociatedColdKey 27,
# HotKeyAlreadyRegisteredInSubNet 33, InvalidWorkBlock 38, InvalidDifficulty 39,
# InvalidSeal 40): on 475 those PoW errors are all BadRequest (255).
CUSTOM_CODES = {
    "ColdkeyInSwapSchedule": 0, "StakeAmountTooLow": 1, "BalanceTooLow": 2,
    "SubnetNotExists": 3, "HotkeyAccountDoesntExist": 4, "NotEnoughStakeToWithdraw": 5,
    "RateLimitExceeded": 6, "InsufficientLiquidity": 7, "SlippageTooHigh": 8,
    "TransferDisallowed": 9, "HotKeyNotRegisteredInNetwork": 10, "InvalidIpAddress": 11,
    "ServingRateLimitExceeded": 12, "InvalidPort": 13, "BadRequest": 255, "ZeroMaxAmount": 14,
    "InvalidRevealRound": 15, "CommitNotFound": 16, "CommitBlockNotInRevealRange": 17,
    "InputLengthsUnequal": 18, "UidNotFound": 19, "EvmKeyAssociateRateLimitExceeded": 20,
    "ColdkeySwapDisputed": 21, "InvalidRealAccount": 22, "FailedShieldedTxParsing": 23,
    "InvalidShieldedTxPubKeyHash": 24, "NonAssociatedColdKey": 25, "DelegateTakeTooLow": 26,
    "DelegateTakeTooHigh": 27,
}

# extensions/subtensor.rs, `From<Error<T>> for CustomTransactionError`: the
# pallet errors check_pow_registration can return, mapped; all others
# BadRequest.
POOL_ERROR_MAP = {
    "SubnetNotExists": "SubnetNotExists",
    "NonAssociatedColdKey": "NonAssociatedColdKey",
    "NotEnoughBalanceToStake": "BalanceTooLow",
}

# sp_runtime::transaction_validity: `From<InvalidTransaction> for &'static str`.
INVALID_MESSAGES = {
    "Call": "Transaction call is not expected",
    "Payment": "Inability to pay some fees (e.g. account balance too low)",
    "Future": "Transaction will be valid in the future",
    "Stale": "Transaction is outdated",
    "BadProof": "Transaction has a bad signature",
    "AncientBirthBlock": "Transaction has an ancient birth block",
    "ExhaustsResources": "Transaction would exhaust the block limits",
    "BadMandatory": "A call was labelled as mandatory, but resulted in an Error.",
    "MandatoryValidation": "Transaction dispatch is mandatory; transactions must not be validated.",
    "BadSigner": "Invalid signing address",
}

# --- q32 fixed point, as registration.rs / the runtime's helpers --------------


def mul_by_q32(value: int, factor_q32: int) -> int:
    product = min(value * factor_q32, U128_MAX)  # u128 saturating_mul
    return min(product >> 32, U64_MAX)


def pow_q32(base_q32: int, exp: int) -> int:
    result, factor, power = ONE_Q32, base_q32, exp
    while power > 0:
        if power & 1:
            result = mul_by_q32(result, factor)
        power >>= 1
        if power > 0:
            factor = mul_by_q32(factor, factor)
    return result


_DECAY_CACHE: dict[int, int] = {}


def decay_factor_q32(half_life: int) -> int:
    if half_life == 0:
        return ONE_Q32
    if half_life not in _DECAY_CACHE:
        lo, hi, half = 0, ONE_Q32, 1 << 31
        while lo + 1 < hi:
            mid = lo + ((hi - lo) >> 1)
            if pow_q32(mid, half_life) > half:
                hi = mid
            else:
                lo = mid
        _DECAY_CACHE[half_life] = lo
    return _DECAY_CACHE[half_life]


def decayed_registration_price(value: int, lo: int, hi: int, factor: Optional[int]) -> int:
    v = value if factor is None else mul_by_q32(value, factor)
    return min(max(v, lo), hi)


def bumped_registration_price(value: int, lo: int, hi: int, mult_bits: int) -> int:
    # U64F64::saturating_from_num(value).saturating_mul(mult).saturating_to_num::<u64>()
    bits = min(value * mult_bits, U128_MAX)  # (value << 64) * mult >> 64, saturating
    v = min(bits >> 64, U64_MAX)
    return min(max(v, lo), hi)


def hash_meets_difficulty(work: bytes, difficulty: int) -> bool:
    """registration.rs: U256 little-endian hash times difficulty must not overflow."""
    return int.from_bytes(work, "little") * difficulty < 1 << 256


# --- errors ---------------------------------------------------------------------


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def obj(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


class Refused(Exception):
    """A transaction-validity refusal, with what a client sees and why."""

    def __init__(self, kind: str, variant: str, reason: str, custom: Optional[int] = None):
        super().__init__(reason)
        self.kind, self.variant, self.reason, self.custom = kind, variant, reason, custom

    def verdict(self) -> str:
        if self.kind == "Invalid" and self.custom is not None:
            return f"Invalid(Custom({self.custom}))"
        return f"{self.kind}({self.variant})"

    def rpc(self) -> RpcError:
        if self.kind == "Invalid":
            if self.custom is not None:
                return RpcError(1010, "Invalid Transaction", f"Custom error: {self.custom}")
            return RpcError(1010, "Invalid Transaction", INVALID_MESSAGES[self.variant])
        if self.kind == "Unknown":
            return RpcError(1011, "Unknown Transaction Validity", self.variant)
        if self.kind == "BadFormat":  # the runtime API cannot decode its argument
            msg = f"Verification Error: Runtime error: Execution failed: Runtime panicked: Bad input data provided to validate_transaction: {self.reason}"
            return RpcError(1002, msg, f'RuntimeApi("{msg[len("Verification Error: "):]}")')
        if self.kind == "NotModelled":
            return RpcError(-32099, f"standin475: not modelled: {self.reason}")
        raise AssertionError(self.kind)


def invalid(variant: str, reason: str) -> Refused:
    return Refused("Invalid", variant, reason)


def custom(pallet_error: str, reason: str) -> Refused:
    name = POOL_ERROR_MAP.get(pallet_error, "BadRequest")
    return Refused("Invalid", "Custom", f"{pallet_error}: {reason}", CUSTOM_CODES[name])


# --- metadata, types, storage ------------------------------------------------------


def _tid(type_string: str) -> int:
    return int(type_string.split("::")[1])


class Meta:
    """Runtime 475's metadata, read by the SDK's codec (bittensor_core) and by
    standin_scale's own TypeCodec; the two are compared where they overlap."""

    def __init__(self, path: Path):
        self.bytes = path.read_bytes()
        if self.bytes[:4] != b"meta":
            raise SystemExit(f"{path}: not a metadata blob")
        probe = RuntimeCodec(self.bytes, spec_version=0, transaction_version=0)
        v = probe.constant("System", "Version")
        self.version = v
        self.spec_version = v["spec_version"]
        self.tx_version = v["transaction_version"]
        self.sdk = RuntimeCodec(
            self.bytes, spec_version=self.spec_version, transaction_version=self.tx_version,
            spec_name=v["spec_name"],
        )
        self.tc = TypeCodec(self.sdk.registry_types())
        self.ir = self.sdk.metadata_ir()
        self.pallet_index = {p.name: p.index for p in self.ir.pallets}
        self.errors = {p.name: {e.name: e.index for e in p.errors} for p in self.ir.pallets}
        self.slot_ms = int(self.sdk.constant("Aura", "SlotDuration"))
        self.block_hash_count = int(self.sdk.constant("System", "BlockHashCount"))
        self.extensions = self.sdk.signed_extension_identifiers()
        paths = {tuple(t.get("path") or ()): i for i, t in self.tc.types.items()}
        self.call_type = paths[("node_subtensor_runtime", "RuntimeCall")]
        self.event_type = paths[("node_subtensor_runtime", "RuntimeEvent")]
        self.phase_type = paths[("frame_system", "Phase")]
        self.dispatch_error_type = paths[("sp_runtime", "DispatchError")]
        self.event_record_type = paths[("frame_system", "EventRecord")]
        self.digest_item_type = paths[("sp_runtime", "generic", "digest", "DigestItem")]
        self._entries: dict = {}

    # runtime version, as state_getRuntimeVersion's JSON and Core_version's SCALE
    def runtime_version_json(self) -> dict:
        v = self.version
        return {
            "specName": v["spec_name"], "implName": v["impl_name"],
            "authoringVersion": v["authoring_version"], "specVersion": v["spec_version"],
            "implVersion": v["impl_version"], "apis": [[a, n] for a, n in v["apis"]],
            "transactionVersion": v["transaction_version"], "stateVersion": v["system_version"],
        }

    def runtime_version_scale(self) -> bytes:
        v = self.version

        def s(x: str) -> bytes:
            return compact(len(x.encode())) + x.encode()

        out = s(v["spec_name"]) + s(v["impl_name"])
        for k in ("authoring_version", "spec_version", "impl_version"):
            out += v[k].to_bytes(4, "little")
        out += compact(len(v["apis"]))
        for api, n in v["apis"]:
            out += bytes.fromhex(api[2:]) + n.to_bytes(4, "little")
        out += v["transaction_version"].to_bytes(4, "little") + bytes([v["system_version"]])
        return out

    # storage
    def entry(self, pallet: str, item: str) -> dict:
        key = (pallet, item)
        if key not in self._entries:
            e = self.sdk.storage_entry(pallet, item)
            self._entries[key] = {
                "prefix": twox128(e.prefix.encode()) + twox128(item.encode()),
                "value": _tid(e.value_type),
                "params": [_tid(t) for t in e.param_types],
                "hashers": list(e.param_hashers),
                "optional": e.modifier == "Optional",
                "default": bytes(e.default_bytes),
                "sdk": e,
            }
        return self._entries[key]

    def key(self, pallet: str, item: str, *params) -> bytes:
        e = self.entry(pallet, item)
        if len(params) > len(e["params"]):
            raise ValueError(f"{pallet}.{item} takes {len(e['params'])} keys")
        out = e["prefix"]
        for t, h, p in zip(e["params"], e["hashers"], params):
            out += map_hasher(h, self.tc.encode(t, p))
        return out

    # events
    def event(self, pallet: str, name: str, fields) -> bytes:
        """One RuntimeEvent, SCALE-encoded from the metadata's types."""
        return self.tc.encode(self.event_type, {pallet: {name: fields}})

    def module_error(self, pallet: str, name: str) -> dict:
        return {"Module": {"index": self.pallet_index[pallet],
                           "error": bytes([self.errors[pallet][name], 0, 0, 0])}}


QUIET = False


def say(line: str) -> None:
    """One line on stdout, unless --quiet (the first two lines always print)."""
    if not QUIET:
        print(line, flush=True)


def ss58(account: bytes) -> str:
    return core.ss58_encode(bytes(account), 42)


def to_account(value) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    elif isinstance(value, str) and value.startswith("0x"):
        raw = bytes.fromhex(value[2:])
    elif isinstance(value, str):
        raw = bytes(core.ss58_decode(value))
    else:
        raise ValueError(f"not an account: {value!r}")
    if len(raw) != 32:
        raise ValueError(f"an account is 32 bytes, got {len(raw)}")
    return raw


class State:
    """One block's storage: raw keys to raw values, read and written through
    the metadata's types."""

    def __init__(self, meta: Meta, kv: Optional[dict] = None):
        self.meta = meta
        self.kv: dict[bytes, bytes] = dict(kv or {})

    def copy(self) -> "State":
        return State(self.meta, self.kv)

    def get(self, pallet: str, item: str, *params):
        e = self.meta.entry(pallet, item)
        raw = self.kv.get(self.meta.key(pallet, item, *params))
        if raw is None:
            if e["optional"]:
                return None
            raw = e["default"]
        return self.meta.tc.decode(e["value"], raw)

    def contains(self, pallet: str, item: str, *params) -> bool:
        return self.meta.key(pallet, item, *params) in self.kv

    def put(self, pallet: str, item: str, params: list, value) -> None:
        key = self.meta.key(pallet, item, *params)
        if value is None:
            self.kv.pop(key, None)
        else:
            self.kv[key] = self.meta.tc.encode(self.meta.entry(pallet, item)["value"], value)

    def iter_keys(self, pallet: str, item: str):
        """(hashed-key suffix, value) of every stored entry of a map."""
        prefix = self.meta.entry(pallet, item)["prefix"]
        for k, v in self.kv.items():
            if k.startswith(prefix):
                yield k[len(prefix):], v

    def root(self) -> bytes:
        # NOT a trie root: a digest of the sorted key/value pairs.
        h = bytearray()
        for k in sorted(self.kv):
            v = self.kv[k]
            h += compact(len(k)) + k + compact(len(v)) + v
        return blake2_256(bytes(h))


# --- extrinsics ---------------------------------------------------------------------------


@dataclass
class Extrinsic:
    raw: bytes
    hash: bytes
    signed: bool
    call: bytes
    who: Optional[bytes] = None
    address_kind: int = 0
    sig_kind: int = 1
    signature: bytes = b""
    era: Optional[tuple] = None  # None immortal, else (period, phase)
    nonce: int = 0
    tip: int = 0
    mode: int = 0
    extra: bytes = b""
    decoded_call: Any = None  # standin_scale's decode: {"Pallet": {"call": args}}
    sdk: Any = None  # the SDK codec's decode


def decode_era(r: Reader):
    first = r.byte()
    if first == 0:
        return None
    encoded = first | (r.byte() << 8)
    period = 2 << (encoded % 16)
    quantize = max(period >> 12, 1)
    phase = (encoded >> 4) * quantize
    if period < 4 or phase >= period:
        raise ValueError("invalid era")
    return (period, phase)


def encode_era(era) -> bytes:
    if era is None:
        return b"\x00"
    period, phase = era
    quantize = max(period >> 12, 1)
    trailing = (period & -period).bit_length() - 1
    encoded = min(max(trailing - 1, 1), 15) | ((phase // quantize) << 4)
    return encoded.to_bytes(2, "little")


def era_birth(era, current: int) -> int:
    if era is None:
        return 0
    period, phase = era
    return (max(current, phase) - phase) // period * period + phase


def era_death(era, current: int) -> int:
    if era is None:
        return U64_MAX
    return era_birth(era, current) + era[0]


def parse_extrinsic(meta: Meta, raw: bytes) -> Extrinsic:
    """Decode with standin_scale, then with the SDK's codec, and compare."""
    try:
        r = Reader(raw)
        length = r.compact()
        if length != len(raw) - r.pos:
            raise ValueError(f"length prefix {length}, body {len(raw) - r.pos}")
        version = r.byte()
        if version & 0x7F != 4:
            raise ValueError(f"extrinsic version {version & 0x7f} (475 takes 4)")
        xt = Extrinsic(raw=raw, hash=blake2_256(raw), signed=bool(version & 0x80), call=b"")
        if xt.signed:
            xt.address_kind = r.byte()
            if xt.address_kind == 0:
                xt.who = r.take(32)
            elif xt.address_kind == 1:
                r.compact()
            elif xt.address_kind == 2:
                r.take(r.compact())
            elif xt.address_kind == 3:
                r.take(32)
            elif xt.address_kind == 4:
                r.take(20)
            else:
                raise ValueError("bad MultiAddress")
            xt.sig_kind = r.byte()
            if xt.sig_kind not in (0, 1, 2):
                raise ValueError("bad MultiSignature")
            xt.signature = r.take(65 if xt.sig_kind == 2 else 64)
            start = r.pos
            xt.era = decode_era(r)
            xt.nonce = r.compact()
            xt.tip = r.compact()
            xt.mode = r.byte()
            if xt.mode > 1:
                raise ValueError("bad CheckMetadataHash mode")
            xt.extra = raw[start:r.pos]
            if xt.extra != encode_era(xt.era) + compact(xt.nonce) + compact(xt.tip) + bytes([xt.mode]):
                raise ValueError("non-canonical extension encoding")
        xt.call = r.rest()
        xt.decoded_call = meta.tc.decode(meta.call_type, xt.call)
    except (ValueError, KeyError, IndexError) as e:
        raise Refused("BadFormat", "BadFormat", f"cannot decode: {e}")
    try:
        xt.sdk = meta.sdk.decode_extrinsic(raw, strict=True)
    except Exception as e:  # the SDK disagrees with standin_scale: say so loudly
        raise RpcError(-32603, f"standin475: the SDK's codec cannot decode what standin_scale decoded: {e}")
    _cross_check(xt)
    return xt


def _cross_check(xt: Extrinsic) -> None:
    s = xt.sdk
    problems = []
    if xt.signed and xt.address_kind == 0:
        if s.get("address") != ss58(xt.who):
            problems.append("address")
        if s.get("nonce") != xt.nonce or s.get("tip") != xt.tip:
            problems.append("nonce/tip")
        era = s.get("era")
        mine = "00" if xt.era is None else tuple(xt.era)
        if (xt.era is None and era not in ("00", None, "Immortal")) or (xt.era is not None and tuple(era) != mine):
            problems.append(f"era {era} vs {mine}")
    call = s.get("call") or {}
    ((pallet, inner),) = xt.decoded_call.items()
    name = inner if isinstance(inner, str) else next(iter(inner))
    if call.get("call_module") != pallet or call.get("call_function") != name:
        problems.append(f"call {call.get('call_module')}.{call.get('call_function')} vs {pallet}.{name}")
    if problems:
        raise RpcError(-32603, f"standin475: the SDK's codec and standin_scale disagree: {problems}")


# --- blocks --------------------------------------------------------------------------------------


@dataclass
class Block:
    number: int
    hash: bytes
    parent: bytes
    state_root: bytes
    extrinsics_root: bytes
    logs: list
    extrinsics: list
    state: State

    def header_scale(self) -> bytes:
        return (self.parent + compact(self.number) + self.state_root + self.extrinsics_root
                + compact(len(self.logs)) + b"".join(self.logs))

    def header_json(self) -> dict:
        return {
            "parentHash": "0x" + self.parent.hex(),
            "number": hex(self.number),
            "stateRoot": "0x" + self.state_root.hex(),
            "extrinsicsRoot": "0x" + self.extrinsics_root.hex(),
            "digest": {"logs": ["0x" + log.hex() for log in self.logs]},
        }


@dataclass
class PoolTx:
    xt: Extrinsic
    provides: list
    requires: list
    priority: int
    ready: bool
    watchers: list = field(default_factory=list)  # (Conn, subscription id)
    pow: Optional[dict] = None


class Node:
    def __init__(self, args):
        self.meta = Meta(Path(args.metadata))
        self.args = args
        self.block_mode = args.block_mode
        self.lose_next_status = False
        self.log_path = args.log
        self.verdict_path = args.verdict_log
        self.metadata_hash = bytes.fromhex(args.metadata_hash.removeprefix("0x")) if args.metadata_hash else None
        self.chain: list[Block] = []
        self.by_hash: dict[bytes, Block] = {}
        self.pool: list[PoolTx] = []
        self.banned: dict[bytes, float] = {}
        self.conns: set = set()
        self.t0_ms = (int(time.time() * 1000) // self.meta.slot_ms) * self.meta.slot_ms
        self._self_check()
        self._genesis(args)
        for _ in range(args.initial_blocks):
            self.build_block([])

    # -- consistency between standin_scale and the SDK's codec --------------------------
    def _self_check(self) -> None:
        m = self.meta
        probe = bytes(range(32))
        for pallet, item, params, sdk_params in (
            ("System", "Number", [], []),
            ("System", "Account", [probe], [ss58(probe)]),
            ("System", "BlockHash", [7], [7]),
            ("SubtensorModule", "Uids", [1, probe], [1, ss58(probe)]),
            ("SubtensorModule", "LastPowRegistrationBlock", [probe], [ss58(probe)]),
            ("SubtensorModule", "Difficulty", [3], [3]),
        ):
            mine = m.key(pallet, item, *params)
            theirs = m.sdk.storage_key(m.entry(pallet, item)["sdk"], sdk_params)
            if mine != theirs:
                raise SystemExit(f"standin475: storage key of {pallet}.{item} differs from the SDK's")
        if m.key("System", "Number").hex() != "26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac":
            raise SystemExit("standin475: twox128 is wrong")
        ev = m.tc.encode(m.event_type, {"SubtensorModule": {"NeuronRegistered": [1, 3, probe]}})
        rec = (compact(1) + m.tc.encode(m.phase_type, {"ApplyExtrinsic": 1}) + ev + compact(0))
        d = m.sdk.decode(f"scale_info::{m.entry('System', 'Events')['value']}", rec)
        if d[0]["event_id"] != "NeuronRegistered" or tuple(d[0]["attributes"]) != (1, 3, ss58(probe)):
            raise SystemExit(f"standin475: event encoding differs from the SDK's decoding: {d}")
        if m.extensions != [
            "CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis",
            "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment",
            "SudoTransactionExtension", "CheckShieldedTxValidity",
            "SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash",
        ]:
            raise SystemExit(f"standin475: unexpected extensions {m.extensions}")

    # -- genesis --------------------------------------------------------------------------
    def _genesis(self, args) -> None:
        st = State(self.meta)
        st.put("System", "BlockHash", [0], HASH69)
        st.put("System", "ParentHash", [], HASH69)
        st.put("SubtensorModule", "NetworksAdded", [0], True)  # root exists on every subtensor chain
        for spec in args.accounts:
            who, _, amount = spec.partition("=")
            self._create_account(st, to_account(who), int(amount) if amount else 10**9)
        for sn in args.subnets:
            self._create_subnet(st, sn)
        if args.storage:
            text = args.storage
            if text.startswith("@"):
                text = Path(text[1:]).read_text()
            self.set_storage(st, json.loads(text))
        genesis = Block(0, FINNEY_GENESIS, bytes(32), st.root(), EMPTY_TRIE_ROOT, [], [], st)
        self.chain.append(genesis)
        self.by_hash[genesis.hash] = genesis

    def _create_account(self, st: State, who: bytes, free: int) -> None:
        st.put("System", "Account", [who], {
            "nonce": 0, "consumers": 0, "providers": 1, "sufficients": 0,
            "data": {"free": free, "reserved": 0, "frozen": 0, "flags": 1 << 127},
        })

    def _create_subnet(self, st: State, sn: dict) -> None:
        n = sn["netuid"]
        st.put("SubtensorModule", "NetworksAdded", [n], True)
        items = {
            "pow_allowed": "NetworkPowRegistrationAllowed", "difficulty": "Difficulty",
            "min_difficulty": "MinDifficulty", "max_difficulty": "MaxDifficulty",
            "half_life": "BurnHalfLife", "max_regs": "MaxRegistrationsPerBlock",
            "max_uids": "MaxAllowedUids", "burn": "Burn", "min_burn": "MinBurn", "max_burn": "MaxBurn",
        }
        for k, item in items.items():
            if k in sn:
                st.put("SubtensorModule", item, [n], sn[k])
        if "mult_bits" in sn:
            st.put("SubtensorModule", "BurnIncreaseMult", [n], {"bits": sn["mult_bits"]})

    # -- admin storage writes -------------------------------------------------------------
    def set_storage(self, st: State, items: list) -> None:
        for item in items:
            if isinstance(item, list):
                k, v = item
                key = bytes.fromhex(k.removeprefix("0x"))
                if v is None:
                    st.kv.pop(key, None)
                else:
                    st.kv[key] = bytes.fromhex(v.removeprefix("0x"))
                continue
            pallet, name = item["pallet"], item["item"]
            e = self.meta.entry(pallet, name)
            params = [self._coerce(t, p) for t, p in zip(e["params"], item.get("params") or [])]
            value = item.get("value")
            st.put(pallet, name, params, None if value is None else self._coerce(e["value"], value))

    def _coerce(self, type_id: int, value):
        """JSON to standin_scale values: 0x-hex/ss58 strings where bytes go."""
        tc = self.meta.tc
        d = tc.definition(type_id)
        kind, body = next(iter(d.items()))
        if kind in ("array", "sequence") and tc._is_u8(body["type"]) and isinstance(value, str):
            if value.startswith("0x"):
                return bytes.fromhex(value[2:])
            return to_account(value)
        if kind in ("array", "sequence") and isinstance(value, list):
            return [self._coerce(body["type"], v) for v in value]
        if kind == "tuple":
            return [self._coerce(t, v) for t, v in zip(body, value)]
        if kind == "composite":
            fields = body["fields"]
            if len(fields) == 1 and not fields[0].get("name"):
                return self._coerce(fields[0]["type"], value)
            if isinstance(value, dict):
                return {f["name"]: self._coerce(f["type"], value[f["name"]]) for f in fields}
            return [self._coerce(f["type"], v) for f, v in zip(fields, value)]
        if kind == "variant" and isinstance(value, dict):
            ((name, inner),) = value.items()
            _, fields = tc.variant_index(type_id, name)
            if len(fields) == 1 and not fields[0].get("name"):
                return {name: self._coerce(fields[0]["type"], inner)}
            if isinstance(inner, dict):
                return {name: {f["name"]: self._coerce(f["type"], inner[f["name"]]) for f in fields}}
            return {name: [self._coerce(f["type"], v) for f, v in zip(fields, inner)]}
        return value

    # -- chain access ---------------------------------------------------------------------
    @property
    def head(self) -> Block:
        return self.chain[-1]

    def block_at(self, at) -> Block:
        if at is None:
            return self.head
        h = bytes.fromhex(str(at).removeprefix("0x"))
        b = self.by_hash.get(h)
        if b is None:
            raise RpcError(4003, f"Client error: UnknownBlock: Header was not found in the database: 0x{h.hex()}")
        return b

    # -- frame_system::initialize and the runtime's on_initialize ------------------------------
    def system_initialize(self, st: State, number: int, parent_hash: bytes, digest: list) -> None:
        st.put("System", "Number", [], number)
        st.put("System", "ParentHash", [], parent_hash)
        st.put("System", "BlockHash", [number - 1], parent_hash)
        st.put("System", "Digest", [], {"logs": digest})
        st.put("System", "Events", [], None)
        st.put("System", "EventCount", [], None)

    def on_initialize(self, st: State, number: int) -> None:
        """block_step, step 1: update_registration_prices_for_networks."""
        for suffix, raw in list(st.iter_keys("SubtensorModule", "NetworksAdded")):
            netuid = int.from_bytes(suffix, "little")  # Identity hasher over NetUid (u16)
            burn = st.get("SubtensorModule", "Burn", netuid)
            min_burn = st.get("SubtensorModule", "MinBurn", netuid)
            max_burn = st.get("SubtensorModule", "MaxBurn", netuid)
            half_life = st.get("SubtensorModule", "BurnHalfLife", netuid)
            factor = decay_factor_q32(half_life) if half_life > 0 and number > 1 else None
            new_burn = decayed_registration_price(burn, min_burn, max_burn, factor)
            if netuid != 0:
                d = st.get("SubtensorModule", "Difficulty", netuid)
                lo, hi = self.pow_bounds(st, netuid)
                nd = decayed_registration_price(d, lo, hi, factor)
                if nd != d:
                    st.put("SubtensorModule", "Difficulty", [netuid], nd)
            if new_burn != burn:
                st.put("SubtensorModule", "Burn", [netuid], new_burn)
            st.put("SubtensorModule", "RegistrationsThisBlock", [netuid], 0)

    @staticmethod
    def pow_bounds(st: State, netuid: int) -> tuple[int, int]:
        lo = max(st.get("SubtensorModule", "MinDifficulty", netuid), 1)
        return lo, max(st.get("SubtensorModule", "MaxDifficulty", netuid), lo)

    def effective_pow_difficulty(self, st: State, netuid: int) -> int:
        lo, hi = self.pow_bounds(st, netuid)
        mine = min(max(st.get("SubtensorModule", "Difficulty", netuid), lo), hi)
        sdk = sdk_effective_difficulty(
            st.get("SubtensorModule", "Difficulty", netuid),
            st.get("SubtensorModule", "MinDifficulty", netuid),
            st.get("SubtensorModule", "MaxDifficulty", netuid),
        )
        if sdk != mine:
            print(f"standin475: NOTE the SDK's effective_difficulty {sdk} differs from the runtime's {mine}", flush=True)
        return mine

    # -- check_pow_registration, in registration.rs' order --------------------------------
    def check_pow_registration(self, st: State, now: int, coldkey: bytes, netuid: int,
                               work_block: int, nonce: int, work: bytes, hotkey: bytes) -> Optional[tuple]:
        """None, or (pallet error name, the model's explanation)."""
        S = "SubtensorModule"
        if netuid == 0:
            return ("RegistrationNotPermittedOnRootSubnet", "netuid 0")
        if not st.get(S, "NetworksAdded", netuid):
            return ("SubnetNotExists", f"subnet {netuid} does not exist")
        if not st.get(S, "NetworkPowRegistrationAllowed", netuid):
            return ("SubNetRegistrationDisabled", f"NetworkPowRegistrationAllowed[{netuid}] is false")
        if st.contains(S, "Uids", netuid, hotkey):
            return ("HotKeyAlreadyRegisteredInSubNet", f"{ss58(hotkey)} already has uid {st.get(S, 'Uids', netuid, hotkey)}")
        if st.get(S, "MaxAllowedUids", netuid) == 0:
            return ("NoNeuronIdAvailable", "MaxAllowedUids is 0")
        regs, limit = st.get(S, "RegistrationsThisBlock", netuid), st.get(S, "MaxRegistrationsPerBlock", netuid)
        if regs >= limit:
            return ("TooManyRegistrationsThisBlock", f"RegistrationsThisBlock {regs} >= MaxRegistrationsPerBlock {limit}")
        if not (work_block < now and now - work_block <= POW_MAX_WORK_AGE_BLOCKS):
            return ("InvalidWorkBlock", f"work_block {work_block} at block {now}: needs work_block < now and now - work_block <= {POW_MAX_WORK_AGE_BLOCKS}")
        last = st.get(S, "LastPowRegistrationBlock", hotkey)
        if last is not None and not work_block > last:
            return ("InvalidWorkBlock", f"work_block {work_block} <= LastPowRegistrationBlock {last}")
        block_hash = st.get("System", "BlockHash", work_block)
        if block_hash == bytes(32):
            return ("InvalidWorkBlock", f"no hash for block {work_block}")
        # The seal: the SDK's registration_seal is the judge; the runtime's
        # create_registration_seal is recomputed beside it.
        prefix = sdk_registration_prefix(netuid, "0x" + block_hash.hex(), ss58(hotkey), ss58(coldkey))
        expected = sdk_registration_seal(prefix, nonce)
        runtime_formula = keccak(hashlib.sha256(
            b"subtensor-pow-register-v1" + netuid.to_bytes(2, "little") + block_hash + hotkey + coldkey
            + nonce.to_bytes(8, "little")).digest())
        if runtime_formula != expected:
            raise RpcError(-32603, "standin475: the SDK's seal and the runtime's formula disagree")
        if work != expected:
            return ("InvalidSeal", f"work {work.hex()} is not the seal of (netuid {netuid}, block {work_block} {block_hash.hex()}, hotkey, signer {ss58(coldkey)}, nonce {nonce})")
        d = self.effective_pow_difficulty(st, netuid)
        if not hash_meets_difficulty(work, d):
            return ("InvalidDifficulty", f"seal does not meet difficulty {d} (stored {st.get(S, 'Difficulty', netuid)})")
        if hotkey[:4] == MODL and hotkey[4:12] == SUBTENSOR_PALLET_ID and not any(hotkey[14:]):
            return ("CannotUseSystemAccount", "the hotkey is a subnet account")
        owner_known = st.contains(S, "Owner", hotkey)
        if owner_known and st.get(S, "Owner", hotkey) != coldkey:
            return ("NonAssociatedColdKey", f"Owner[hotkey] is {ss58(st.get(S, 'Owner', hotkey))}")
        if not owner_known:
            if (len(st.get(S, "OwnedHotkeys", coldkey)) >= MAX_STAKING_HOTKEYS
                    or len(st.get(S, "StakingHotkeys", coldkey)) >= MAX_STAKING_HOTKEYS):
                return ("TooManyStakingHotkeys", "the coldkey holds MAX_STAKING_HOTKEYS hotkeys")
        return None

    # -- transaction validity (the pool's view, and again in a block) -------------------------
    def validate(self, xt: Extrinsic, st: State, now: int) -> PoolTx:
        """Everything the runtime checks before dispatch. `st` is the state the
        check runs on (System initialized for block `now`). Raises Refused."""
        if not xt.signed:
            call = xt.decoded_call
            if "Timestamp" in call:
                raise invalid("MandatoryValidation", "an inherent submitted to the pool")
            raise Refused("Unknown", "NoUnsignedValidator", "unsigned extrinsic of a call with no unsigned validator")
        if xt.address_kind != 0:
            raise Refused("Unknown", "CannotLookup", "only MultiAddress::Id resolves (AccountIdLookup)")
        # implicit data of the 13 extensions; an error here comes before the signature
        birth = era_birth(xt.era, now)
        if not st.contains("System", "BlockHash", birth):
            raise invalid("AncientBirthBlock", f"era {xt.era}: birth block {birth} has no BlockHash at block {now}")
        era_hash = st.get("System", "BlockHash", birth)
        if xt.mode == 1:
            if self.metadata_hash is None:
                raise Refused("NotModelled", "", "CheckMetadataHash Enabled: runtime 475's RFC-0078 digest is not known here (it needs V15 metadata); start with --metadata-hash")
            md = b"\x01" + self.metadata_hash
        else:
            md = b"\x00"
        genesis = st.get("System", "BlockHash", 0)
        additional = (self.meta.spec_version.to_bytes(4, "little") + self.meta.tx_version.to_bytes(4, "little")
                      + genesis + era_hash + md)
        payload = xt.call + xt.extra + additional
        # the SDK's codec builds the same parts from the decoded values
        if xt.mode == 0:
            parts = self.meta.sdk.signature_payload_parts(
                xt.call, era="00" if xt.era is None else {"period": xt.era[0], "phase": xt.era[1]},
                nonce=xt.nonce, tip=xt.tip, tip_asset_id=None, genesis_hash="0x" + genesis.hex(),
                era_block_hash="0x" + era_hash.hex())
            if parts[1] != xt.extra or parts[2] != additional:
                raise RpcError(-32603, "standin475: the SDK's signing payload differs from the model's")
        signed_bytes = blake2_256(payload) if len(payload) > 256 else payload
        if xt.sig_kind == 2:
            raise Refused("NotModelled", "", "ecdsa signatures are not modelled")
        crypto = core.CRYPTO_SR25519 if xt.sig_kind == 1 else core.CRYPTO_ED25519
        addr = ss58(xt.who)
        ok = core.verify(signed_bytes, xt.signature, addr, crypto)
        if ok and core.verify(b"<Bytes>" + signed_bytes + b"</Bytes>", xt.signature, addr, crypto):
            ok = False  # valid only over the <Bytes>-wrapped message: sp-core would refuse
        if not ok:
            raise invalid("BadProof", "the signature does not verify over the payload of the 13 extensions")
        # validate(), extension by extension
        if xt.who == bytes(32):
            raise invalid("BadSigner", "zero sender")
        longevity = era_death(xt.era, now) - now
        account = st.get("System", "Account", xt.who)
        if account["providers"] == 0 and account["sufficients"] == 0:
            raise invalid("Payment", f"{addr} has no account (no providers): CheckNonce refuses it")
        if xt.nonce < account["nonce"]:
            raise invalid("Stale", f"nonce {xt.nonce} < account nonce {account['nonce']}")
        requires = [] if xt.nonce == account["nonce"] else [xt.who + (xt.nonce - 1).to_bytes(4, "little")]
        provides = [xt.who + xt.nonce.to_bytes(4, "little")]
        ((pallet, inner),) = xt.decoded_call.items()
        name = inner if isinstance(inner, str) else next(iter(inner))
        args = None if isinstance(inner, str) else inner[name]
        if (pallet, name) not in (("SubtensorModule", "pow_register"), ("System", "remark"), ("System", "remark_with_event")):
            raise Refused("NotModelled", "", f"{pallet}.{name} (only pow_register and System.remark are modelled)")
        if xt.tip and account["data"]["free"] < xt.tip:
            raise invalid("Payment", f"tip {xt.tip} > free balance {account['data']['free']}")
        pow_info = None
        if (pallet, name) == ("SubtensorModule", "pow_register"):
            a = args
            err = self.check_pow_registration(st, now, xt.who, a["netuid"], a["work_block"], a["nonce"], a["work"], a["hotkey"])
            sdk_args = {x["name"]: x["value"] for x in xt.sdk["call"]["call_args"]}
            if (sdk_args["netuid"], sdk_args["work_block"], sdk_args["nonce"], sdk_args["work"], sdk_args["hotkey"]) != (
                    a["netuid"], a["work_block"], a["nonce"], "0x" + a["work"].hex(), ss58(a["hotkey"])):
                raise RpcError(-32603, "standin475: the SDK's codec and standin_scale decode pow_register differently")
            if err:
                raise custom(*err)
            longevity = min(longevity, POW_MAX_WORK_AGE_BLOCKS - (now - a["work_block"]) + 1)
            provides.append(b"pow-registration" + a["hotkey"] + a["work_block"].to_bytes(8, "little"))
            pow_info = a
        return PoolTx(xt=xt, provides=provides, requires=requires, priority=xt.tip,
                      ready=not requires, pow=pow_info)

    def pool_state(self) -> tuple[State, int]:
        """The state the pool validates on: the head, with System initialized
        for head + 1 (frame_executive::validate_transaction)."""
        st = self.head.state.copy()
        self.system_initialize(st, self.head.number + 1, self.head.hash, [])
        return st, self.head.number + 1

    # -- submission ------------------------------------------------------------------------------
    def submit(self, raw: bytes, watcher=None) -> PoolTx:
        if self.log_path:
            with open(self.log_path, "a") as f:
                f.write("0x" + raw.hex() + "\n")
        h = blake2_256(raw)
        self._parsed = None
        try:
            tx = self._admit(raw, h)
        except Refused as r:
            self._verdict(h, r.verdict(), r.rpc().obj(), r.reason)
            if r.kind in ("Invalid", "Unknown"):
                self.banned[h] = time.monotonic() + BAN_SECONDS
            raise r.rpc()
        except _Pre as e:
            self._verdict(h, e.verdict, e.error.obj(), e.error.message)
            raise e.error
        except RpcError as e:
            self._verdict(h, "rpc-error", e.obj(), e.message)
            raise
        if watcher is not None:
            tx.watchers.append(watcher)
        self._verdict(h, "ready" if tx.ready else "future", None,
                      "accepted into the pool" + (f" (pow_register netuid {tx.pow['netuid']} work_block {tx.pow['work_block']})" if tx.pow else ""))
        return tx

    def _admit(self, raw: bytes, h: bytes) -> PoolTx:
        if self.banned.get(h, 0) > time.monotonic():
            raise _Pre("banned", RpcError(1012, "Transaction is temporarily banned"))
        if any(p.xt.hash == h for p in self.pool):
            raise _Pre("already-imported", RpcError(1013, "Transaction Already Imported", f"0x{h.hex()}"))
        xt = parse_extrinsic(self.meta, raw)
        self._parsed = xt
        st, now = self.pool_state()
        tx = self.validate(xt, st, now)
        # a tag provided already: replace when the priority is higher, else refuse
        for old in list(self.pool):
            if set(old.provides) & set(tx.provides):
                if tx.priority > old.priority:
                    self._remove(old, {"usurped": "0x" + h.hex()})
                else:
                    raise _Pre("priority-too-low", RpcError(1014, f"Priority is too low: ({old.priority} vs {tx.priority})",
                                        "The transaction has too low priority to replace another transaction already in the pool."))
        if tx.requires and any(tx.requires[0] in p.provides for p in self.pool):
            tx.ready = True
        self.pool.append(tx)
        return tx

    def _remove(self, tx: PoolTx, status) -> None:
        if tx in self.pool:
            self.pool.remove(tx)
        for conn, sub in tx.watchers:
            conn.notify("author_extrinsicUpdate", sub, status)

    def _verdict(self, h: bytes, verdict: str, error, reason: str, xt: Optional[Extrinsic] = None) -> None:
        say(f"standin475: 0x{h.hex()[:16]}.. {verdict}: {reason}")
        if self.verdict_path:
            entry = {"hash": "0x" + h.hex(), "head": self.head.number, "verdict": verdict,
                     "rpc_error": error, "reason": reason}
            xt = xt or getattr(self, "_parsed", None)
            if xt is not None and xt.hash == h:
                entry["decoded"] = {
                    "signer": ss58(xt.who) if xt.who else None, "nonce": xt.nonce, "tip": xt.tip,
                    "era": list(xt.era) if xt.era else "immortal", "metadata_hash_mode": xt.mode,
                    "call": "0x" + xt.call.hex(), "extra": "0x" + xt.extra.hex(),
                    "call_decoded": _json_value(xt.decoded_call),
                }
            with open(self.verdict_path, "a") as f:
                f.write(json.dumps(entry) + "\n")

    # -- block production --------------------------------------------------------------------------
    def build_block(self, candidates: list) -> Block:
        parent = self.head
        n = parent.number + 1
        st = parent.state.copy()
        slot = (self.t0_ms + n * self.meta.slot_ms) // self.meta.slot_ms
        pre = self.meta.tc.encode(self.meta.digest_item_type, {"PreRuntime": [b"aura", slot.to_bytes(8, "little")]})
        self.system_initialize(st, n, parent.hash, [{"PreRuntime": [b"aura", slot.to_bytes(8, "little")]}])
        self.on_initialize(st, n)
        events: list[bytes] = []
        extrinsics: list[bytes] = []

        def emit(index, pallet, name, fields):
            events.append(self.meta.tc.encode(self.meta.phase_type, {"ApplyExtrinsic": index})
                          + self.meta.event(pallet, name, fields) + compact(0))

        # the timestamp inherent
        ts = self.t0_ms + n * self.meta.slot_ms
        call = self.meta.tc.encode(self.meta.call_type, {"Timestamp": {"set": {"now": ts}}})
        body = b"\x04" + call
        extrinsics.append(compact(len(body)) + body)
        st.put("Timestamp", "Now", [], ts)
        emit(0, "System", "ExtrinsicSuccess", {"dispatch_info": {"weight": WEIGHT_TIMESTAMP, "class": "Mandatory", "pays_fee": "Yes"}})
        included, dropped = [], []
        for tx in candidates:
            try:
                v = self.validate(tx.xt, st, n)
            except Refused as r:
                dropped.append((tx, r))
                continue
            if v.requires:  # its predecessor is not in yet
                continue
            idx = len(extrinsics)
            extrinsics.append(tx.xt.raw)
            acct = st.get("System", "Account", tx.xt.who)
            acct["nonce"] += 1
            acct["data"]["free"] -= tx.xt.tip
            st.put("System", "Account", [tx.xt.who], acct)
            self._dispatch(st, n, idx, tx, emit)
            included.append(tx)
        events_raw = compact(len(events)) + b"".join(events)
        st.kv[self.meta.key("System", "Events")] = events_raw
        st.put("System", "EventCount", [], len(events))
        to_remove = n - self.meta.block_hash_count - 1
        if to_remove > 0:
            st.put("System", "BlockHash", [to_remove], None)
        ext_root = blake2_256(compact(len(extrinsics)) + b"".join(extrinsics))  # not a trie root
        state_root = st.root()
        unsealed = parent.hash + compact(n) + state_root + ext_root + compact(1) + pre
        seal_sig = blake2_256(b"standin475 seal" + unsealed) + blake2_256(b"not a signature" + unsealed)
        seal = self.meta.tc.encode(self.meta.digest_item_type, {"Seal": [b"aura", seal_sig]})
        block = Block(n, b"", parent.hash, state_root, ext_root, [pre, seal], extrinsics, st)
        block.hash = blake2_256(block.header_scale())
        self.chain.append(block)
        self.by_hash[block.hash] = block
        for tx in included:
            self.banned[tx.xt.hash] = time.monotonic() + BAN_SECONDS
            if tx in self.pool:
                self.pool.remove(tx)
            for conn, sub in tx.watchers:
                conn.notify("author_extrinsicUpdate", sub, {"inBlock": "0x" + block.hash.hex()})
                conn.notify("author_extrinsicUpdate", sub, {"finalized": "0x" + block.hash.hex()})
        for tx, r in dropped:
            self._verdict(tx.xt.hash, "invalid in block " + str(n), r.rpc().obj(), r.reason, tx.xt)
            self.banned[tx.xt.hash] = time.monotonic() + BAN_SECONDS
            self._remove(tx, "invalid")
        say(f"standin475: block #{n} 0x{block.hash.hex()} ({len(extrinsics) - 1} extrinsic(s))")
        self._announce(block)
        self._revalidate()
        return block

    def _dispatch(self, st: State, n: int, idx: int, tx: PoolTx, emit) -> None:
        xt = tx.xt
        ((pallet, inner),) = xt.decoded_call.items()
        name = inner if isinstance(inner, str) else next(iter(inner))
        weight = WEIGHT_REMARK
        error = None
        if (pallet, name) == ("SubtensorModule", "pow_register"):
            weight = WEIGHT_POW_REGISTER
            error = self.do_pow_register(st, n, idx, xt.who, tx.pow, emit)
        elif name == "remark_with_event":
            emit(idx, "System", "Remarked", {"sender": xt.who, "hash": blake2_256(inner[name]["remark"])})
        emit(idx, "TransactionPayment", "TransactionFeePaid", {"who": xt.who, "actual_fee": 0, "tip": xt.tip})
        info = {"weight": weight, "class": "Normal", "pays_fee": "No" if pallet == "SubtensorModule" else "Yes"}
        if error:
            emit(idx, "System", "ExtrinsicFailed", {"dispatch_error": self.meta.module_error("SubtensorModule", error), "dispatch_info": info})
        else:
            emit(idx, "System", "ExtrinsicSuccess", {"dispatch_info": info})

    def do_pow_register(self, st: State, n: int, idx: int, coldkey: bytes, a: dict, emit) -> Optional[str]:
        S = "SubtensorModule"
        err = self.check_pow_registration(st, n, coldkey, a["netuid"], a["work_block"], a["nonce"], a["work"], a["hotkey"])
        if err:
            return err[0]
        netuid, hotkey = a["netuid"], a["hotkey"]
        # create_account_if_non_existent
        if not st.contains(S, "Owner", hotkey):
            st.put(S, "Owner", [hotkey], coldkey)
            for item in ("OwnedHotkeys", "StakingHotkeys"):
                keys = st.get(S, item, coldkey)
                if hotkey not in keys:
                    st.put(S, item, [coldkey], keys + [hotkey])
        # register_neuron
        count, cap = st.get(S, "SubnetworkN", netuid), st.get(S, "MaxAllowedUids", netuid)
        if count < cap:
            uid = count
            st.put(S, "SubnetworkN", [netuid], count + 1)
            active = st.get(S, "Active", netuid)
            st.put(S, "Active", [netuid], list(active) + [True])
        else:  # model: replace the oldest registration (immunity etc. not modelled)
            if count == 0:
                return "NoNeuronIdAvailable"
            uid = min(range(count), key=lambda u: (st.get(S, "BlockAtRegistration", netuid, u), u))
            old = st.get(S, "Keys", netuid, uid)
            st.put(S, "Uids", [netuid, old], None)
            st.put(S, "IsNetworkMember", [old, netuid], None)
        st.put(S, "Keys", [netuid, uid], hotkey)
        st.put(S, "Uids", [netuid, hotkey], uid)
        st.put(S, "BlockAtRegistration", [netuid, uid], n)
        st.put(S, "IsNetworkMember", [hotkey, netuid], True)
        # bump_pow_difficulty_after_registration
        mult = max(st.get(S, "BurnIncreaseMult", netuid)["bits"], 1 << 64)
        lo, hi = self.pow_bounds(st, netuid)
        stored = st.get(S, "Difficulty", netuid)
        nxt = bumped_registration_price(min(max(stored, lo), hi), lo, hi, mult)
        if nxt != stored:
            st.put(S, "Difficulty", [netuid], nxt)
        st.put(S, "LastPowRegistrationBlock", [hotkey], a["work_block"])
        st.put(S, "RegistrationsThisBlock", [netuid], st.get(S, "RegistrationsThisBlock", netuid) + 1)
        emit(idx, "SubtensorModule", "NeuronRegistered", [netuid, uid, hotkey])
        say(f"standin475: NeuronRegistered(netuid {netuid}, uid {uid}, {ss58(hotkey)}) in block #{n}; difficulty {stored} -> {nxt}")
        return None

    def _revalidate(self) -> None:
        st, now = self.pool_state()
        for tx in list(self.pool):
            try:
                v = self.validate(tx.xt, st, now)
            except Refused as r:
                self._verdict(tx.xt.hash, f"invalid at revalidation (head #{self.head.number})", r.rpc().obj(), r.reason, tx.xt)
                self.banned[tx.xt.hash] = time.monotonic() + BAN_SECONDS
                self._remove(tx, "invalid")
                continue
            ready = not v.requires or any(v.requires[0] in p.provides for p in self.pool if p is not tx)
            if ready and not tx.ready:
                tx.ready = True
                for conn, sub in tx.watchers:
                    conn.notify("author_extrinsicUpdate", sub, "ready")

    def ready_txs(self) -> list:
        return [t for t in self.pool if t.ready]

    def produce(self, n: int = 1) -> Block:
        block = self.head
        for i in range(n):
            block = self.build_block(self.ready_txs() if i == 0 else [])
        return block

    def maybe_instant(self) -> None:
        guard = 0
        while self.block_mode == "instant" and any(t.ready for t in self.pool) and guard < 16:
            self.build_block(self.ready_txs())
            guard += 1

    # -- subscriptions --------------------------------------------------------------------------
    def _announce(self, block: Block) -> None:
        for conn in list(self.conns):
            conn.on_block(self, block)


class _Pre(Exception):
    """A pool refusal decided before validation (ban, duplicate, priority)."""

    def __init__(self, verdict: str, error: RpcError):
        super().__init__(error.message)
        self.verdict, self.error = verdict, error


# --- JSON-RPC ---------------------------------------------------------------------------------------


class Conn:
    def __init__(self, ws):
        self.ws = ws
        self.queue: asyncio.Queue = asyncio.Queue()
        self.subs: dict[str, tuple] = {}  # id -> (kind, extra)

    def send(self, obj) -> None:
        self.queue.put_nowait(json.dumps(obj))

    def notify(self, method: str, sub: str, result) -> None:
        if sub in self.subs:
            self.send({"jsonrpc": "2.0", "method": method, "params": {"subscription": sub, "result": result}})

    def on_block(self, node: Node, block: Block) -> None:
        for sub, (kind, extra) in list(self.subs.items()):
            if kind in ("newHead", "allHead", "finalizedHead"):
                method = {"newHead": "chain_newHead", "allHead": "chain_allHead", "finalizedHead": "chain_finalizedHead"}[kind]
                self.notify(method, sub, block.header_json())
            elif kind == "storage":
                changes = [["0x" + k.hex(), _hex_or_none(block.state.kv.get(k))] for k in extra
                           if block.state.kv.get(k) != node.by_hash[block.parent].state.kv.get(k)]
                if changes:
                    self.notify("state_storage", sub, {"block": "0x" + block.hash.hex(), "changes": changes})

    async def writer(self) -> None:
        while True:
            msg = await self.queue.get()
            await self.ws.send(msg)


def _hex_or_none(b: Optional[bytes]) -> Optional[str]:
    return None if b is None else "0x" + b.hex()


def _bytes_param(p) -> bytes:
    if not isinstance(p, str) or not p.startswith("0x"):
        raise RpcError(-32602, "Invalid params", f"expected 0x-hex, got {p!r}")
    try:
        return bytes.fromhex(p[2:])
    except ValueError:
        raise RpcError(-32602, "Invalid params", "invalid hex")


def _json_value(v):
    if isinstance(v, (bytes, bytearray)):
        return "0x" + bytes(v).hex()
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    return v


class Rpc:
    def __init__(self, node: Node):
        self.node = node
        self.post: list = []
        self.seen: dict[str, int] = {}  # methods called, for standin_info and the first-call lines
        self.methods = {
            "rpc_methods": self.rpc_methods,
            "chain_getBlockHash": self.get_block_hash, "chain_getHead": self.get_block_hash,
            "chain_getHeader": self.get_header, "chain_getBlock": self.get_block,
            "chain_getFinalizedHead": self.finalized_head, "chain_getFinalisedHead": self.finalized_head,
            "chain_subscribeNewHeads": self.sub("newHead"), "chain_subscribeNewHead": self.sub("newHead"),
            "subscribe_newHead": self.sub("newHead"), "chain_subscribeAllHeads": self.sub("allHead"),
            "chain_subscribeFinalizedHeads": self.sub("finalizedHead"),
            "chain_subscribeFinalisedHeads": self.sub("finalizedHead"),
            "chain_unsubscribeNewHeads": self.unsub, "chain_unsubscribeNewHead": self.unsub,
            "unsubscribe_newHead": self.unsub, "chain_unsubscribeAllHeads": self.unsub,
            "chain_unsubscribeFinalizedHeads": self.unsub, "chain_unsubscribeFinalisedHeads": self.unsub,
            "state_getRuntimeVersion": self.runtime_version, "chain_getRuntimeVersion": self.runtime_version,
            "state_getMetadata": self.metadata,
            "state_getStorage": self.get_storage, "state_getStorageAt": self.get_storage,
            "state_getStorageHash": self.get_storage_hash, "state_getStorageSize": self.get_storage_size,
            "state_queryStorageAt": self.query_storage_at,
            "state_getKeysPaged": self.get_keys_paged, "state_getKeysPagedAt": self.get_keys_paged,
            "state_getKeys": self.get_keys,
            "state_call": self.state_call, "state_callAt": self.state_call,
            "state_subscribeRuntimeVersion": self.sub("runtimeVersion"),
            "chain_subscribeRuntimeVersion": self.sub("runtimeVersion"),
            "state_unsubscribeRuntimeVersion": self.unsub, "chain_unsubscribeRuntimeVersion": self.unsub,
            "state_subscribeStorage": self.sub("storage"), "state_unsubscribeStorage": self.unsub,
            "system_accountNextIndex": self.next_index, "account_nextIndex": self.next_index,
            "system_chain": lambda c, p: "Bittensor",
            "system_name": lambda c, p: "standin475 (a model of runtime 475, not subtensor)",
            "system_version": lambda c, p: "standin475",
            "system_chainType": lambda c, p: "Live",
            "system_properties": lambda c, p: {"ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"},
            "system_health": lambda c, p: {"peers": 0, "isSyncing": False, "shouldHavePeers": False},
            "system_peers": lambda c, p: [],
            "system_localPeerId": lambda c, p: "standin475",
            "system_syncState": lambda c, p: {"startingBlock": 0, "currentBlock": self.node.head.number, "highestBlock": self.node.head.number},
            "author_submitExtrinsic": self.submit, "author_submitAndWatchExtrinsic": self.submit_watch,
            "author_unwatchExtrinsic": self.unsub, "author_pendingExtrinsics": self.pending,
            "standin_newBlocks": self.new_blocks, "standin_setStorage": self.set_storage,
            "standin_getStorage": self.standin_get_storage, "standin_setBlockMode": self.set_block_mode,
            "standin_loseNextStatus": self.lose_next_status,
            "standin_info": self.info,
        }

    # dispatch
    def handle(self, conn: Conn, req) -> Optional[dict]:
        if not isinstance(req, dict) or "method" not in req:
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Invalid request"}}
        rid, method = req.get("id"), req["method"]
        params = req.get("params") or []
        fn = self.methods.get(method)
        label = method
        if method in ("state_call", "state_callAt") and params:
            label = f"{method}:{params[0]}"
        if label not in self.seen:
            say(f"standin475: first call of {label}")
        self.seen[label] = self.seen.get(label, 0) + 1
        try:
            if fn is None:
                print(f"standin475: unknown RPC method {method}", flush=True)
                raise RpcError(-32601, "Method not found")
            result = fn(conn, params)
            return {"jsonrpc": "2.0", "id": rid, "result": result}
        except RpcError as e:
            return {"jsonrpc": "2.0", "id": rid, "error": e.obj()}
        except _Pre as e:
            return {"jsonrpc": "2.0", "id": rid, "error": e.error.obj()}
        except Exception as e:  # a bug in the stand-in: say so
            print(f"standin475: internal error in {method}: {e!r}", flush=True)
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32603, "message": f"standin475 internal error: {e}"}}

    def run_post(self) -> None:
        post, self.post = self.post, []
        for action in post:
            action()

    # meta
    def rpc_methods(self, c, p):
        return {"methods": sorted(self.methods)}

    # chain
    def get_block_hash(self, c, p):
        arg = p[0] if p else None

        def one(n):
            if n is None:
                return "0x" + self.node.head.hash.hex()
            n = int(n, 16) if isinstance(n, str) else int(n)
            return "0x" + self.node.chain[n].hash.hex() if 0 <= n < len(self.node.chain) else None

        return [one(x) for x in arg] if isinstance(arg, list) else one(arg)

    def _block_or_none(self, at):
        if at is None:
            return self.node.head
        return self.node.by_hash.get(_bytes_param(at))

    def get_header(self, c, p):
        b = self._block_or_none(p[0] if p else None)
        return None if b is None else b.header_json()

    def get_block(self, c, p):
        b = self._block_or_none(p[0] if p else None)
        if b is None:
            return None
        return {"block": {"header": b.header_json(), "extrinsics": ["0x" + x.hex() for x in b.extrinsics]}, "justifications": None}

    def finalized_head(self, c, p):
        return "0x" + self.node.head.hash.hex()

    # subscriptions
    def sub(self, kind):
        def start(conn: Conn, p):
            sid = secrets.token_hex(8)
            extra = [_bytes_param(k) for k in ((p[0] if p else None) or [])] if kind == "storage" else None
            conn.subs[sid] = (kind, extra)
            head = self.node.head
            if kind in ("newHead", "allHead", "finalizedHead"):
                method = {"newHead": "chain_newHead", "allHead": "chain_allHead", "finalizedHead": "chain_finalizedHead"}[kind]
                self.post.append(lambda: conn.notify(method, sid, head.header_json()))
            elif kind == "runtimeVersion":
                self.post.append(lambda: conn.notify("state_runtimeVersion", sid, self.node.meta.runtime_version_json()))
            elif kind == "storage":
                changes = [["0x" + k.hex(), _hex_or_none(head.state.kv.get(k))] for k in extra]
                self.post.append(lambda: conn.notify("state_storage", sid, {"block": "0x" + head.hash.hex(), "changes": changes}))
            return sid
        return start

    def unsub(self, conn: Conn, p):
        return conn.subs.pop(str(p[0]), None) is not None if p else False

    # state
    def runtime_version(self, c, p):
        if p and p[0] is not None:
            self.node.block_at(p[0])
        return self.node.meta.runtime_version_json()

    def metadata(self, c, p):
        if p and p[0] is not None:
            self.node.block_at(p[0])
        return "0x" + self.node.meta.bytes.hex()

    def get_storage(self, c, p):
        b = self.node.block_at(p[1] if len(p) > 1 else None)
        return _hex_or_none(b.state.kv.get(_bytes_param(p[0])))

    def get_storage_hash(self, c, p):
        b = self.node.block_at(p[1] if len(p) > 1 else None)
        v = b.state.kv.get(_bytes_param(p[0]))
        return None if v is None else "0x" + blake2_256(v).hex()

    def get_storage_size(self, c, p):
        b = self.node.block_at(p[1] if len(p) > 1 else None)
        v = b.state.kv.get(_bytes_param(p[0]))
        return None if v is None else len(v)

    def query_storage_at(self, c, p):
        b = self.node.block_at(p[1] if len(p) > 1 else None)
        keys = [_bytes_param(k) for k in p[0]]
        return [{"block": "0x" + b.hash.hex(), "changes": [["0x" + k.hex(), _hex_or_none(b.state.kv.get(k))] for k in keys]}]

    def get_keys_paged(self, c, p):
        prefix = _bytes_param(p[0]) if p and p[0] else b""
        count = int(p[1]) if len(p) > 1 else 1000
        start = _bytes_param(p[2]) if len(p) > 2 and p[2] else b""
        b = self.node.block_at(p[3] if len(p) > 3 else None)
        keys = sorted(k for k in b.state.kv if k.startswith(prefix) and k > start)
        return ["0x" + k.hex() for k in keys[:count]]

    def get_keys(self, c, p):
        prefix = _bytes_param(p[0]) if p and p[0] else b""
        b = self.node.block_at(p[1] if len(p) > 1 else None)
        return ["0x" + k.hex() for k in sorted(k for k in b.state.kv if k.startswith(prefix))]

    def state_call(self, c, p):
        method = p[0]
        data = _bytes_param(p[1]) if len(p) > 1 and p[1] else b""
        b = self.node.block_at(p[2] if len(p) > 2 else None)
        meta = self.node.meta
        if method == "Metadata_metadata_versions":
            out = compact(1) + (14).to_bytes(4, "little")
        elif method == "Metadata_metadata_at_version":
            version = int.from_bytes(data[:4], "little")
            out = b"\x01" + compact(len(meta.bytes)) + meta.bytes if version == 14 else b"\x00"
        elif method == "Metadata_metadata":
            out = compact(len(meta.bytes)) + meta.bytes
        elif method == "Core_version":
            out = meta.runtime_version_scale()
        elif method == "AccountNonceApi_account_nonce":
            out = b.state.get("System", "Account", data[:32])["nonce"].to_bytes(4, "little")
        elif method in ("TransactionPaymentApi_query_info", "TransactionPaymentApi_query_fee_details"):
            r = Reader(data)
            raw = r.take(len(data) - 4)
            try:
                xt = parse_extrinsic(meta, raw)
            except Refused as e:
                raise RpcError(4003, f"Client error: Execution failed: {e.reason}")
            ((pallet, inner),) = xt.decoded_call.items()
            name = inner if isinstance(inner, str) else next(iter(inner))
            if pallet == "SubtensorModule" and name != "pow_register":
                raise RpcError(-32099, f"standin475: not modelled: the fee of {pallet}.{name}")
            weight = WEIGHT_POW_REGISTER if name == "pow_register" else WEIGHT_REMARK
            if method.endswith("query_info"):
                out = (compact(weight["ref_time"]) + compact(weight["proof_size"]) + b"\x00"
                       + (0).to_bytes(8, "little"))
            else:  # FeeDetails { inclusion_fee: None, tip: 0 }
                out = b"\x00" + (0).to_bytes(8, "little")
        else:
            print(f"standin475: unknown runtime API {method} (state_call)", flush=True)
            raise RpcError(-32099, f"standin475: not modelled: runtime API {method}")
        return "0x" + out.hex()

    # nonce and pool
    def next_index(self, c, p):
        who = to_account(p[0])
        nonce = self.node.head.state.get("System", "Account", who)["nonce"]
        tags = {tag for tx in self.node.pool for tag in tx.provides}
        while who + nonce.to_bytes(4, "little") in tags:
            nonce += 1
        return nonce

    def submit(self, c, p):
        tx = self.node.submit(_bytes_param(p[0]))
        self.post.append(self.node.maybe_instant)
        return "0x" + tx.xt.hash.hex()

    def submit_watch(self, conn: Conn, p):
        sid = secrets.token_hex(8)
        lose, self.node.lose_next_status = self.node.lose_next_status, False
        tx = self.node.submit(_bytes_param(p[0]), watcher=None if lose else (conn, sid))
        conn.subs[sid] = ("extrinsic", None)
        if lose:
            # standin_loseNextStatus: a status no client can read, as
            # chopsticks sends for a transaction it dropped, and no other;
            # the transaction itself stays in the pool and is built in.
            self.post.append(lambda: conn.notify("author_extrinsicUpdate", sid, {"invalid": {"stale": None}}))
        else:
            status = "ready" if tx.ready else "future"
            self.post.append(lambda: conn.notify("author_extrinsicUpdate", sid, status))
        self.post.append(self.node.maybe_instant)
        return sid

    def pending(self, c, p):
        return ["0x" + t.xt.raw.hex() for t in self.node.pool]

    # admin
    def new_blocks(self, c, p):
        n = int(p[0]) if p else 1
        b = self.node.produce(n)
        return {"number": b.number, "hash": "0x" + b.hash.hex()}

    def lose_next_status(self, c, p):
        self.node.lose_next_status = True
        return True

    def set_storage(self, c, p):
        items = p[0] if p and isinstance(p[0], list) else p
        self.node.set_storage(self.node.head.state, items)
        return "0x" + self.node.head.hash.hex()

    def standin_get_storage(self, c, p):
        pallet, item = p[0], p[1]
        params = p[2] if len(p) > 2 and p[2] else []
        b = self.node.block_at(p[3] if len(p) > 3 else None)
        e = self.node.meta.entry(pallet, item)
        params = [self.node._coerce(t, x) for t, x in zip(e["params"], params)]
        return _json_value(b.state.get(pallet, item, *params))

    def set_block_mode(self, c, p):
        if p[0] not in ("instant", "manual"):
            raise RpcError(-32602, "Invalid params", "instant or manual")
        self.node.block_mode = p[0]
        self.post.append(self.node.maybe_instant)
        return p[0]

    def info(self, c, p):
        n = self.node
        return {"model": MODEL_LINE, "head": {"number": n.head.number, "hash": "0x" + n.head.hash.hex()},
                "finalized": "0x" + n.head.hash.hex(), "blockMode": n.block_mode,
                "pool": [{"hash": "0x" + t.xt.hash.hex(), "ready": t.ready} for t in n.pool],
                "methods": dict(sorted(self.seen.items()))}


# --- main ---------------------------------------------------------------------------------------------


class _SubnetStart(argparse.Action):
    def __call__(self, parser, ns, value, option=None):
        ns.subnets.append({"netuid": int(value)})


def _subnet_opt(key, conv=int, const=None):
    class A(argparse.Action):
        def __call__(self, parser, ns, value, option=None):
            if not ns.subnets:
                parser.error(f"{option} must follow --subnet NETUID")
            ns.subnets[-1][key] = const if const is not None else conv(value)
    return A


def _mult_bits(text: str) -> int:
    return int(Fraction(text) * (1 << 64))


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="A model of Bittensor runtime 475 behind a JSON-RPC node (see the module docstring).")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log")
    ap.add_argument("--verdict-log")
    ap.add_argument("--metadata", default=str(DEFAULT_METADATA))
    ap.add_argument("--block-mode", choices=("instant", "manual"), default="instant")
    ap.add_argument("--block-time", type=float, default=0)
    ap.add_argument("--initial-blocks", type=int, default=1)
    ap.add_argument("--account", dest="accounts", action="append", default=[])
    ap.add_argument("--metadata-hash")
    ap.add_argument("--storage")
    ap.add_argument("--quiet", action="store_true")
    ap.set_defaults(subnets=[])
    ap.add_argument("--subnet", action=_SubnetStart)
    ap.add_argument("--pow-allowed", nargs=0, action=_subnet_opt("pow_allowed", const=True))
    ap.add_argument("--pow-disallowed", nargs=0, action=_subnet_opt("pow_allowed", const=False))
    ap.add_argument("--difficulty", action=_subnet_opt("difficulty"))
    ap.add_argument("--min-difficulty", action=_subnet_opt("min_difficulty"))
    ap.add_argument("--max-difficulty", action=_subnet_opt("max_difficulty"))
    ap.add_argument("--half-life", action=_subnet_opt("half_life"))
    ap.add_argument("--increase-mult", action=_subnet_opt("mult_bits", _mult_bits))
    ap.add_argument("--increase-mult-bits", action=_subnet_opt("mult_bits"))
    ap.add_argument("--max-regs-per-block", action=_subnet_opt("max_regs"))
    ap.add_argument("--max-allowed-uids", action=_subnet_opt("max_uids"))
    ap.add_argument("--burn", action=_subnet_opt("burn"))
    ap.add_argument("--min-burn", action=_subnet_opt("min_burn"))
    ap.add_argument("--max-burn", action=_subnet_opt("max_burn"))
    return ap.parse_args(argv)


async def amain(args) -> None:
    print(MODEL_LINE, flush=True)
    node = Node(args)
    rpc = Rpc(node)

    async def handler(ws):
        conn = Conn(ws)
        node.conns.add(conn)
        writer = asyncio.create_task(conn.writer())
        try:
            async for message in ws:
                try:
                    req = json.loads(message)
                except ValueError:
                    conn.send({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
                    continue
                if isinstance(req, list):
                    out = [rpc.handle(conn, r) for r in req]
                    conn.send(out if out else {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Invalid request"}})
                else:
                    conn.send(rpc.handle(conn, req))
                rpc.run_post()
        except Exception as e:  # a dropped connection
            if not e.__class__.__name__.startswith("ConnectionClosed"):
                print(f"standin475: connection error {e!r}", flush=True)
        finally:
            node.conns.discard(conn)
            await asyncio.sleep(0)
            writer.cancel()

    async def timer():
        while True:
            await asyncio.sleep(args.block_time)
            node.build_block(node.ready_txs())

    async with serve(handler, "127.0.0.1", args.port, max_size=16 << 20) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"standin475: listening on ws://127.0.0.1:{port} (head #{node.head.number}, genesis 0x{FINNEY_GENESIS.hex()})", flush=True)
        if args.block_time > 0:
            asyncio.create_task(timer())
        await server.serve_forever()


def main(argv=None) -> None:
    global QUIET
    args = parse_args(argv)
    QUIET = args.quiet
    try:
        asyncio.run(amain(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
