"""btpow's Python call against bittensor-core's, in one process and one run.

    python python/benches/pow_mine_cpu.py [--seconds S]

Both miners get the SDK's batches (100,000 nonces from a random start, a
difficulty no nonce meets, so every nonce is hashed), in rounds of half a
second each, so the machine's noise falls on all of them alike; each
miner's rate is its best round. Prints nonces per second and
the ratios the targets are stated in: btpow on one thread over
bittensor-core (which hashes on the calling thread), and btpow on two
threads over btpow on one.
"""

import argparse
import os
import random
import time

import bittensor_core
import btpow

BATCH = 100_000
DIFFICULTY = (1 << 64) - 1
PREFIX = b"subtensor-pow-register-v1" + bytes([1, 0]) + bytes(range(96))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="time per miner (default 6)")
    args = parser.parse_args()
    threads = [1, 2] if (os.cpu_count() or 1) >= 2 else [1]
    miners = {"bittensor_core.pow_mine_cpu": lambda s: bittensor_core.pow_mine_cpu(PREFIX, DIFFICULTY, s, BATCH)}
    for t in threads:
        miners[f"btpow.pow_mine_cpu threads={t}"] = (
            lambda s, t=t: btpow.pow_mine_cpu(PREFIX, DIFFICULTY, s, BATCH, threads=t)
        )
    best = dict.fromkeys(miners, 0.0)
    rng = random.Random(1)
    for f in miners.values():  # warm up: engine detection, page faults
        f(rng.randrange(1 << 64))
    # Rounds: each miner in turn for a slice of about half a second; a
    # miner's rate is its best slice (as `btpow-bench compare` takes the best
    # of its windows): load from elsewhere only ever slows a slice down.
    for _ in range(max(1, round(args.seconds / 0.5))):
        for name, f in miners.items():
            began, hashed = time.perf_counter(), 0
            while time.perf_counter() - began < 0.5:
                result = f(rng.randrange(1 << 64))
                hashed += BATCH
                assert result is None, "no nonce meets difficulty 2^64-1 in practice"
            best[name] = max(best[name], hashed / (time.perf_counter() - began))
    rate = best
    print(f"engine: {btpow.engines()[0]}; batches of {BATCH} nonces; {args.seconds:g} s per miner")
    for name in miners:
        print(f"{name:<34} {rate[name] / 1e6:8.2f} M nonces/s")
    core = rate["bittensor_core.pow_mine_cpu"]
    one = rate["btpow.pow_mine_cpu threads=1"]
    print(f"ratio btpow 1 thread / bittensor-core      {one / core:6.2f}x")
    if 2 in threads:
        print(f"ratio btpow 2 threads / btpow 1 thread     {rate['btpow.pow_mine_cpu threads=2'] / one:6.2f}x")


if __name__ == "__main__":
    main()
