"""Legacy vectors from bittensor 9.12.2's pow.py (run in the legacy venv).

Writes legacy_seal.csv, legacy_difficulty.csv and legacy_solve.csv.
Usage: python gen_legacy.py OUT_DIR
"""

import random
import sys

from bittensor.utils.registration.pow import (
    _create_seal_hash,
    _hash_block_with_hotkey,
    _seal_meets_difficulty,
    _solve_for_nonce_block,
)

from common import (
    DIVISORS,
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


def python_meets(seal, d):
    return _seal_meets_difficulty(seal, d, L)


def chain_be_meets(seal, d):
    # subtensor hash_meets_difficulty: U256::from(bytes) (big-endian) times
    # difficulty must not overflow 256 bits.
    return int.from_bytes(seal, "big") * d <= L


def first_nonce(bh, d, start, end):
    sol = _solve_for_nonce_block(start, end, bh, d, L, 0)
    return None if sol is None else sol.nonce


def seal_rows(rng):
    rows = []

    def add(block_hash, hotkey, nonce, d):
        bh = _hash_block_with_hotkey(block_hash, hotkey)
        seal = _create_seal_hash(bh, nonce)
        rows.append((block_hash, hotkey, nonce, bh, seal, d, python_meets(seal, d)))

    # Every edge hash pair with every edge nonce, at both extreme difficulties.
    for block_hash in EDGE_HASHES:
        for hotkey in EDGE_HASHES:
            for nonce in EDGE_NONCES:
                for d in (1, U64_MAX):
                    add(block_hash, hotkey, nonce, d)
    # Random challenges and nonces, random difficulties.
    for _ in range(250):
        add(rand_hash(rng), rand_hash(rng), rand_nonce(rng), rand_difficulty(rng))
    # The difficulty right at each seal's boundary: the largest that passes
    # and the smallest that fails.
    for _ in range(60):
        block_hash, hotkey, nonce = rand_hash(rng), rand_hash(rng), rand_nonce(rng)
        seal = _create_seal_hash(_hash_block_with_hotkey(block_hash, hotkey), nonce)
        s = int.from_bytes(seal, "big")
        edge = (L - 1) // s if s else U64_MAX
        for d in sorted({clamp_difficulty(edge), clamp_difficulty(edge + 1)} - {None}):
            add(block_hash, hotkey, nonce, d)
    # Real solutions at moderate difficulty: seals with leading zeros.
    for _ in range(40):
        block_hash, hotkey = rand_hash(rng), rand_hash(rng)
        d = rng.choice([2, 7, 100, 1000, 5000])
        bh = _hash_block_with_hotkey(block_hash, hotkey)
        start = rng.getrandbits(64) - 200_000
        start = max(0, start)
        nonce = first_nonce(bh, d, start, start + 200_000)
        if nonce is not None:
            add(block_hash, hotkey, nonce, d)
            add(block_hash, hotkey, nonce, d * 1000)
    return rows


def difficulty_rows(rng):
    rows = []

    def add(s, d):
        seal = s.to_bytes(32, "big")
        rows.append((seal, d, python_meets(seal, d), chain_be_meets(seal, d)))

    for d in DIVISORS:
        assert L % d == 0
        for s in (L // d - 1, L // d, L // d + 1):
            if 0 <= s <= L:
                add(s, d)
    for s in (0, 1, L - 1, L):
        for d in (1, 2, U64_MAX):
            add(s, d)
    # Random seals against random difficulties (mostly fail), and seals
    # right at each random difficulty's two thresholds.
    for _ in range(120):
        add(rng.getrandbits(256), rand_difficulty(rng))
    for _ in range(90):
        d = rand_difficulty(rng)
        for t in sorted({L // d, (L - 1) // d}):
            for s in (t - 1, t, t + 1):
                if 0 <= s <= L:
                    add(s, d)
    return rows


def solve_rows(rng):
    rows = []

    def add(block_hash, hotkey, d, start, end):
        bh = _hash_block_with_hotkey(block_hash, hotkey)
        rows.append((block_hash, hotkey, d, start, end, first_nonce(bh, d, start, end)))

    for block_hash in EDGE_HASHES:
        for hotkey in EDGE_HASHES:
            add(block_hash, hotkey, 1, 0, 1)
            # Empty ranges, including the one at the very top: always None.
            add(block_hash, hotkey, 1, 0, 0)
            add(block_hash, hotkey, 1, 2**64, 2**64)
            add(block_hash, hotkey, 2, 0, 50)
            add(block_hash, hotkey, 64, 2**64 - 300, 2**64)
            add(block_hash, hotkey, U64_MAX, 2**63, 2**63 + 100)
    for _ in range(240):
        d = rng.choice([1, 2, 3, 5, 10, 50, 100, 300, 1000, 2000, U64_MAX, rand_difficulty(rng)])
        count = rng.choice([0, 1, 2, rng.randint(1, 100), rng.randint(100, 1500)])
        start = rand_start(rng, count)
        add(rand_hash(rng), rand_hash(rng), d, start, start + count)
    return rows


def main():
    out = sys.argv[1]
    rng = random.Random(0xB7_0001)
    write_csv(
        out,
        "legacy_seal",
        ["block_hash", "hotkey", "nonce", "block_and_hotkey_hash", "seal", "difficulty", "meets"],
        seal_rows(rng),
    )
    write_csv(
        out,
        "legacy_difficulty",
        ["seal", "difficulty", "python_meets", "chain_meets"],
        difficulty_rows(rng),
    )
    write_csv(
        out,
        "legacy_solve",
        ["block_hash", "hotkey", "difficulty", "nonce_start", "nonce_end", "first_nonce"],
        solve_rows(rng),
    )


if __name__ == "__main__":
    main()
