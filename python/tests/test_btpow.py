"""btpow's Python module held to bittensor-core 0.1.5 and bittensor 11.3.0.

Runs in the pinned v1 environment (vectors/.venv/v1) with the wheel built
in the same run installed:  python -m unittest discover -s python/tests
Environment: BTPOW_VECTORS (the vectors folder), BTPOW_BENCH (the
btpow-bench binary, for the error-message checks), BTPOW_CASES (random
cases, default 10000).
"""

import csv
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import unittest
from pathlib import Path

import bittensor_core
import btpow
from bittensor import pow_registration
from bittensor.pow_registration import registration_seal

ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(os.environ.get("BTPOW_VECTORS", ROOT / "vectors"))
CASES = int(os.environ.get("BTPOW_CASES", "10000"))
L = 1 << 256
U64 = 1 << 64
DOMAIN = b"subtensor-pow-register-v1"


def prefix(netuid, block_hash, hotkey, coldkey):
    return DOMAIN + netuid.to_bytes(2, "little") + block_hash + hotkey + coldkey


def outcome(f, *args):
    """What a call did: its value, or its exception's type and message."""
    try:
        return ("value", f(*args))
    except Exception as e:  # noqa: BLE001 - the exception is the answer
        return ("raised", type(e), str(e))


def same_outcome(test, args):
    ours = outcome(btpow.pow_mine_cpu, *args)
    theirs = outcome(bittensor_core.pow_mine_cpu, *args)
    if theirs[0] == "raised" and theirs[1] is not ValueError:
        # Conversion errors (OverflowError, TypeError): the same type.
        test.assertEqual(ours[:2], theirs[:2], repr(args)[:200])
    else:
        test.assertEqual(ours, theirs, repr(args)[:200])
    return theirs


def rows(name):
    with open(VECTORS / f"{name}.csv", newline="") as f:
        return list(csv.DictReader(f))


class Vectors(unittest.TestCase):
    def test_v1_seal(self):
        n = 0
        for r in rows("v1_seal"):
            p = prefix(int(r["netuid"]), *(bytes.fromhex(r[k]) for k in ("block_hash", "hotkey", "coldkey")))
            nonce, d = int(r["nonce"]), int(r["difficulty"])
            s = btpow.seal(nonce, prefix=p)
            self.assertEqual(s.hex(), r["seal"])
            self.assertEqual(
                s,
                btpow.seal(
                    nonce,
                    block_hash=r["block_hash"],
                    hotkey=bytes.fromhex(r["hotkey"]),
                    coldkey="0x" + r["coldkey"],
                    netuid=int(r["netuid"]),
                ),
            )
            self.assertEqual(btpow.meets(s, d), r["meets"] == "true")
            n += 1
        self.assertGreater(n, 400)

    def test_v1_solve(self):
        n = 0
        for r in rows("v1_solve"):
            p = prefix(int(r["netuid"]), *(bytes.fromhex(r[k]) for k in ("block_hash", "hotkey", "coldkey")))
            d, start, end = int(r["difficulty"]), int(r["nonce_start"]), int(r["nonce_end"])
            want = None if r["first_nonce"] == "" else int(r["first_nonce"])
            got = btpow.solve(d, prefix=p, start=start, attempts=end - start)
            self.assertEqual(None if got is None else got[0], want, r)
            if int(r["netuid"]) != 0 and 1 <= end - start <= btpow.MAX_ATTEMPTS:
                theirs = same_outcome(self, (p, d, start, end - start))
                self.assertEqual(theirs[0], "value")
                self.assertEqual(None if theirs[1] is None else theirs[1][0], want)
                n += 1
        self.assertGreater(n, 100)

    def test_legacy_seal_and_solve(self):
        for r in rows("legacy_seal"):
            s = btpow.seal(int(r["nonce"]), scheme="legacy", block_hash=r["block_hash"], hotkey=r["hotkey"])
            self.assertEqual(s.hex(), r["seal"])
            self.assertEqual(btpow.meets(s, int(r["difficulty"]), "python"), r["meets"] == "true")
        for r in rows("legacy_solve"):
            d, start, end = int(r["difficulty"]), int(r["nonce_start"]), int(r["nonce_end"])
            if start >= U64:
                # pow.py's empty range past the nonce space: nonces are 64-bit here.
                self.assertEqual(r["first_nonce"], "")
                with self.assertRaises(OverflowError):
                    btpow.solve(d, scheme="legacy", block_hash=r["block_hash"], hotkey=r["hotkey"], start=start)
                continue
            if end == start:
                # pow.py's empty range: refused, as pow_mine_cpu refuses 0 attempts.
                self.assertEqual(r["first_nonce"], "")
                with self.assertRaisesRegex(ValueError, "attempts"):
                    btpow.solve(
                        d, scheme="legacy", block_hash=r["block_hash"], hotkey=r["hotkey"], start=start, attempts=0
                    )
                continue
            got = btpow.solve(
                d, scheme="legacy", block_hash=r["block_hash"], hotkey=r["hotkey"], start=start, attempts=end - start
            )
            want = None if r["first_nonce"] in ("", "-1") else int(r["first_nonce"])
            self.assertEqual(None if got is None else got[0], want, r)


def random_cases():
    """CASES random (prefix, difficulty, start, attempts), the same ones for
    every miner compared with bittensor-core: every kind of netuid,
    difficulties from 1 to 2**64-1, starts at the top of the range."""
    rng = random.Random(20261202)
    difficulties = [1, 2, 3, 7, 50, 1000, 65536, 10**7, 2**32, 2**63, U64 - 1]
    for _ in range(CASES):
        netuid = rng.choice([1, 1, 2, 3, 255, 65535, rng.randrange(1, 65536)])
        p = prefix(netuid, rng.randbytes(32), rng.randbytes(32), rng.randbytes(32))
        d = rng.choice(difficulties + [rng.randrange(1, 5000), rng.randrange(1, U64)])
        start = rng.choice([0, rng.randrange(U64), U64 - 1 - rng.randrange(400), rng.randrange(1000)])
        attempts = rng.choice([1, 2, rng.randrange(1, 64), rng.randrange(1, 400)])
        yield p, d, start, attempts


class DropIn(unittest.TestCase):
    """pow_mine_cpu answers exactly as bittensor_core.pow_mine_cpu does."""

    def test_random_cases(self):
        found = none = 0
        for p, d, start, attempts in random_cases():
            theirs = same_outcome(self, (p, d, start, attempts))
            if theirs[0] == "value":
                if theirs[1] is None:
                    none += 1
                else:
                    found += 1
        # Both kinds of answer were compared many times.
        self.assertGreater(found, CASES // 10)
        self.assertGreater(none, CASES // 10)

    def test_large_batches_and_the_top_of_the_range(self):
        p = prefix(1, bytes(32), bytes(32), bytes(32))
        for d, start, attempts in [
            (2**20, 0, btpow.MAX_ATTEMPTS),
            (2**22, 12345, btpow.MAX_ATTEMPTS),
            (U64 - 1, 7, btpow.MAX_ATTEMPTS),
            (3, U64 - 8, 20),
            (579, U64 - 2, 21),  # the first valid nonce is after the wrap
            (2**16, U64 - 50_000, 100_000),
            (1, U64 - 1, 1),
            (U64 - 1, U64 - 1, btpow.MAX_ATTEMPTS),
        ]:
            same_outcome(self, (p, d, start, attempts))
        theirs = same_outcome(self, (p, 579, U64 - 2, 21))
        self.assertEqual(theirs[1][0], 18, "the first nonce after 2^64-1 is 0")

    def test_bad_arguments(self):
        p = prefix(1, bytes(32), bytes(32), bytes(32))
        bad = [
            (p[:-1], 1, 0, 1),
            (p + b"x", 1, 0, 1),
            (b"", 1, 0, 1),
            (b"S" + p[1:], 1, 0, 1),
            (prefix(0, bytes(32), bytes(32), bytes(32)), 1, 0, 1),
            (p, 1, 0, 0),
            (p, 1, 0, btpow.MAX_ATTEMPTS + 1),
            (p, 0, 0, 1),
            (p[:5], 0, 0, 0),
            (prefix(0, bytes(32), bytes(32), bytes(32)), 0, 0, 0),
            (p, 0, 0, 0),
            (p, U64, 0, 1),
            (p, -1, 0, 1),
            (p, 1, -1, 1),
            (p, 1, U64, 1),
            (p, 1, 0, -1),
            (p, 1, 0, 2**32),
            (p, 1, 0, 2**63),
            (p, 1, 0, U64),
            (p, 1.0, 0, 1),
            (p, 1, 1.5, 1),
            (p, 1, 0, 1.0),
            (p, "1", 0, 1),
            ("x" * 123, 1, 0, 1),
            (None, 1, 0, 1),
            ([256] + list(p[1:]), 1, 0, 1),
            ([-1] + list(p[1:]), 1, 0, 1),
        ]
        for args in bad:
            theirs = same_outcome(self, args)
            self.assertEqual(theirs[0], "raised", args)
        for args in [(p, 1, 0), (p, 1, 0, 1, 2), ()]:
            self.assertEqual(outcome(btpow.pow_mine_cpu, *args)[:2], outcome(bittensor_core.pow_mine_cpu, *args)[:2])

    def test_other_sequences_and_integers(self):
        p = prefix(9, bytes(range(32)), bytes(32), bytes(32))

        class Index:
            def __index__(self):
                return 7

        for args in [
            (bytearray(p), 5, 0, 40),
            (list(p), 5, 0, 40),
            (tuple(p), 5, 0, 40),
            (memoryview(p), 5, 0, 40),
            (p, True, True, True),
            (p, Index(), Index(), Index()),
        ]:
            self.assertEqual(same_outcome(self, args)[0], "value")
        self.assertEqual(
            btpow.pow_mine_cpu(prefix=p, difficulty=5, start=0, attempts=40),
            bittensor_core.pow_mine_cpu(prefix=p, difficulty=5, start=0, attempts=40),
        )

    def test_threads_do_not_change_the_answer(self):
        p = prefix(3, bytes(32), bytes(32), bytes(32))
        want = bittensor_core.pow_mine_cpu(p, 5000, 10, 100_000)
        for threads in (1, 2, 3, 8, 1, 2):
            self.assertEqual(btpow.pow_mine_cpu(p, 5000, 10, 100_000, threads=threads), want)
        with self.assertRaises(ValueError):
            btpow.pow_mine_cpu(p, 5000, 10, 100_000, threads=0)

    def test_gpu_miner(self):
        p = prefix(1, bytes(32), bytes(32), bytes(32))
        devices = btpow.pow_gpu_devices()
        self.assertIsInstance(devices, list)
        if not devices:
            with self.assertRaises(RuntimeError) as e:
                btpow.PowGpuMiner()
            self.assertTrue(str(e.exception), "a reason is given")
            with self.assertRaises(RuntimeError):
                btpow.PowGpuMiner([0])
            with self.assertRaises(ValueError):
                btpow.PowGpuMiner([0], opencl_devices=["0:0"])
            with self.assertRaises(ValueError):
                btpow.PowGpuMiner(opencl_devices=["not a device"])
            return
        miner = btpow.PowGpuMiner(None)
        self.assertEqual(miner.devices, devices)
        n = len(devices)
        for d, start, per in [(2**16, 0, 100_000), (579, U64 - 2, 21), (U64 - 1, 0, 1000)]:
            want = btpow.pow_mine_cpu(p, d, start, per * n) if per * n <= btpow.MAX_ATTEMPTS else None
            self.assertEqual(miner.mine(p, d, start, per), want)
        with self.assertRaises(ValueError):
            miner.mine(p, 1, 0, 0)


def pocl_device():
    """PoCL's device id (OpenCL on the CPU), or None."""
    for device_id, _name, platform, _gpu in btpow.opencl_devices():
        if "Portable Computing Language" in platform:
            return device_id
    return None


class OpenClMiner(unittest.TestCase):
    """PowGpuMiner with the OpenCL engine, on PoCL's CPU device (named
    explicitly: it is not a GPU), answers as bittensor_core.pow_mine_cpu on
    the same random cases as the CPU miner. BTPOW_REQUIRE_OPENCL=1 (as
    scripts/python-check sets) makes a missing PoCL a failure, not a skip."""

    def setUp(self):
        self.device = pocl_device()
        if self.device is None:
            if os.environ.get("BTPOW_REQUIRE_OPENCL") == "1":
                self.fail("PoCL's OpenCL device is required (BTPOW_REQUIRE_OPENCL=1) but not found")
            self.skipTest("no PoCL device (OpenCL on the CPU) here")

    def test_random_cases_as_bittensor_core(self):
        miner = btpow.PowGpuMiner(opencl_devices=[self.device])
        self.assertEqual(miner.devices, [0])
        found = none = 0
        for p, d, start, attempts in random_cases():
            want = bittensor_core.pow_mine_cpu(p, d, start, attempts)
            got = miner.mine(p, d, start, attempts)
            self.assertEqual(got, want, (p.hex(), d, start, attempts))
            if want is None:
                none += 1
            else:
                found += 1
        self.assertGreater(found, CASES // 10)
        self.assertGreater(none, CASES // 10)

    def test_a_large_batch_and_bad_arguments(self):
        miner = btpow.PowGpuMiner(opencl_devices=[self.device])
        p = prefix(1, bytes(32), bytes(32), bytes(32))
        self.assertEqual(miner.mine(p, 2**16, 0, 300_000), bittensor_core.pow_mine_cpu(p, 2**16, 0, 300_000))
        with self.assertRaises(ValueError):
            miner.mine(p, 1, 0, 0)
        with self.assertRaises(RuntimeError):
            btpow.PowGpuMiner(opencl_devices=["99:99"])

    def test_errors_name_no_flag_of_the_command_line(self):
        """The OpenCL engine's errors say what is there, and advise only
        what Python can do: solve(engine="opencl") takes its devices from
        BTPOW_OPENCL_DEVICES (the command line's --devices is not Python's)."""
        p = prefix(1, bytes(32), bytes(32), bytes(32))
        with self.assertRaises(RuntimeError) as e:
            btpow.PowGpuMiner(opencl_devices=["99:99"])
        text = str(e.exception)
        self.assertIn("OpenCL device 99:99 does not exist (the devices are", text)
        self.assertNotIn("--devices", text)
        self.assertNotIn("btpow-bench", text)
        if any(gpu for _id, _name, _platform, gpu in btpow.opencl_devices()):
            return  # an OpenCL GPU: solve(engine="opencl") runs on it
        saved = os.environ.pop("BTPOW_OPENCL_DEVICES", None)
        try:
            with self.assertRaises(RuntimeError) as e:
                btpow.solve(1000, prefix=p, attempts=1000, engine="opencl")
        finally:
            if saved is not None:
                os.environ["BTPOW_OPENCL_DEVICES"] = saved
        text = str(e.exception)
        self.assertIn(f"device {self.device} is not a GPU", text)
        self.assertIn("BTPOW_OPENCL_DEVICES names the devices to use", text)
        self.assertNotIn("--devices", text)
        os.environ["BTPOW_OPENCL_DEVICES"] = self.device
        try:
            self.assertEqual(
                btpow.solve(2**10, prefix=p, attempts=100_000, engine="opencl"),
                btpow.solve(2**10, prefix=p, attempts=100_000, engine="reference"),
            )
        finally:
            if saved is None:
                del os.environ["BTPOW_OPENCL_DEVICES"]
            else:
                os.environ["BTPOW_OPENCL_DEVICES"] = saved


class PatchBittensor(unittest.TestCase):
    def tearDown(self):
        core = pow_registration.bittensor_core
        pow_registration.bittensor_core = getattr(core, "__btpow_replaced__", core)

    def test_the_sdk_mines_with_btpow(self):
        replaced = btpow.patch_bittensor()
        self.assertIs(replaced, bittensor_core)
        self.assertIs(btpow.patch_bittensor(), bittensor_core, "a second patch changes nothing")
        shim = pow_registration.bittensor_core
        self.assertIs(shim.pow_mine_cpu, btpow.pow_mine_cpu)
        if btpow.pow_gpu_devices():
            self.assertIs(shim.PowGpuMiner, btpow.PowGpuMiner)
            self.assertIs(shim.pow_gpu_devices, btpow.pow_gpu_devices)
        else:
            # No GPU for btpow: bittensor-core's own GPU miner stays.
            self.assertIs(shim.PowGpuMiner, bittensor_core.PowGpuMiner)
            self.assertIs(shim.pow_gpu_devices, bittensor_core.pow_gpu_devices)
        self.assertIs(shim.Keypair, bittensor_core.Keypair, "the rest is bittensor-core's")
        self.assertIs(bittensor_core.pow_mine_cpu, replaced.pow_mine_cpu, "bittensor_core itself is untouched")

        # The SDK's own chunk miner now calls btpow: count the calls.
        calls = []

        def counted(*args):
            calls.append(args)
            return btpow.pow_mine_cpu(*args)

        shim.pow_mine_cpu = counted
        rng = random.Random(7)
        found = 0
        for _ in range(200):
            p = prefix(rng.randrange(1, 65536), rng.randbytes(32), rng.randbytes(32), rng.randbytes(32))
            d = rng.choice([1, 10, 1000, 100_000, 2**40])
            start = rng.randrange(U64)
            result = pow_registration._mine_chunk(p, d, start, 10_000)
            self.assertEqual(result, (lambda r: None if r is None else (r[0], r[1].hex()))(
                bittensor_core.pow_mine_cpu(p, d, start, 10_000)
            ))
            if result is not None:
                nonce, work_hex = result
                seal = registration_seal(p, nonce)
                self.assertEqual(work_hex, seal.hex())
                self.assertLessEqual(int.from_bytes(seal, "little"), (L - 1) // d)
                found += 1
        self.assertEqual(len(calls), 200)
        self.assertGreater(found, 50)

    def test_undo(self):
        replaced = btpow.patch_bittensor()
        pow_registration.bittensor_core = replaced
        self.assertIs(pow_registration.bittensor_core.pow_mine_cpu, bittensor_core.pow_mine_cpu)


class GeneralApi(unittest.TestCase):
    V1 = dict(block_hash="11" * 32, hotkey="22" * 32, coldkey="33" * 32, netuid=5)
    LEGACY = dict(scheme="legacy", block_hash="44" * 32, hotkey="5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")

    def test_every_engine_and_rule_agrees_with_the_reference(self):
        cases = [(self.V1, "v1")] + [(self.LEGACY, r) for r in ("python", "chain-be", "chain-le")]
        for challenge, rule in cases:
            want = btpow.solve(3000, rule=rule, attempts=200_000, engine="reference", threads=1, **challenge)
            self.assertIsNotNone(want)
            self.assertEqual(btpow.seal(want[0], **challenge), want[1])
            self.assertTrue(btpow.meets(want[1], 3000, rule))
            for engine in btpow.engines():
                for threads in (1, 2):
                    got = btpow.solve(3000, rule=rule, attempts=200_000, engine=engine, threads=threads, **challenge)
                    self.assertEqual(got, want, (rule, engine, threads))

    def test_unbounded_solve(self):
        nonce, seal = btpow.solve(10_000, **self.V1)
        self.assertEqual(btpow.seal(nonce, **self.V1), seal)
        self.assertTrue(btpow.meets(seal, 10_000))
        p = prefix(5, bytes.fromhex("11" * 32), bytes.fromhex("22" * 32), bytes.fromhex("33" * 32))
        self.assertEqual(btpow.seal(nonce, prefix=p), seal)
        self.assertEqual(registration_seal(p, nonce), seal)

    def test_max_time(self):
        began = time.monotonic()
        self.assertIsNone(btpow.solve(U64 - 1, max_time=0.3, **self.V1))
        self.assertLess(time.monotonic() - began, 3)

    def test_ctrl_c(self):
        script = textwrap.dedent(
            """
            import sys, btpow
            print("solving", flush=True)
            try:
                btpow.solve(2**64 - 1, prefix=b"subtensor-pow-register-v1" + bytes([1, 0]) + bytes(96))
            except KeyboardInterrupt:
                sys.exit(42)
            sys.exit(1)
            """
        )
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd="/")
        self.addCleanup(proc.stdout.close)
        self.assertEqual(proc.stdout.readline().strip(), b"solving")
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        self.assertEqual(proc.wait(timeout=10), 42)
        self.assertLess(time.monotonic() - sent, 3)

    def test_bad_input(self):
        for kwargs, words in [
            (dict(difficulty=0, **self.V1), "difficulty"),
            (dict(difficulty=1, scheme="v2"), "unknown scheme"),
            (dict(difficulty=1, rule="chain", **self.V1), "rule"),
            (dict(difficulty=1, rule="chain-be", **self.V1), "legacy"),
            (dict(difficulty=1, engine="gpu", **self.V1), "unknown engine"),
            (dict(difficulty=1, block_hash="zz", hotkey="22" * 32, coldkey="33" * 32, netuid=1), "block_hash"),
            (dict(difficulty=1, block_hash=b"1", hotkey="22" * 32, coldkey="33" * 32, netuid=1), "32 bytes"),
            (dict(difficulty=1, block_hash="11" * 32, hotkey="5Grw", coldkey="33" * 32, netuid=1), "hotkey"),
            (dict(difficulty=1, block_hash="11" * 32, hotkey="22" * 32, coldkey="33" * 32), "netuid"),
            (dict(difficulty=1, coldkey="33" * 32, netuid=1, **self.LEGACY), "legacy"),
            (dict(difficulty=1, prefix=bytes(10)), "123 bytes"),
            (dict(difficulty=1, prefix=bytes(123), **self.V1), "not both"),
            (dict(difficulty=1, start=U64 - 1, attempts=2, **self.V1), "2^64-1"),
            (dict(difficulty=1, threads=0, **self.V1), "threads"),
            (dict(difficulty=1, threads=10**6, **self.V1), "16 per core"),
            (dict(difficulty=1, max_time=-1, **self.V1), "max_time"),
            (dict(difficulty=1, max_time=float("nan"), **self.V1), "max_time"),
        ]:
            with self.assertRaises(ValueError, msg=kwargs) as e:
                btpow.solve(**kwargs)
            self.assertIn(words, str(e.exception), kwargs)
        with self.assertRaises(OverflowError):
            btpow.solve(-1, **self.V1)
        with self.assertRaises(ValueError):
            btpow.meets(bytes(31), 1)

    def test_a_netuid_out_of_range_is_named_with_its_range(self):
        for bad in (65536, -1, 10**30):
            calls = (
                lambda: btpow.seal(1, **dict(self.V1, netuid=bad)),
                lambda: btpow.solve(1, attempts=1, **dict(self.V1, netuid=bad)),
            )
            for call in calls:
                with self.assertRaises(OverflowError, msg=bad) as e:
                    call()
                self.assertIn("netuid", str(e.exception))
                self.assertIn("0 to 65535", str(e.exception))
        with self.assertRaises(TypeError) as e:
            btpow.seal(1, **dict(self.V1, netuid="5"))
        self.assertIn("netuid", str(e.exception))
        # The ends of the range are subnets.
        for good in (0, 65535):
            self.assertEqual(len(btpow.seal(1, **dict(self.V1, netuid=good))), 32)

    def test_an_empty_range_is_refused_as_pow_mine_cpu_refuses_it(self):
        p = prefix(5, bytes.fromhex("11" * 32), bytes.fromhex("22" * 32), bytes.fromhex("33" * 32))
        for start in (0, 7, U64 - 1):
            theirs = same_outcome(self, (p, 1, start, 0))
            self.assertEqual(theirs[:2], ("raised", ValueError))
            for challenge in (dict(prefix=p), self.V1, self.LEGACY):
                with self.assertRaises(ValueError, msg=(start, challenge)) as e:
                    btpow.solve(1, start=start, attempts=0, **challenge)
                self.assertIn("attempts must be at least 1", str(e.exception))
        # One nonce is the smallest range, for both.
        self.assertEqual(btpow.solve(1, prefix=p, start=U64 - 1, attempts=1), btpow.pow_mine_cpu(p, 1, U64 - 1, 1))

    def test_a_raw_prefix_needs_the_domain_tag(self):
        p = prefix(5, bytes.fromhex("11" * 32), bytes.fromhex("22" * 32), bytes.fromhex("33" * 32))
        self.assertEqual(btpow.seal(3, prefix=p), btpow.seal(3, **self.V1))
        for bad in (b"S" + p[1:], bytes(123), p[:24] + b"2" + p[25:], b"x" * 123):
            self.assertEqual(same_outcome(self, (bad, 1, 0, 1))[:2], ("raised", ValueError))
            with self.assertRaises(ValueError) as e:
                btpow.seal(3, prefix=bad)
            self.assertIn("subtensor-pow-register-v1", str(e.exception))
            with self.assertRaises(ValueError) as e:
                btpow.solve(1, prefix=bad, attempts=1)
            self.assertIn("subtensor-pow-register-v1", str(e.exception))
        # netuid 0 (root) is a challenge seal and solve compute, as from its parts.
        root = prefix(0, bytes.fromhex("11" * 32), bytes.fromhex("22" * 32), bytes.fromhex("33" * 32))
        self.assertEqual(btpow.seal(3, prefix=root), btpow.seal(3, **dict(self.V1, netuid=0)))
        self.assertIsNotNone(btpow.solve(1, prefix=root, attempts=1))

    def test_huge_max_time_is_reported_briefly(self):
        for max_time in (1e300, float("inf"), 1.7976931348623157e308, 2e9, 1e9 + 1):
            with self.assertRaises(ValueError, msg=max_time) as e:
                btpow.solve(1, max_time=max_time, **self.V1)
            message = str(e.exception)
            self.assertIn("max_time", message)
            self.assertIn("too long (at most 1e9 s)", message)
            self.assertLess(len(message), 80, message)
        for max_time in (-1e300, float("-inf"), -1.0, 0.0, float("nan")):
            with self.assertRaises(ValueError, msg=max_time) as e:
                btpow.solve(1, max_time=max_time, **self.V1)
            self.assertIn("max_time", str(e.exception))
            self.assertLess(len(str(e.exception)), 80, str(e.exception))
        # The bound itself is taken.
        self.assertIsNotNone(btpow.solve(1, attempts=1, max_time=1e9, **self.V1))

    @unittest.skipUnless(os.environ.get("BTPOW_BENCH"), "BTPOW_BENCH (the btpow-bench binary) is not set")
    def test_messages_are_the_command_lines(self):
        bench = os.environ["BTPOW_BENCH"]
        for py_kwargs, cli_args in [
            (dict(difficulty=0), ["--difficulty", "0"]),
            (dict(difficulty=1, rule="chain-be"), ["--difficulty", "1", "--rule", "chain-be"]),
            (dict(difficulty=1, engine="gpu"), ["--difficulty", "1", "--engine", "gpu"]),
        ]:
            with self.assertRaises(ValueError) as e:
                btpow.solve(**py_kwargs, **self.V1)
            cli = subprocess.run(
                [bench, "solve", "--offline", "--scheme", "v1", "--block-hash", "11" * 32, "--hotkey", "22" * 32,
                 "--coldkey", "33" * 32, "--netuid", "5", "--max-time", "1", *cli_args],
                capture_output=True, text=True,
            )
            self.assertNotEqual(cli.returncode, 0)
            self.assertIn(str(e.exception), cli.stderr, (py_kwargs, cli.stderr))


if __name__ == "__main__":
    unittest.main()
