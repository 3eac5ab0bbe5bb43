"""btpow: Bittensor's registration proof-of-work on btpow's engines.

A drop-in for bittensor-core's miner (``pow_mine_cpu``, ``PowGpuMiner``,
``pow_gpu_devices``: the same arguments, checks and answers, on every core
with the fastest SIMD engine, or on GPUs: CUDA, or OpenCL on AMD, Intel and
Apple GPUs), and btpow's own API (``seal``, ``solve``, ``meets``,
``engines``, ``opencl_devices``) for both schemes and every acceptance
rule.

``patch_bittensor()`` points the installed Bittensor SDK's miner at btpow.
"""

from types import ModuleType as _ModuleType

from ._btpow import (
    MAX_ATTEMPTS,
    PowGpuMiner,
    engines,
    meets,
    opencl_devices,
    pow_gpu_devices,
    pow_mine_cpu,
    seal,
    solve,
)

__all__ = [
    "MAX_ATTEMPTS",
    "PowGpuMiner",
    "engines",
    "meets",
    "opencl_devices",
    "patch_bittensor",
    "pow_gpu_devices",
    "pow_mine_cpu",
    "seal",
    "solve",
]


class _MinerShim(_ModuleType):
    """bittensor-core as ``bittensor.pow_registration`` sees it after the
    patch: btpow's miner, and every other name from the real module."""

    def __init__(self, core):
        super().__init__(core.__name__, core.__doc__)
        self.__btpow_replaced__ = core
        self.pow_mine_cpu = pow_mine_cpu
        # The GPU miner only where btpow has a GPU to mine on (CUDA or
        # OpenCL): elsewhere bittensor-core's own stays, so no GPU path the
        # SDK had is lost.
        if pow_gpu_devices():
            self.PowGpuMiner = PowGpuMiner
            self.pow_gpu_devices = pow_gpu_devices

    def __getattr__(self, name):
        return getattr(self.__btpow_replaced__, name)


def patch_bittensor():
    """Make the installed Bittensor SDK mine with btpow.

    ``bittensor.pow_registration`` (bittensor 11.x: what ``btcli`` and the
    SDK's ``mine_pow_registration`` use) calls ``bittensor_core.pow_mine_cpu``
    for CPU batches and ``bittensor_core.PowGpuMiner`` /
    ``pow_gpu_devices`` for GPU ones. This replaces that module's reference
    to ``bittensor_core`` with one whose miner is btpow's (every other name
    still reaches bittensor-core): ``pow_mine_cpu`` always; ``PowGpuMiner``
    and ``pow_gpu_devices`` when btpow has a GPU to mine on (a CUDA device,
    or an OpenCL GPU), so that where it has none, bittensor-core's own GPU
    miner stays. Nothing else changes: ``bittensor_core`` itself, keys and
    signing stay as they were. With a GPU present, the SDK's
    ``backend="auto"`` now mines on it with btpow.

    Returns what was replaced (the ``bittensor_core`` module); assigning it
    back to ``bittensor.pow_registration.bittensor_core`` undoes the patch.
    Calling it again changes nothing and returns the same module. Raises
    ImportError when the SDK is not installed, and RuntimeError when it has
    no ``pow_registration`` miner to patch (bittensor before 11).
    """
    try:
        from bittensor import pow_registration
    except ImportError as e:
        raise ImportError(f"patch_bittensor: the Bittensor SDK is not importable: {e}") from e
    current = getattr(pow_registration, "bittensor_core", None)
    if current is None or not hasattr(pow_registration, "_mine_chunk"):
        raise RuntimeError(
            "patch_bittensor: this bittensor has no bittensor_core miner to patch "
            "(bittensor 11.x mines through bittensor.pow_registration)"
        )
    if isinstance(current, _MinerShim):
        return current.__btpow_replaced__
    pow_registration.bittensor_core = _MinerShim(current)
    return current
