"""Shared by both generators: the value distributions and CSV writing.

Only the generators' choice of inputs lives here. Every seal, verdict and
first nonce in the files comes from the real Python implementations
(gen_legacy.py: bittensor 9.12.2 pow.py; gen_v1.py: bittensor 11.3.0 and
bittensor-core 0.1.5).
"""

import os

L = 2**256 - 1
U64_MAX = 2**64 - 1

EDGE_NONCES = [0, 1, 2**32, 2**40 - 1, 2**63, U64_MAX]
EDGE_HASHES = [bytes(32), b"\xff" * 32]
# Difficulties that divide 2^256-1, where the strict and non-strict rules differ.
DIVISORS = [1, 3, 5, 15, 17, 255, 257, 641, 65537, 6700417, 4294967297, U64_MAX]


def rand_bytes(rng, n=32):
    return rng.getrandbits(8 * n).to_bytes(n, "big")


def rand_hash(rng):
    """Mostly random, sometimes an edge value."""
    r = rng.random()
    if r < 0.04:
        return bytes(32)
    if r < 0.08:
        return b"\xff" * 32
    return rand_bytes(rng)


def rand_nonce(rng):
    r = rng.random()
    if r < 0.15:
        return rng.choice(EDGE_NONCES)
    if r < 0.4:
        return rng.getrandbits(rng.randint(1, 40))
    return rng.getrandbits(64)


def rand_difficulty(rng):
    """Log-uniform over 1..2^64-1, with the extremes now and then."""
    r = rng.random()
    if r < 0.08:
        return 1
    if r < 0.16:
        return U64_MAX
    return max(1, rng.getrandbits(rng.randint(1, 64)))


def rand_start(rng, count):
    """A range start: 0, the top (the range ends at 2^64), an edge nonce, or
    random; always leaving room for `count` nonces below 2^64."""
    r = rng.random()
    if r < 0.15:
        start = 0
    elif r < 0.3:
        start = 2**64 - count
    elif r < 0.4:
        start = rng.choice(EDGE_NONCES[:-1])
    else:
        start = rng.getrandbits(64)
    return min(start, 2**64 - count)


def clamp_difficulty(d):
    return d if 1 <= d <= U64_MAX else None


def write_csv(out_dir, name, header, rows):
    path = os.path.join(out_dir, name + ".csv")
    with open(path, "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            assert len(row) == len(header), (name, row)
            f.write(",".join(fmt(v) for v in row) + "\n")
    print(f"{path}: {len(rows)} rows")


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, int):
        return str(v)
    raise TypeError(v)
