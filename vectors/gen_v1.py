"""v1 vectors from bittensor 11.3.0 and bittensor-core 0.1.5 (run in the v1 venv).

Writes v1_seal.csv and v1_solve.csv. Seals come from the SDK's
`registration_prefix` + `registration_seal`; verdicts and first nonces from
`bittensor_core.pow_mine_cpu`, each cross-checked in pure Python against
`registration_seal` and the SDK's target `(2^256-1) // d` (little-endian).
Usage: python gen_v1.py OUT_DIR
"""

import random
import sys

from bittensor.pow_registration import registration_prefix, registration_seal
from bittensor_core import pow_mine_cpu, ss58_encode

from common import (
    EDGE_HASHES,
    EDGE_NONCES,
    L,
    U64_MAX,
    clamp_difficulty,
    rand_difficulty,
    rand_hash,
    rand_nonce,
    rand_start,
    write_csv,
)

MAX_ATTEMPTS = 1_048_576  # pow_mine_cpu's batch limit


def prefix(netuid, block_hash, hotkey, coldkey):
    # The SDK takes SS58 addresses and a 0x block hash, as the chain gives them.
    return registration_prefix(
        netuid, "0x" + block_hash.hex(), ss58_encode(hotkey, 42), ss58_encode(coldkey, 42)
    )


def python_meets(seal, d):
    return int.from_bytes(seal, "little") <= L // d


def native_meets(p, seal, nonce, d):
    found = pow_mine_cpu(p, d, nonce, 1)
    meets = found is not None
    assert meets == python_meets(seal, d), (nonce, d)
    if found is not None:
        assert found[0] == nonce and bytes(found[1]) == seal
    return meets


def first_nonce(p, d, start, count):
    found = pow_mine_cpu(p, d, start, count)
    native = None if found is None else found[0]
    # Pure-Python scan of the same range.
    scan = None
    for nonce in range(start, start + count):
        if python_meets(registration_seal(p, nonce), d):
            scan = nonce
            break
    assert native == scan, (start, count, d, native, scan)
    if found is not None:
        assert bytes(found[1]) == registration_seal(p, native)
    return native


def rand_netuid(rng):
    r = rng.random()
    if r < 0.1:
        return 1
    if r < 0.2:
        return 65535
    return rng.randint(1, 65535)


def seal_rows(rng):
    rows = []

    def add(netuid, block_hash, hotkey, coldkey, nonce, d):
        p = prefix(netuid, block_hash, hotkey, coldkey)
        seal = registration_seal(p, nonce)
        meets = native_meets(p, seal, nonce, d)
        rows.append((netuid, block_hash, hotkey, coldkey, nonce, seal, d, meets))

    for block_hash in EDGE_HASHES:
        for key in EDGE_HASHES:
            for nonce in EDGE_NONCES:
                for d in (1, U64_MAX):
                    add(rng.choice([1, 65535]), block_hash, key, key, nonce, d)
    for _ in range(250):
        add(rand_netuid(rng), rand_hash(rng), rand_hash(rng), rand_hash(rng), rand_nonce(rng),
            rand_difficulty(rng))
    # Each seal's boundary difficulty and the next one up.
    for _ in range(60):
        c = (rand_netuid(rng), rand_hash(rng), rand_hash(rng), rand_hash(rng))
        nonce = rand_nonce(rng)
        s = int.from_bytes(registration_seal(prefix(*c), nonce), "little")
        edge = L // s if s else U64_MAX
        for d in sorted({clamp_difficulty(edge), clamp_difficulty(edge + 1)} - {None}):
            add(*c, nonce, d)
    # Real solutions at moderate difficulty (seals ending in zero bytes).
    for _ in range(40):
        c = (rand_netuid(rng), rand_hash(rng), rand_hash(rng), rand_hash(rng))
        d = rng.choice([2, 100, 10_000, 300_000])
        start = min(rng.getrandbits(64), 2**64 - MAX_ATTEMPTS)
        found = pow_mine_cpu(prefix(*c), d, start, MAX_ATTEMPTS)
        if found is not None:
            add(*c, found[0], d)
            add(*c, found[0], d * 1000)
    return rows


def solve_rows(rng):
    rows = []

    def add(netuid, block_hash, hotkey, coldkey, d, start, count):
        p = prefix(netuid, block_hash, hotkey, coldkey)
        first = first_nonce(p, d, start, count)
        rows.append((netuid, block_hash, hotkey, coldkey, d, start, start + count, first))

    for block_hash in EDGE_HASHES:
        for key in EDGE_HASHES:
            add(1, block_hash, key, key, 1, 0, 1)
            add(65535, block_hash, key, key, 2, 0, 50)
            add(1, block_hash, key, key, 64, 2**64 - 300, 300)
            add(1, block_hash, key, key, 1, U64_MAX, 1)
            add(7, block_hash, key, key, U64_MAX, 2**63, 100)
    for _ in range(240):
        d = rng.choice([1, 2, 3, 5, 10, 50, 100, 300, 1000, 3000, U64_MAX, rand_difficulty(rng)])
        count = rng.choice([1, 2, rng.randint(1, 100), rng.randint(100, 3000)])
        start = rand_start(rng, count)
        add(rand_netuid(rng), rand_hash(rng), rand_hash(rng), rand_hash(rng), d, start, count)
    # Full-size native batches: one solution deep into the batch, one none.
    for d in (400_000, U64_MAX):
        add(rand_netuid(rng), rand_hash(rng), rand_hash(rng), rand_hash(rng), d,
            rng.getrandbits(63), MAX_ATTEMPTS)
    return rows


def main():
    out = sys.argv[1]
    rng = random.Random(0xB7_0002)
    write_csv(
        out,
        "v1_seal",
        ["netuid", "block_hash", "hotkey", "coldkey", "nonce", "seal", "difficulty", "meets"],
        seal_rows(rng),
    )
    write_csv(
        out,
        "v1_solve",
        ["netuid", "block_hash", "hotkey", "coldkey", "difficulty", "nonce_start", "nonce_end",
         "first_nonce"],
        solve_rows(rng),
    )


if __name__ == "__main__":
    main()
