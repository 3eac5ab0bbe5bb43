"""Same bytes: btpow's pow_register extrinsic, as the runtime-475 stand-in
recorded it, against the one bittensor 11.3.0 builds for the same inputs with
its OWN extrinsic-building code (issue 20, section 2: "for the same inputs
(account nonce, era, tip, metadata-hash mode) btpow's call bytes and extension
bytes equal the SDK's").

    vectors/.venv/v1/bin/python e2e/standin_same_bytes.py \\
        --verdict-log verdicts.jsonl --endpoint ws://127.0.0.1:P \\
        [--xt-log xts.hex] [--select pow_register|N|0xHASH] [--signer-uri //Alice]

--verdict-log is the stand-in's --verdict-log file; --select picks a line: a
call name (default pow_register: the last line whose decoded call is
SubtensorModule.pow_register), a line index (0-based, negative from the end)
or an extrinsic hash. btpow's raw extrinsic (for its signature) is found by
that hash in --xt-log (the stand-in's --log file) or, without it, in the
blocks the stand-in built after the submission. --endpoint is the stand-in
(127.0.0.1 only): the SDK takes the metadata, runtime version, genesis hash
and the era's birth-block hash from it exactly as it does when it submits.

What the SDK runs. bittensor 11.3.0 submits a PowRegister intent with
Client.execute -> Executor.execute: the call is composed by
executor._compose_intent_call (PowRegister.build -> RpcSubstrate.compose ->
SubstrateConnection.compose_call -> RuntimeCodec.compose_call), then
RpcSubstrate.submit(call, keypair, period=128) calls
SubstrateConnection.create_signed_extrinsic(call, keypair, nonce=None,
era={"period": 128}). That top layer cannot be given btpow's inputs: it takes
the nonce from account_nextIndex, anchors the era at the finalized head
(phase = head % period), has no tip, and submits. So this test calls the very
next layer, the one `submit` calls:

    SubstrateConnection.create_signed_extrinsic(call, signer, nonce=N,
        era={"period": P, "current": BIRTH}, tip=T)
      -> sign_without_nonce_tracking -> _normalize_era (BlockHash[BIRTH] and
         the genesis hash read from the node)
      -> bittensor._transport.extrinsics.create_signed_extrinsic
         -> prepare_extrinsic (RuntimeCodec.signature_payload_parts:
            call, extra = included_in_extrinsic, additional = included_in_signed_data)
         -> sign_unsigned (signer.sign(payload)) -> attach_signature

with btpow's nonce, tip and era (period P, phase = BIRTH % P; BIRTH is the
era's birth block as the pool computed it at head + 1). The call goes through
_compose_intent_call with the same netuid, work_block, nonce, work and hotkey.
The metadata-hash mode follows the signer, as in the SDK: a plain keypair or
wallet (no `metadata_digest`) gives Disabled (0); for a btpow extrinsic with
mode 1 the signer carries `metadata_digest` returning --metadata-hash.

The signer handed to the SDK is btpow's own signature: it has the signer's
public key and its `sign(payload)` records the payload the SDK asks it to sign
and returns the signature btpow put in its extrinsic. So the SDK assembles,
around btpow's signature, an extrinsic of its own bytes; a spy around
extrinsics.prepare_extrinsic (the call passes through unchanged) keeps the
SDK's parts. With --signer-uri the same path runs again with the real key
(bittensor_core.Keypair, as a wallet's), whose sr25519 signature is random:
its extrinsic must equal btpow's except for those 64 bytes.

One line per comparison, `same_bytes: NAME ok|FAIL ...` (hex on failure):
  call        the SDK's call bytes == btpow's (the verdict's `call`)
  extra       the SDK's extension bytes (era, compact nonce, compact tip,
              CheckMetadataHash mode) == btpow's (the verdict's `extra`)
  additional  the SDK's additional-signed (spec 475, tx 1, genesis,
              BlockHash[birth], metadata-hash option) == what the node
              reports (state_getRuntimeVersion, chain_getBlockHash)
  payload     the payload the SDK handed to sign() == call ++ extra ++
              additional (blake2-256 when over 256 bytes)
  signature   btpow's signature verifies over the SDK's payload
              (bittensor_core.verify)
  extrinsic   the SDK's extrinsic with btpow's signature == btpow's raw
              extrinsic, byte for byte, and the same hash
  sdk-signed  (--signer-uri) the SDK signing with the real key: equal bytes
              but for the signature, which also verifies
`same_bytes: note ...` lines say where btpow's inputs differ from what the SDK
picks by default (informational). Exit 0 only when every comparison is ok.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import sys
import tempfile

import bittensor_core as core
from websockets.sync.client import connect

U32 = 4


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def h(b: bytes) -> str:
    return "0x" + b.hex()


def unhex(s: str) -> bytes:
    return bytes.fromhex(s.removeprefix("0x"))


# --- btpow's side: the verdict line and its raw extrinsic ---------------------------------------


def pick(lines: list, select: str) -> dict:
    entries = [json.loads(x) for x in lines if x.strip()]
    if not entries:
        sys.exit("standin_same_bytes: the verdict log is empty")
    if select.startswith("0x"):
        found = [e for e in entries if e.get("hash") == select.lower()]
        if not found:
            sys.exit(f"standin_same_bytes: no verdict line with hash {select}")
        return found[-1]
    try:
        return entries[int(select)]
    except ValueError:
        pass
    except IndexError:
        sys.exit(f"standin_same_bytes: no verdict line {select} ({len(entries)} lines)")
    found = []
    for e in entries:
        cd = (e.get("decoded") or {}).get("call_decoded") or {}
        for inner in cd.values():
            name = inner if isinstance(inner, str) else next(iter(inner), None)
            if name == select:
                found.append(e)
    if not found:
        sys.exit(f"standin_same_bytes: no decoded {select} in the verdict log")
    return found[-1]


class Rpc:
    def __init__(self, url: str):
        self.ws = connect(url, max_size=None, open_timeout=20)
        self.ids = 0

    def __call__(self, method: str, *params):
        self.ids += 1
        self.ws.send(json.dumps({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": list(params)}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == self.ids:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]


def find_raw(xhash: str, xt_log, rpc: Rpc, after: int):
    """btpow's raw extrinsic: by hash in the stand-in's --log, else in the blocks after `after`."""
    if xt_log:
        with open(xt_log) as f:
            for line in f:
                line = line.strip()
                if line and h(blake2_256(unhex(line))) == xhash:
                    return unhex(line), f"{xt_log}"
        return None, f"not in {xt_log}"
    head = int(rpc("chain_getHeader")["number"], 16)
    for n in range(after + 1, min(head, after + 64) + 1):
        block = rpc("chain_getBlock", rpc("chain_getBlockHash", n))
        for x in block["block"]["extrinsics"]:
            if h(blake2_256(unhex(x))) == xhash:
                return unhex(x), f"block #{n}"
    return None, f"not in blocks #{after + 1}..#{head}"


def read_compact(b: bytes, i: int):
    mode = b[i] & 3
    if mode == 0:
        return b[i] >> 2, i + 1
    if mode == 1:
        return int.from_bytes(b[i:i + 2], "little") >> 2, i + 2
    if mode == 2:
        return int.from_bytes(b[i:i + 4], "little") >> 2, i + 4
    n = (b[i] >> 2) + 4
    return int.from_bytes(b[i + 1:i + 1 + n], "little"), i + 1 + n


def split_signed(raw: bytes):
    """(public key, signature kind, signature, offset of the signature) of a v4
    signed extrinsic with a MultiAddress::Id signer."""
    _, i = read_compact(raw, 0)
    if raw[i] != 0x84 or raw[i + 1] != 0:
        raise ValueError(f"not a signed v4 extrinsic with MultiAddress::Id (0x{raw[i]:02x} 0x{raw[i + 1]:02x})")
    who = raw[i + 2:i + 34]
    kind = raw[i + 34]
    size = 65 if kind == 2 else 64
    return who, kind, raw[i + 35:i + 35 + size], i + 35


# --- the SDK's side --------------------------------------------------------------------------


class ReplaySigner:
    """A Keypair for the SDK's transport whose signature is btpow's.

    Records every payload the SDK asks it to sign. No `metadata_digest`,
    `sign_unsigned_extrinsic` or `sign_extrinsic_payload`: the SDK treats it as
    a plain keypair (the wallet path), so sign(payload) is what it calls."""

    def __init__(self, public_key: bytes, crypto_type: int, signature: bytes):
        self._pk, self._ct, self._sig = public_key, crypto_type, signature
        self.payloads: list = []

    @property
    def crypto_type(self) -> int:
        return self._ct

    @property
    def public_key(self) -> bytes:
        return self._pk

    @property
    def ss58_address(self) -> str:
        return core.ss58_encode(self._pk, 42)

    @property
    def ss58_format(self) -> int:
        return 42

    def sign(self, data):
        self.payloads.append(bytes(data) if not isinstance(data, str) else unhex(data))
        return self._sig


def _with_digest(signer, digest: bytes):
    """The same signer, as a MetadataVerifyingSigner returning `digest` (mode 1)."""
    class Verifying(type(signer)):
        def metadata_digest(self, context):
            return digest
    signer.__class__ = Verifying
    return signer


async def sdk_build(args, entry: dict, dec: dict, raw: bytes, results: list, say) -> None:
    import bittensor as bt
    import bittensor._transport.extrinsics as X
    from bittensor import executor as E
    from bittensor.intents.registration import PowRegister
    from bittensor.settings import DEFAULT_ERA_PERIOD

    call_args = dec["call_decoded"]["SubtensorModule"]["pow_register"]
    who, sig_kind, signature, sig_at = split_signed(raw)
    era = dec["era"]
    head = entry["head"]

    client = bt.Client(args.endpoint, fallback_endpoints=[], archive_endpoints=[])
    await client.connect()
    try:
        sub = client._substrate          # RpcSubstrate, what Executor.execute submits through
        conn = sub.raw                   # SubstrateConnection
        codec = await conn._runtimes.codec_at(None)
        hotkey = core.ss58_encode(unhex(call_args["hotkey"]), 42)
        intent = PowRegister(netuid=call_args["netuid"], work_block=call_args["work_block"],
                             nonce=call_args["nonce"], work_hex=call_args["work"], hotkey_ss58=hotkey)

        # the SDK's era and its birth block, for btpow's (period, phase)
        if era == "immortal":
            sdk_era, birth = None, 0
        else:
            period, phase = era
            now = head + 1  # the pool validates at head + 1
            birth = (max(now, phase) - phase) // period * period + phase
            sdk_era = {"period": period, "current": birth}

        # spy: keep what prepare_extrinsic returns (it is called unchanged)
        prepared = []
        original = X.prepare_extrinsic

        def spy(*a, **k):
            u = original(*a, **k)
            prepared.append(u)
            return u

        X.prepare_extrinsic = spy
        try:
            signer = ReplaySigner(who, sig_kind, signature)
            if dec["metadata_hash_mode"] == 1:
                if not args.metadata_hash:
                    say("same_bytes: note btpow signed with CheckMetadataHash Enabled; without --metadata-hash the SDK's signer cannot")
                else:
                    signer = _with_digest(signer, unhex(args.metadata_hash))
            call, _extras = await E._compose_intent_call(sub, intent, signer)
            signed = await conn.create_signed_extrinsic(call, signer, nonce=dec["nonce"], era=sdk_era, tip=dec["tip"])
            unsigned = prepared[-1]

            real = None
            if args.signer_uri:
                kp = core.Keypair.create_from_uri(args.signer_uri)
                if kp.public_key != who:
                    say(f"same_bytes: note --signer-uri {args.signer_uri} is {kp.ss58_address}, not btpow's signer")
                if dec["metadata_hash_mode"] == 1 and args.metadata_hash:
                    kp = _with_digest(_Wrap(kp), unhex(args.metadata_hash))
                real = await conn.create_signed_extrinsic(call, kp, nonce=dec["nonce"], era=sdk_era, tip=dec["tip"])
                real_unsigned = prepared[-1]
        finally:
            X.prepare_extrinsic = original

        def check(name, ok, detail_ok, detail_fail):
            results.append(ok)
            detail = detail_ok if ok else detail_fail
            say(f"same_bytes: {name} {'ok' if ok else 'FAIL'}" + ("" if detail.startswith("\n") else " ") + detail)

        sdk_call = bytes(unsigned.call_data)
        sdk_extra = bytes(unsigned.included_in_extrinsic)
        sdk_add = bytes(unsigned.included_in_signed_data)
        bt_call, bt_extra = unhex(dec["call"]), unhex(dec["extra"])
        check("call", sdk_call == bt_call,
              f"({len(sdk_call)} bytes, SubtensorModule.pow_register {sdk_call[:2].hex()}: {h(sdk_call)})",
              f"\n  sdk   {h(sdk_call)}\n  btpow {h(bt_call)}")
        check("extra", sdk_extra == bt_extra,
              f"({h(sdk_extra)}: era {era}, nonce {dec['nonce']}, tip {dec['tip']}, metadata-hash mode {dec['metadata_hash_mode']})",
              f"\n  sdk   {h(sdk_extra)}\n  btpow {h(bt_extra)}")

        # the node's own values for the implicit data
        rv = await asyncio.to_thread(_node_values, args.endpoint, birth)
        md = b"\x00" if dec["metadata_hash_mode"] == 0 else b"\x01" + unhex(args.metadata_hash or "00" * 32)
        expect_add = (rv["spec"].to_bytes(U32, "little") + rv["tx"].to_bytes(U32, "little")
                      + rv["genesis"] + rv["birth_hash"] + md)
        check("additional", sdk_add == expect_add,
              f"(spec {rv['spec']}, tx {rv['tx']}, genesis {h(rv['genesis'])[:18]}.., BlockHash[{birth}] {h(rv['birth_hash'])[:18]}.., mode byte {md[:1].hex()})",
              f"\n  sdk  {h(sdk_add)}\n  node {h(expect_add)}")

        whole = sdk_call + sdk_extra + sdk_add
        expect_payload = blake2_256(whole) if len(whole) > 256 else whole
        handed = signer.payloads[-1] if signer.payloads else b""
        check("payload", handed == expect_payload and bytes(unsigned.payload) == handed,
              f"({len(whole)} bytes{', hashed' if len(whole) > 256 else ''}: call ++ extra ++ additional)",
              f"\n  handed to sign() {h(handed)}\n  expected         {h(expect_payload)}")

        crypto = core.CRYPTO_SR25519 if sig_kind == 1 else core.CRYPTO_ED25519
        addr = dec["signer"]
        ok = sig_kind in (0, 1) and bool(core.verify(handed, signature, addr, crypto))
        check("signature", ok, f"(btpow's {'sr25519' if sig_kind == 1 else 'ed25519'} signature by {addr} verifies over the SDK's payload)",
              f"btpow's signature {h(signature)} does not verify over the SDK's payload {h(handed)} for {addr}")

        sdk_raw = bytes(signed.data)
        check("extrinsic", sdk_raw == raw and signed.extrinsic_hash == entry["hash"],
              f"({len(raw)} bytes, hash {entry['hash']})",
              f"\n  sdk   {h(sdk_raw)} ({signed.extrinsic_hash})\n  btpow {h(raw)} ({entry['hash']})")

        if real is not None:
            rraw = bytes(real.data)
            _, _, rsig, rat = split_signed(rraw)
            masked = rraw[:rat] + signature + rraw[rat + len(rsig):]
            rwhole = bytes(real_unsigned.payload)
            ok = (masked == raw and rwhole == handed
                  and bool(core.verify(rwhole, rsig, kp.ss58_address, crypto)))
            check("sdk-signed", ok,
                  f"(the SDK signing with {args.signer_uri}: same payload, same bytes but the signature; its signature verifies)",
                  f"\n  sdk   {h(rraw)}\n  btpow {h(raw)}\n  payloads equal: {rwhole == handed}")

        # where btpow's inputs differ from the SDK's own defaults
        if era == "immortal":
            say(f"same_bytes: note btpow used an immortal era; the SDK submits with a mortal one of period {DEFAULT_ERA_PERIOD}")
        elif era[0] != DEFAULT_ERA_PERIOD:
            say(f"same_bytes: note btpow's era period is {era[0]} (phase {era[1]}, birth #{birth}); the SDK submits with "
                f"period {DEFAULT_ERA_PERIOD} (settings.DEFAULT_ERA_PERIOD) born at the finalized head")
        if dec["tip"]:
            say(f"same_bytes: note btpow tipped {dec['tip']}; the SDK's submit has no tip (0)")
        if dec["metadata_hash_mode"] != 0:
            say("same_bytes: note btpow signed CheckMetadataHash Enabled; the SDK does only for Ledger-style signers")
    finally:
        await client.close()


class _Wrap:
    """A bittensor_core.Keypair seen through a subclassable wrapper."""

    def __init__(self, kp):
        self._kp = kp

    def __getattr__(self, name):
        return getattr(self._kp, name)

    @property
    def crypto_type(self):
        return self._kp.crypto_type

    @property
    def public_key(self):
        return self._kp.public_key

    @property
    def ss58_address(self):
        return self._kp.ss58_address

    @property
    def ss58_format(self):
        return self._kp.ss58_format

    def sign(self, data):
        return self._kp.sign(data)


def _node_values(url: str, birth: int) -> dict:
    rpc = Rpc(url)
    try:
        v = rpc("state_getRuntimeVersion")
        return {"spec": v["specVersion"], "tx": v["transactionVersion"],
                "genesis": unhex(rpc("chain_getBlockHash", 0)), "birth_hash": unhex(rpc("chain_getBlockHash", birth))}
    finally:
        rpc.ws.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verdict-log", required=True)
    ap.add_argument("--endpoint", required=True, help="the stand-in, ws://127.0.0.1:PORT")
    ap.add_argument("--select", default="pow_register", help="call name, line index or 0x-hash (default pow_register, the last)")
    ap.add_argument("--xt-log", help="the stand-in's --log file (raw extrinsics); else the blocks are searched")
    ap.add_argument("--signer-uri", help="also sign with this key through the same SDK path")
    ap.add_argument("--metadata-hash", help="the RFC-0078 digest, for an extrinsic with CheckMetadataHash Enabled")
    args = ap.parse_args()
    if not args.endpoint.startswith("ws://127.0.0.1:"):
        sys.exit("standin_same_bytes: only ws://127.0.0.1:PORT endpoints (the stand-in)")

    def say(line: str) -> None:
        print(line, flush=True)

    with open(args.verdict_log) as f:
        entry = pick(f.readlines(), args.select)
    dec = entry.get("decoded")
    if not dec or "SubtensorModule" not in (dec.get("call_decoded") or {}) \
            or "pow_register" not in dec["call_decoded"]["SubtensorModule"]:
        sys.exit(f"standin_same_bytes: the selected line is not a decoded pow_register: {json.dumps(entry)[:300]}")
    say(f"same_bytes: btpow's extrinsic {entry['hash']} (verdict {entry['verdict']!r}, head #{entry['head']}): "
        f"signer {dec['signer']}, nonce {dec['nonce']}, era {dec['era']}, tip {dec['tip']}, "
        f"metadata-hash mode {dec['metadata_hash_mode']}")

    rpc = Rpc(args.endpoint)
    try:
        raw, where = find_raw(entry["hash"], args.xt_log, rpc, entry["head"])
    finally:
        rpc.ws.close()
    if raw is None:
        say(f"same_bytes: extrinsic FAIL btpow's raw extrinsic {entry['hash']} {where}")
        sys.exit(1)
    say(f"same_bytes: btpow's raw extrinsic from {where} ({len(raw)} bytes)")
    if not raw.endswith(unhex(dec["extra"]) + unhex(dec["call"])):
        say("same_bytes: extrinsic FAIL the raw extrinsic does not end with the verdict's extra ++ call")
        sys.exit(1)

    scratch = tempfile.mkdtemp(prefix="standin-same-bytes-")
    # the stand-in serves finney's genesis hash: never the SDK's on-disk metadata cache
    os.environ.setdefault("BITTENSOR_RUNTIME_CACHE_DIR", os.path.join(scratch, "runtime-cache"))
    results: list = []
    try:
        asyncio.run(asyncio.wait_for(sdk_build(args, entry, dec, raw, results, say), timeout=120))
    except Exception as e:
        say(f"same_bytes: sdk FAIL the SDK's extrinsic building raised {type(e).__name__}: {e}")
        results.append(False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    bad = results.count(False)
    say(f"same_bytes: {len(results) - bad} ok, {bad} failed")
    sys.exit(0 if results and not bad else 1)


if __name__ == "__main__":
    main()
