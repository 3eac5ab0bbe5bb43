"""Test-side access to the local chain, independent of btpow.

    python chain.py URL ready SECONDS        wait until the node answers
    python chain.py URL set-storage JSON     dev_setStorage
    python chain.py URL new-blocks N         dev_newBlock N times
    python chain.py URL head                 print the best block number
    python chain.py URL uid NETUID SS58      print Uids[netuid, hotkey] or "none"
    python chain.py URL first-block          set Timestamp.Now, then build block 1
    python chain.py URL register-network     spec 293: register a subnet, signed by //Alice

Plain JSON-RPC over HTTP. `uid` builds the storage key itself from
subtensor's declaration, `Uids: StorageDoubleMap<Identity u16,
Blake2_128Concat AccountId -> u16>`: twox128("SubtensorModule") ++
twox128("Uids") ++ le16(netuid) ++ blake2_128(account) ++ account.
Runs in the legacy vectors environment (vectors/setup), for xxhash.
"""

import hashlib
import json
import sys
import time
import urllib.request

import xxhash

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def twox128(data):
    return b"".join(xxhash.xxh64(data, seed=s).intdigest().to_bytes(8, "little") for s in (0, 1))


def ss58_account(address):
    n = 0
    for c in address:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes(35, "big")  # 1-byte format, 32-byte key, 2-byte checksum
    return raw[1:33]


def uids_key(netuid, address):
    account = ss58_account(address)
    return "0x" + (
        twox128(b"SubtensorModule")
        + twox128(b"Uids")
        + netuid.to_bytes(2, "little")
        + hashlib.blake2b(account, digest_size=16).digest()
        + account
    ).hex()


def rpc(url, method, params):
    http = url.replace("ws://", "http://", 1)
    body = json.dumps({"id": 1, "jsonrpc": "2.0", "method": method, "params": params}).encode()
    req = urllib.request.Request(http, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        answer = json.load(resp)
    if "error" in answer:
        raise SystemExit(f"{method}: {answer['error']}")
    return answer["result"]


def main():
    url, cmd, *rest = sys.argv[1:]
    if cmd == "ready":
        deadline = time.time() + float(rest[0])
        while True:
            try:
                rpc(url, "chain_getHeader", [])
                return
            except Exception:
                if time.time() > deadline:
                    raise SystemExit(f"{url}: no answer within {rest[0]} s")
                time.sleep(1)
    elif cmd == "set-storage":
        rpc(url, "dev_setStorage", [json.loads(rest[0])])
    elif cmd == "new-blocks":
        for _ in range(int(rest[0])):
            rpc(url, "dev_newBlock", [])
    elif cmd == "head":
        print(int(rpc(url, "chain_getHeader", [])["number"], 16))
    elif cmd == "uid":
        value = rpc(url, "state_getStorage", [uids_key(int(rest[0]), rest[1])])
        print("none" if value is None else int.from_bytes(bytes.fromhex(value[2:]), "little"))
    elif cmd == "first-block":
        # From genesis, chopsticks reads the clock twice (for the Aura slot
        # and for the timestamp inherent); on a loaded machine the two can
        # fall in different 1 s slots, and the runtime refuses the block.
        # A stored timestamp makes both the same.
        # The head is checked: a refused block leaves it where it was.
        for _ in range(3):
            rpc(url, "dev_setStorage", [{"Timestamp": {"Now": int(time.time() * 1000)}}])
            rpc(url, "dev_newBlock", [])
            if int(rpc(url, "chain_getHeader", [])["number"], 16) >= 1:
                return
        raise SystemExit("first-block: the head is still at genesis after 3 tries")
    elif cmd == "register-network":
        # The SDK's own extrinsic machinery (async-substrate-interface) and
        # btwallet's sr25519, not btpow's.
        from async_substrate_interface.sync_substrate import SubstrateInterface
        from bittensor_wallet import Keypair

        alice = Keypair.create_from_uri("//Alice")
        # The genesis value of the rate limit would refuse it for days of blocks.
        rpc(url, "dev_setStorage", [{"SubtensorModule": {"NetworkRateLimit": 1}}])
        nonce = rpc(url, "system_accountNextIndex", [alice.ss58_address])
        substrate = SubstrateInterface(url)
        call = substrate.compose_call(
            "SubtensorModule", "register_network", {"hotkey": alice.ss58_address}
        )
        extrinsic = substrate.create_signed_extrinsic(call=call, keypair=alice, nonce=nonce)
        # Instant mode builds the block at once, sometimes before a status
        # subscription would see it: submit, then watch TotalNetworks grow.
        total = "0x" + (twox128(b"SubtensorModule") + twox128(b"TotalNetworks")).hex()
        before = rpc(url, "state_getStorage", [total])
        substrate.close()
        rpc(url, "author_submitExtrinsic", [str(extrinsic.data)])
        deadline = time.time() + 60
        while rpc(url, "state_getStorage", [total]) == before:
            if time.time() > deadline:
                raise SystemExit("register_network: no new subnet within 60 s")
            time.sleep(0.5)
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
