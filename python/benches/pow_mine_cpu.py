"""btpow's Python call against bittensor-core's, in one process and one run.

    python python/benches/pow_mine_cpu.py [--seconds S]

Both miners get the SDK's batches (100,000 nonces from a random start, a
difficulty no nonce meets, so every nonce is hashed), rounds interleaved so
the machine's noise falls on all of them alike. Prints nonces per second and
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
    spent = dict.fromkeys(miners, 0.0)
    hashed = dict.fromkeys(miners, 0)
    rng = random.Random(1)
    for f in miners.values():  # warm up: engine detection, page faults
        f(rng.randrange(1 << 64))
    while min(spent.values()) < args.seconds:
        for name, f in miners.items():
            start = rng.randrange(1 << 64)
            began = time.perf_counter()
            result = f(start)
            spent[name] += time.perf_counter() - began
            hashed[name] += BATCH
            assert result is None, "no nonce meets difficulty 2^64-1 in practice"
    rate = {name: hashed[name] / spent[name] for name in miners}
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
