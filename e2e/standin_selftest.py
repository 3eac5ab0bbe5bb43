"""Checks of the runtime-475 stand-in itself, with extrinsics built by the SDK's
codec (bittensor 11.3.0 / bittensor_core) and dev keys, never by btpow:

    vectors/.venv/v1/bin/python e2e/standin_selftest.py [--keep-log DIR]

It starts e2e/standin475.py on a free 127.0.0.1 port (manual block mode), runs
the v1 scenarios of issue 20 against it as the runtime would answer them, and
ends with `N passed, M failed` (exit 1 on any failure). What it shows is that
the model says what runtime 475's source says; that the SDK itself registers
against the model is e2e/standin_sdk_register.py.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bittensor_core as core  # noqa: E402
from bittensor._transport.codec import RuntimeCodec  # noqa: E402
from bittensor.pow_registration import registration_prefix, registration_seal  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from standin475 import (  # noqa: E402
    DEFAULT_METADATA,
    FINNEY_GENESIS,
    bumped_registration_price,
    decay_factor_q32,
    decayed_registration_price,
    pow_q32,
)
from standin_scale import blake2_256, compact  # noqa: E402

ALICE = core.Keypair.create_from_uri("//Alice")
BOB = core.Keypair.create_from_uri("//Bob")
CHARLIE = core.Keypair.create_from_uri("//Charlie")
NOBODY = core.Keypair.create_from_uri("//NoAccountHere")
MULT_126 = 0x1_428F5C28F5C29000  # BurnIncreaseMult's default bits (about 1.26)


class Node:
    def __init__(self, args: list, logdir: Path):
        self.log = logdir / "standin.hex"
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "standin475.py"), "--port", "0", "--log", str(self.log),
             "--verdict-log", str(logdir / "verdicts.jsonl"), "--block-mode", "manual", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.first = self.proc.stdout.readline()
        deadline = time.monotonic() + 60
        self.url = None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if "listening on ws://" in line:
                self.url = line.split("listening on ")[1].split()[0]
                break
        if self.url is None:
            self.proc.kill()
            raise SystemExit("standin475 did not start")
        self.ws = connect(self.url, max_size=None)
        self.ids = 0
        self.notes: list = []

    def call(self, method: str, *params):
        self.ids += 1
        rid = self.ids
        self.ws.send(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": list(params)}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == rid:
                return msg
            self.notes.append(msg)

    def ok(self, method: str, *params):
        msg = self.call(method, *params)
        if "error" in msg:
            raise AssertionError(f"{method}: {msg['error']}")
        return msg["result"]

    def close(self):
        self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Client:
    """Builds and signs pow_register extrinsics with the SDK's codec."""

    def __init__(self, node: Node):
        self.node = node
        md = DEFAULT_METADATA.read_bytes()
        self.codec = RuntimeCodec(md, spec_version=475, transaction_version=1, spec_name="node-subtensor")

    def head(self) -> tuple[int, str]:
        h = self.node.ok("chain_getHeader")
        return int(h["number"], 16), self.node.ok("chain_getBlockHash", int(h["number"], 16))

    def storage(self, pallet, item, params=()):
        return self.node.ok("standin_getStorage", pallet, item, list(params))

    def difficulty(self, netuid=1) -> int:
        d = self.storage("SubtensorModule", "Difficulty", [netuid])
        lo = max(1, self.storage("SubtensorModule", "MinDifficulty", [netuid]))
        hi = max(lo, self.storage("SubtensorModule", "MaxDifficulty", [netuid]))
        return min(max(d, lo), hi)

    def mine(self, netuid, block_hash, hotkey, coldkey, difficulty, reject_at=None):
        prefix = registration_prefix(netuid, block_hash, hotkey.ss58_address, coldkey.ss58_address)
        while True:
            found = core.pow_mine_cpu(prefix, difficulty, secrets.randbits(63), 1 << 20)
            if found is None:
                continue
            nonce, seal = found[0], bytes(found[1])
            assert registration_seal(prefix, nonce) == seal
            if reject_at is None or int.from_bytes(seal, "little") * reject_at >= 1 << 256:
                return nonce, seal

    def xt(self, signer, netuid, work_block, nonce, seal, hotkey, *, account_nonce=None, era=None,
           genesis=None, spec=None, tamper=False) -> str:
        call = self.codec.compose_call("SubtensorModule", "pow_register", {
            "netuid": netuid, "work_block": work_block, "nonce": nonce, "work": list(seal),
            "hotkey": hotkey.ss58_address})
        if account_nonce is None:
            account_nonce = self.node.ok("account_nextIndex", signer.ss58_address)
        era = era or "00"
        if era == "00":
            era_hash = "0x" + FINNEY_GENESIS.hex()
        else:
            era_hash = self.node.ok("chain_getBlockHash", core.era_birth(era["period"], era["current"]))
        parts = self.codec.signature_payload_parts(
            call, era=era, nonce=account_nonce, tip=0, tip_asset_id=None,
            genesis_hash=genesis or "0x" + FINNEY_GENESIS.hex(), era_block_hash=era_hash)
        payload = parts[0] + parts[1] + parts[2]
        if spec is not None:
            payload = parts[0] + parts[1] + spec.to_bytes(4, "little") + parts[2][4:]
        if len(payload) > 256:
            payload = blake2_256(payload)
        sig = bytes(signer.sign(payload))
        if tamper:
            sig = bytes([sig[0] ^ 1]) + sig[1:]
        data, _ = self.codec.encode_signed_extrinsic(
            call, public_key=bytes(signer.public_key), signature=sig, signature_version=1, era=era,
            nonce=account_nonce, tip=0, tip_asset_id=None)
        return "0x" + data.hex()

    def register_xt(self, signer, hotkey, netuid=1, *, work_block=None, **kw):
        number, block_hash = self.head()
        if work_block is None:
            work_block = number
        wb_hash = self.node.ok("chain_getBlockHash", work_block)
        nonce, seal = self.mine(netuid, wb_hash, hotkey, signer, self.difficulty(netuid))
        return self.xt(signer, netuid, work_block, nonce, seal, hotkey, **kw)


def custom(reply) -> str:
    e = reply.get("error")
    if not e:
        return "accepted"
    return f"{e['code']} {e.get('message')} {e.get('data')}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep-log")
    args = ap.parse_args()
    logdir = Path(args.keep_log or tempfile.mkdtemp(prefix="standin-selftest-"))
    logdir.mkdir(parents=True, exist_ok=True)
    accounts = [f"--account={k.ss58_address}" for k in (ALICE, BOB, CHARLIE)]
    node = Node([*accounts, "--subnet", "1", "--pow-allowed", "--difficulty", "2000", "--min-difficulty", "1",
                 "--max-difficulty", "1000000000", "--half-life", "360",
                 "--subnet", "2", "--pow-allowed", "--difficulty", "2000", "--min-difficulty", "1",
                 "--subnet", "3", "--difficulty", "2000", "--min-difficulty", "1"], logdir)
    c = Client(node)
    results = []

    def check(name, cond, detail=""):
        results.append(bool(cond))
        print(f"{'ok  ' if cond else 'FAIL'} {name}" + (f"  [{detail}]" if detail and not cond else ""), flush=True)

    def last_reason():
        with open(logdir / "verdicts.jsonl") as fh:
            return json.loads(fh.readlines()[-1])["reason"]

    def fresh_key():
        return core.Keypair.create_from_uri("//" + secrets.token_hex(8))

    try:
        check("first stdout line says it is a model", "MODEL of Bittensor runtime 475" in node.first and "not the runtime" in node.first)
        v = node.ok("state_getRuntimeVersion")
        check("runtime version 475 / tx 1, node-subtensor", (v["specName"], v["implName"], v["specVersion"], v["transactionVersion"]) == ("node-subtensor", "node-subtensor", 475, 1), v)
        check("genesis is finney's", node.ok("chain_getBlockHash", 0) == "0x" + FINNEY_GENESIS.hex())
        check("metadata bytes are the real file", bytes.fromhex(node.ok("state_getMetadata")[2:]) == DEFAULT_METADATA.read_bytes())
        h = node.ok("chain_getHeader")
        hdr = (bytes.fromhex(h["parentHash"][2:]) + compact(int(h["number"], 16)) + bytes.fromhex(h["stateRoot"][2:])
               + bytes.fromhex(h["extrinsicsRoot"][2:]) + compact(len(h["digest"]["logs"]))
               + b"".join(bytes.fromhex(x[2:]) for x in h["digest"]["logs"]))
        check("block hash = blake2-256(SCALE header)", "0x" + blake2_256(hdr).hex() == node.ok("chain_getBlockHash", int(h["number"], 16)))
        check("BlockHash[0] = finney genesis after block 1", c.storage("System", "BlockHash", [0]) == "0x" + FINNEY_GENESIS.hex())

        # decay arithmetic
        f = decay_factor_q32(360)
        check("decay_factor_q32(360): f^360 <= 1/2 < (f+1)^360", pow_q32(f, 360) <= 1 << 31 < pow_q32(f + 1, 360), f)

        # a fresh registration
        hk1 = fresh_key()
        number, _ = c.head()
        d_before = c.storage("SubtensorModule", "Difficulty", [1])
        r = node.call("author_submitExtrinsic", c.register_xt(ALICE, hk1))
        check("fresh registration accepted into the pool", "result" in r, custom(r))
        node.ok("standin_newBlocks", 1)
        uid = c.storage("SubtensorModule", "Uids", [1, hk1.ss58_address])
        check("Uids set after the block", uid is not None, uid)
        check("LastPowRegistrationBlock = work_block", c.storage("SubtensorModule", "LastPowRegistrationBlock", [hk1.ss58_address]) == number)
        check("RegistrationsThisBlock = 1", c.storage("SubtensorModule", "RegistrationsThisBlock", [1]) == 1)
        decayed = decayed_registration_price(d_before, 1, 10**9, f)
        expect = bumped_registration_price(decayed, 1, 10**9, MULT_126)
        got = c.storage("SubtensorModule", "Difficulty", [1])
        check("Difficulty = bump(decay(d))", got == expect and abs(got / (d_before * 2 ** (-1 / 360) * 1.26) - 1) < 1e-3, (d_before, got, expect))
        events = node.ok("state_getStorage", "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7")
        ev = c.codec.decode(f"scale_info::{20}", bytes.fromhex(events[2:]))
        names = [(e["module_id"], e["event_id"]) for e in ev]
        check("events: NeuronRegistered and ExtrinsicSuccess", ("SubtensorModule", "NeuronRegistered") in names and ("System", "ExtrinsicSuccess") in names, names)

        # the per-block limit, seen by the pool at the head
        hk2 = fresh_key()
        r = node.call("author_submitExtrinsic", c.register_xt(BOB, hk2))
        check("per-block limit: refused Custom(255) while the head holds a registration", custom(r) == "1010 Invalid Transaction Custom error: 255", custom(r))
        node.ok("standin_newBlocks", 1)
        check("RegistrationsThisBlock reset by the next block", c.storage("SubtensorModule", "RegistrationsThisBlock", [1]) == 0)
        d1 = c.storage("SubtensorModule", "Difficulty", [1])
        node.ok("standin_newBlocks", 1)
        check("an empty block decays Difficulty by mul_by_q32", c.storage("SubtensorModule", "Difficulty", [1]) == decayed_registration_price(d1, 1, 10**9, f))

        # two in one block: the second is dropped as invalid in the block
        hk3, hk4 = fresh_key(), fresh_key()
        x3, x4 = c.register_xt(BOB, hk3), c.register_xt(CHARLIE, hk4)
        r3 = node.call("author_submitAndWatchExtrinsic", x3)
        r4 = node.call("author_submitAndWatchExtrinsic", x4)
        check("two registrations admitted to the pool", "result" in r3 and "result" in r4, (custom(r3), custom(r4)))
        node.ok("standin_newBlocks", 1)
        updates = {n["params"]["subscription"]: n["params"]["result"] for n in node.notes if n.get("method") == "author_extrinsicUpdate"}
        check("the second is invalid in the block (MaxRegistrationsPerBlock 1)",
              isinstance(updates.get(r3.get("result")), dict) and updates.get(r4.get("result")) == "invalid", updates)
        node.ok("standin_newBlocks", 1)

        # work age: 5 blocks accepted, 6 refused
        hk5 = fresh_key()
        number, _ = c.head()
        x_old = c.register_xt(ALICE, hk5, work_block=number)
        node.ok("standin_newBlocks", 4)  # head = w + 4; the pool checks at w + 5
        r = node.call("author_submitExtrinsic", x_old)
        check("work 5 blocks old accepted", "result" in r, custom(r))
        node.ok("standin_newBlocks", 1)
        hk6 = fresh_key()
        number, _ = c.head()
        x_old = c.register_xt(BOB, hk6, work_block=number)
        node.ok("standin_newBlocks", 5)
        r = node.call("author_submitExtrinsic", x_old)
        check("work 6 blocks old refused Custom(255)", custom(r) == "1010 Invalid Transaction Custom error: 255", custom(r))
        r = node.call("author_submitExtrinsic", x_old)
        check("the same bytes again: temporarily banned (1012)", r.get("error", {}).get("code") == 1012, custom(r))
        number, _ = c.head()
        r = node.call("author_submitExtrinsic", c.xt(BOB, 1, number + 1, 0, bytes(32), fresh_key()))
        check("work block = now (head + 1) refused", custom(r) == "1010 Invalid Transaction Custom error: 255", custom(r))

        # reuse after LastPowRegistrationBlock (the hotkey's uid removed, so only that check bites)
        number, _ = c.head()
        node.ok("standin_setStorage", [
            {"pallet": "SubtensorModule", "item": "Uids", "params": [1, hk5.ss58_address], "value": None},
            {"pallet": "SubtensorModule", "item": "LastPowRegistrationBlock", "params": [hk5.ss58_address], "value": number}])
        r = node.call("author_submitExtrinsic", c.register_xt(ALICE, hk5, work_block=number))
        check("work_block <= LastPowRegistrationBlock refused Custom(255)",
              custom(r) == "1010 Invalid Transaction Custom error: 255" and "LastPowRegistrationBlock" in last_reason(), (custom(r), last_reason()))
        node.ok("standin_newBlocks", 1)
        r = node.call("author_submitExtrinsic", c.register_xt(ALICE, hk5))
        check("a later work_block for the same hotkey accepted", "result" in r, custom(r))
        node.ok("standin_newBlocks", 2)

        # a seal for another coldkey
        hk7 = fresh_key()
        number, bh = c.head()
        nonce, seal = c.mine(1, bh, hk7, ALICE, c.difficulty())
        r = node.call("author_submitExtrinsic", c.xt(BOB, 1, number, nonce, seal, hk7))
        check("a seal mined for another coldkey refused Custom(255)", custom(r) == "1010 Invalid Transaction Custom error: 255", custom(r))

        # difficulty bumped between solving and submitting
        hk8, hk9 = fresh_key(), fresh_key()
        number, bh = c.head()
        d = c.difficulty()
        bumped = bumped_registration_price(d, 1, 10**9, MULT_126)
        d2 = decayed_registration_price(bumped_registration_price(decayed_registration_price(d, 1, 10**9, f), 1, 10**9, MULT_126), 1, 10**9, f)
        nonce, seal = c.mine(1, bh, hk8, BOB, d, reject_at=d2)
        node.call("author_submitExtrinsic", c.register_xt(CHARLIE, hk9))
        node.ok("standin_newBlocks", 2)
        check("another registration bumped the difficulty as modelled", c.difficulty() == d2, (c.difficulty(), d2))
        r = node.call("author_submitExtrinsic", c.xt(BOB, 1, number, nonce, seal, hk8))
        check("difficulty bumped by another registration: refused Custom(255)", custom(r) == "1010 Invalid Transaction Custom error: 255", custom(r))

        # a seal that meets the difficulty only after one more block of decay
        # (half-life 10 here, so that such seals are common: 1 - f is about 7 %)
        node.ok("standin_setStorage", [{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 3000},
                                       {"pallet": "SubtensorModule", "item": "BurnHalfLife", "params": [1], "value": 10}])
        hk10 = fresh_key()
        number, bh = c.head()
        d_now = c.difficulty()
        d_next = decayed_registration_price(d_now, 1, 10**9, decay_factor_q32(10))
        nonce, seal = c.mine(1, bh, hk10, ALICE, d_next, reject_at=d_now)
        xt = c.xt(ALICE, 1, number, nonce, seal, hk10)
        r = node.call("author_submitExtrinsic", xt)
        check("seal meeting only next block's decayed difficulty: refused now", custom(r) == "1010 Invalid Transaction Custom error: 255", custom(r))
        node.ok("standin_newBlocks", 1)
        # new bytes (the refused ones are banned): a mortal era; the same seal
        xt = c.xt(ALICE, 1, number, nonce, seal, hk10, era={"period": 64, "current": c.head()[0]})
        r = node.call("author_submitExtrinsic", xt)
        check("... and accepted one block later", "result" in r, custom(r))
        node.ok("standin_newBlocks", 1)
        check("... and registered", c.storage("SubtensorModule", "Uids", [1, hk10.ss58_address]) is not None)
        node.ok("standin_newBlocks", 1)

        # switched off, no subnet, another owner, no account, bad proof, stale nonce, same tag
        r = node.call("author_submitExtrinsic", c.register_xt(ALICE, fresh_key(), netuid=3))
        check("PoW registration switched off: Custom(255)", custom(r) == "1010 Invalid Transaction Custom error: 255", custom(r))
        number, bh = c.head()
        hk = fresh_key()
        r = node.call("author_submitExtrinsic", c.xt(ALICE, 9, number, 0, bytes(32), hk))
        check("no such subnet: Custom(3) SubnetNotExists", custom(r) == "1010 Invalid Transaction Custom error: 3", custom(r))
        r = node.call("author_submitExtrinsic", c.register_xt(BOB, hk1, netuid=2))
        check("hotkey owned by another coldkey: Custom(25) NonAssociatedColdKey", custom(r) == "1010 Invalid Transaction Custom error: 25", custom(r))
        r = node.call("author_submitExtrinsic", c.register_xt(NOBODY, fresh_key(), account_nonce=0))
        check("signer without an account: Invalid Payment", custom(r).startswith("1010 Invalid Transaction Inability to pay"), custom(r))
        r = node.call("author_submitExtrinsic", c.register_xt(ALICE, fresh_key(), tamper=True))
        check("tampered signature: BadProof", custom(r) == "1010 Invalid Transaction Transaction has a bad signature", custom(r))
        r = node.call("author_submitExtrinsic", c.register_xt(ALICE, fresh_key(), spec=474))
        check("signed for spec 474: BadProof", custom(r) == "1010 Invalid Transaction Transaction has a bad signature", custom(r))
        r = node.call("author_submitExtrinsic", c.register_xt(ALICE, fresh_key(), genesis="0x" + "45" * 32))
        check("signed for another genesis: BadProof", custom(r) == "1010 Invalid Transaction Transaction has a bad signature", custom(r))
        r = node.call("author_submitExtrinsic", c.register_xt(ALICE, fresh_key(), account_nonce=0))
        check("stale account nonce: Invalid Stale", custom(r) == "1010 Invalid Transaction Transaction is outdated", custom(r))
        number, _ = c.head()
        r = node.call("author_submitExtrinsic", c.register_xt(BOB, fresh_key(), netuid=2, era={"period": 64, "current": number}))
        check("mortal era accepted", "result" in r, custom(r))
        n = node.ok("account_nextIndex", CHARLIE.ss58_address)
        hka = fresh_key()
        xa = c.register_xt(CHARLIE, hka, account_nonce=n)
        xb = c.register_xt(CHARLIE, fresh_key(), account_nonce=n)
        ra = node.call("author_submitExtrinsic", xa)
        r = node.call("author_submitExtrinsic", xb)
        check("same (signer, nonce) as a pooled extrinsic: 1014 priority too low", r.get("error", {}).get("code") == 1014, custom(r))
        node.ok("standin_newBlocks", 1)
        check("the first of the two was included", "result" in ra and c.storage("SubtensorModule", "Uids", [1, hka.ss58_address]) is not None, custom(ra))
        r = node.call("author_submitExtrinsic", xa)
        check("an included extrinsic again: banned (1012)", r.get("error", {}).get("code") == 1012, custom(r))

        with open(node.log) as fh:
            lines = [x.strip() for x in fh if x.strip()]
        check("every submission kept as hex in --log", len(lines) >= 20 and all(x.startswith("0x") for x in lines), len(lines))
    except Exception as e:  # a broken scenario is a failure, not a crash
        import traceback

        traceback.print_exc()
        results.append(False)
    finally:
        node.close()
    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
