"""The reference client against the runtime-475 stand-in: bittensor 11.3.0
registers a hotkey by proof of work through its own public API, exactly as a
user's script would, then reads `Uids` back through the SDK:

    client.mine_pow_registration(netuid, hotkey, coldkey, ...)  # the SDK's miner
    client.execute(intent, wallet)                               # signs with the coldkey
    client.query(storage.SubtensorModule.Uids, [netuid, hotkey])

    E2E_COLDKEY_PASSWORD=... vectors/.venv/v1/bin/python e2e/standin_sdk_register.py \\
        --endpoint ws://127.0.0.1:P --wallet-path DIR --wallet NAME --hotkey NAME --netuid 1

With --btcli the same registration goes through the SDK's own command line
instead (`btcli subnets register --pow ...`, which adds the CLI's proof refresh
and retry around the same two calls), run with HOME in a scratch folder;
`Uids` is then read back through the SDK's Client as above.

The SDK's on-disk caches (runtime metadata keyed by genesis hash and spec
version, token symbols) go to a temporary folder unless BITTENSOR_RUNTIME_CACHE_DIR
/ BTCLI_TOKEN_SYMBOLS_CACHE are set: the stand-in uses finney's genesis hash,
and every run must fetch the metadata from the stand-in, not from a cache.

The wallet is a btwallet one (e2e/make_wallets.py: `$NACL`-encrypted coldkey,
plain hotkey); the SDK unlocks it with its own keyfile code, the password
given as BT_WALLET_PASSWORD (its documented non-interactive path).

Prints what the SDK printed/returned, and one JSON line last:
{"success", "uid", "block_hash", "error", "hotkey", "coldkey", "work_block",
"nonce"}. Exit status 0 when the SDK reports success and `Uids` holds the
hotkey, 1 otherwise. If the SDK's extrinsic is refused, the stand-in is wrong,
not the SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time


def run_btcli(args, hotkey_name: str) -> dict:
    """`btcli subnets register --pow`, as a user would type it; its JSON answer."""
    import subprocess

    btcli = os.path.join(os.path.dirname(sys.executable), "btcli")
    cmd = [btcli, "subnets", "register", "--pow", "--pow-backend", "cpu",
           "--pow-workers", str(args.workers), "--pow-timeout", str(args.timeout),
           "--netuid", str(args.netuid), "--network", args.endpoint,
           "--fallback-endpoints", "none", "--archive-endpoints", "none",
           "-w", args.wallet, "-H", hotkey_name, "--wallet-path", args.wallet_path,
           "--json", "--yes", "--no-mev-shield"]
    print("sdk: " + " ".join(cmd[1:]), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout + 120,
                          env={**os.environ, "HOME": os.environ["STANDIN_SDK_SCRATCH"]})
    text = proc.stdout.strip()
    print(f"sdk: btcli exit {proc.returncode}: {text}" + (f"\nsdk: btcli stderr: {proc.stderr.strip()}" if proc.stderr.strip() else ""), flush=True)
    try:
        return json.loads(text[text.index("{"):])
    except ValueError:
        return {"success": False, "message": text or proc.stderr.strip()}


async def run(args) -> int:
    import bittensor as bt
    from bittensor import storage

    os.environ.setdefault("BT_WALLET_PASSWORD", os.environ.get("E2E_COLDKEY_PASSWORD", ""))
    wallet = bt.Wallet(name=args.wallet, hotkey=args.hotkey, path=args.wallet_path)
    coldkey = wallet.coldkeypub.ss58_address
    hotkey = wallet.hotkey.ss58_address
    print(f"sdk: bittensor {bt.__version__}; coldkey {coldkey}, hotkey {hotkey}, netuid {args.netuid}", flush=True)

    client = bt.Client(args.endpoint, fallback_endpoints=[], archive_endpoints=[])
    out = {"success": False, "uid": None, "block_hash": None, "error": None,
           "hotkey": hotkey, "coldkey": coldkey, "work_block": None, "nonce": None}
    try:
        await client.connect()
        if args.btcli:
            answer = await asyncio.to_thread(run_btcli, args, args.hotkey)
            out["success"] = bool(answer.get("success"))
            out["block_hash"] = answer.get("block_hash")
            if not out["success"]:
                out["error"] = {"name": "btcli", "message": answer.get("message") or answer.get("error")}
            uid = await client.query(storage.SubtensorModule.Uids, [args.netuid, hotkey])
            out["uid"] = uid
            print(f"sdk: Uids[{args.netuid}, {hotkey}] = {uid}", flush=True)
            return _finish(out)
        started = time.monotonic()
        intent = await client.mine_pow_registration(
            args.netuid, hotkey, coldkey, workers=args.workers, max_seconds=args.timeout, backend="cpu"
        )
        out["work_block"], out["nonce"] = intent.work_block, intent.nonce
        print(f"sdk: mined {intent.summary()}: work_block {intent.work_block}, nonce {intent.nonce}, "
              f"seal {intent.work_hex} ({time.monotonic() - started:.1f} s)", flush=True)
        result = await client.execute(intent, wallet)
        print(f"sdk: execute -> {result!r}", flush=True)
        out["success"] = bool(result.success)
        out["block_hash"] = getattr(result, "block_hash", None)
        if result.error is not None:
            out["error"] = {"name": getattr(result.error, "name", None), "message": str(result.error)}
        uid = await client.query(storage.SubtensorModule.Uids, [args.netuid, hotkey])
        out["uid"] = uid
        print(f"sdk: Uids[{args.netuid}, {hotkey}] = {uid}", flush=True)
    except Exception as e:  # report what the SDK raised, as a user would see it
        out["error"] = {"name": type(e).__name__, "message": str(e)}
        print(f"sdk: raised {type(e).__name__}: {e}", flush=True)
    finally:
        await client.close()
    return _finish(out)


def _finish(out: dict) -> int:
    print(json.dumps(out), flush=True)
    return 0 if out["success"] and out["uid"] is not None else 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--wallet-path", required=True)
    ap.add_argument("--wallet", required=True)
    ap.add_argument("--hotkey", required=True)
    ap.add_argument("--netuid", type=int, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--btcli", action="store_true", help="register through `btcli subnets register --pow`")
    args = ap.parse_args()
    if not args.endpoint.startswith("ws://127.0.0.1:"):
        sys.exit("standin_sdk_register: only ws://127.0.0.1:PORT endpoints (the stand-in)")
    scratch = tempfile.mkdtemp(prefix="standin-sdk-")
    os.environ["STANDIN_SDK_SCRATCH"] = scratch
    os.environ.setdefault("BITTENSOR_RUNTIME_CACHE_DIR", os.path.join(scratch, "runtime-cache"))
    os.environ.setdefault("BTCLI_TOKEN_SYMBOLS_CACHE", os.path.join(scratch, "token-symbols.json"))
    try:
        code = asyncio.run(run(args))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
