"""Type stubs for btpow's native module (re-exported by ``btpow``)."""

from typing import Optional, Sequence, Tuple, Union

Bytes = Union[bytes, bytearray, memoryview, Sequence[int]]
"""Anything that is a sequence of byte values."""

Value = Union[Bytes, str]
"""32 bytes, or text: hex (``0x`` optional) and, for accounts, SS58."""

MAX_ATTEMPTS: int
"""The most nonces one ``pow_mine_cpu`` batch may hold: 1048576."""

def pow_mine_cpu(
    prefix: Bytes, difficulty: int, start: int, attempts: int, *, threads: Optional[int] = None
) -> Optional[Tuple[int, bytes]]:
    """Search one bounded nonce interval on every core, without holding the GIL.

    bittensor-core 0.1.5's ``pow_mine_cpu`` contract: ``prefix`` is the SDK's
    123-byte ``registration_prefix`` (netuid not 0); the answer is the first
    nonce of ``start, start+1, …, start+attempts-1`` (modulo 2**64) whose
    seal meets ``difficulty``, as ``(nonce, seal)``, or None.

    Raises ValueError for a bad prefix, ``attempts`` outside 1..1048576 or
    difficulty 0 (in that order); OverflowError or TypeError for integers
    out of range or values of the wrong type. ``threads`` (keyword only;
    not in bittensor-core) defaults to every core, at most 16 per core; the
    threads are kept between calls, so batch after batch starts at once.
    """

def pow_gpu_devices() -> list[int]:
    """The GPUs btpow mines on, as indices: the CUDA devices first, then
    the OpenCL GPUs; empty without a usable GPU."""

def opencl_devices() -> list[Tuple[str, str, str, bool]]:
    """Every OpenCL device, GPU or not, as ``(id, name, platform, is_gpu)``;
    ``id`` (``"platform:device"``) is what ``PowGpuMiner(opencl_devices=...)``
    takes. Empty without an OpenCL loader."""

class PowGpuMiner:
    """bittensor-core's ``PowGpuMiner`` contract on btpow's GPU kernels
    (CUDA, or OpenCL on AMD, Intel and Apple GPUs: the same hash core)."""

    def __init__(
        self,
        device_ids: Optional[Sequence[int]] = None,
        opencl_devices: Optional[Sequence[str]] = None,
    ) -> None:
        """Opens the GPUs ``device_ids`` selects (indices of
        ``pow_gpu_devices()``; when None, every GPU of the first kind there
        is, CUDA first), or the OpenCL devices ``opencl_devices`` names
        (``"platform:device"``, any device type: PoCL's CPU device, say).
        RuntimeError without a usable GPU."""

    @property
    def devices(self) -> list[int]:
        """The device indices this miner runs on."""

    def mine(
        self, prefix: Bytes, difficulty: int, start: int, attempts_per_device: int
    ) -> Optional[Tuple[int, bytes]]:
        """The first valid nonce of the ``len(devices) * attempts_per_device``
        nonces from ``start`` (modulo 2**64), as ``(nonce, seal)``, or None.
        The same argument checks as ``pow_mine_cpu``."""

def seal(
    nonce: int,
    *,
    scheme: str = "v1",
    prefix: Optional[Bytes] = None,
    block_hash: Optional[Value] = None,
    hotkey: Optional[Value] = None,
    coldkey: Optional[Value] = None,
    netuid: Optional[int] = None,
) -> bytes:
    """The seal of ``nonce`` (the reference engine).

    The challenge: for ``scheme="v1"`` a 123-byte ``prefix`` (the SDK's
    ``registration_prefix``: it must begin with the domain tag
    ``b"subtensor-pow-register-v1"``, as ``pow_mine_cpu`` checks; netuid 0
    is taken), or ``block_hash``, ``hotkey``, ``coldkey`` and ``netuid``;
    for ``scheme="legacy"`` ``block_hash`` and ``hotkey``. ValueError for a
    missing, stray or malformed part.
    """

def meets(seal: Bytes, difficulty: int, rule: str = "v1") -> bool:
    """Whether a 32-byte seal meets ``difficulty`` under ``rule``:
    ``python``, ``chain-be``, ``chain-le`` (legacy) or ``v1``."""

def solve(
    difficulty: int,
    *,
    scheme: str = "v1",
    prefix: Optional[Bytes] = None,
    block_hash: Optional[Value] = None,
    hotkey: Optional[Value] = None,
    coldkey: Optional[Value] = None,
    netuid: Optional[int] = None,
    rule: Optional[str] = None,
    start: int = 0,
    attempts: Optional[int] = None,
    engine: Optional[str] = None,
    threads: Optional[int] = None,
    max_time: Optional[float] = None,
) -> Optional[Tuple[int, bytes]]:
    """Solve a challenge (given as for ``seal``): ``(nonce, seal)`` or None.

    ``rule`` defaults to ``python`` for legacy and ``v1`` for v1. With
    ``attempts``, the first valid nonce of ``[start, start + attempts)`` in
    ascending order: ``attempts`` is at least 1 (ValueError for 0, as
    ``pow_mine_cpu`` refuses an empty batch; there is no upper bound but
    that the range may not pass 2**64-1). Without, a search from ``start``
    in the scheme's fastest order until a solution, ``max_time`` seconds
    (more than 0, at most 1e9; then None) or Ctrl-C (KeyboardInterrupt).
    ``engine`` is one of ``engines()`` (default: the fastest CPU engine),
    ``threads`` defaults to every core (at most 16 per core). Every answer
    is re-checked by the reference engine. The GIL is released while
    hashing.
    """

def engines() -> list[str]:
    """The engines this machine runs, the fastest CPU engine first."""
