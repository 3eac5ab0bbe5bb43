from types import ModuleType

from ._btpow import (
    MAX_ATTEMPTS as MAX_ATTEMPTS,
    PowGpuMiner as PowGpuMiner,
    engines as engines,
    meets as meets,
    opencl_devices as opencl_devices,
    pow_gpu_devices as pow_gpu_devices,
    pow_mine_cpu as pow_mine_cpu,
    seal as seal,
    solve as solve,
)

def patch_bittensor() -> ModuleType:
    """Make the installed Bittensor SDK mine with btpow; returns the
    ``bittensor_core`` module it replaced in ``bittensor.pow_registration``."""
