"""Compiles btpow's CUDA kernels to PTX with NVRTC, the way the engine does
at run time (btpow_core.h prepended to btpow_kernels.cu), for each
architecture given; fails on any error or warning. Needs no GPU: NVRTC comes
from PyPI (nvidia-cuda-nvrtc-cu12, see scripts/cuda-check).

    python nvrtc_check.py OUT_DIR compute_80 compute_90
"""

import ctypes
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_nvrtc(libdir=None):
    if libdir is None:
        import nvidia.cuda_nvrtc  # the CUDA 12 wheel of scripts/cuda-check

        libdir = os.path.join(list(nvidia.cuda_nvrtc.__path__)[0], "lib")
    candidates = sorted(glob.glob(os.path.join(libdir, "libnvrtc.so*")))
    lib = [c for c in candidates if "builtins" not in c]
    if not lib:
        raise SystemExit(f"no libnvrtc in {libdir}")
    return ctypes.CDLL(lib[0])


def check(nvrtc, rc, what):
    if rc != 0:
        nvrtc.nvrtcGetErrorString.restype = ctypes.c_char_p
        raise SystemExit(f"{what}: {nvrtc.nvrtcGetErrorString(rc).decode()}")


def compile_ptx(nvrtc, source, arch, opts=None):
    prog = ctypes.c_void_p()
    check(nvrtc, nvrtc.nvrtcCreateProgram(ctypes.byref(prog), source, b"btpow.cu", 0, None, None),
          "nvrtcCreateProgram")
    if opts is None:
        opts = [b"--std=c++17", b"--use_fast_math"]
    opts = [f"--gpu-architecture={arch}".encode()] + opts
    arr = (ctypes.c_char_p * len(opts))(*opts)
    rc = nvrtc.nvrtcCompileProgram(prog, len(opts), arr)
    size = ctypes.c_size_t()
    nvrtc.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    nvrtc.nvrtcGetProgramLog(prog, log)
    text = log.value.decode(errors="replace").strip()
    if rc != 0 or text:
        raise SystemExit(f"{arch}: NVRTC {'failed' if rc else 'warned'}:\n{text}")
    nvrtc.nvrtcGetPTXSize(prog, ctypes.byref(size))
    ptx = ctypes.create_string_buffer(size.value)
    check(nvrtc, nvrtc.nvrtcGetPTX(prog, ptx), "nvrtcGetPTX")
    return ptx.value.decode()


def kernel_source():
    """btpow_core.h, a newline, btpow_kernels.cu: the engine's KERNEL_SOURCE."""
    parts = []
    for name in ("btpow_core.h", "btpow_kernels.cu"):
        with open(os.path.join(HERE, name), "rb") as f:
            parts.append(f.read())
    return b"\n".join(parts)


def main():
    out_dir, *archs = sys.argv[1:]
    source = kernel_source()
    nvrtc = load_nvrtc()
    for arch in archs:
        ptx = compile_ptx(nvrtc, source, arch)
        for kernel in ("btpow_search_legacy", "btpow_search_v1", "btpow_search_v1_high", "btpow_seal"):
            if f".entry {kernel}" not in ptx:
                raise SystemExit(f"{arch}: kernel {kernel} missing from the PTX")
        path = os.path.join(out_dir, f"btpow_{arch}.ptx")
        with open(path, "w") as f:
            f.write(ptx)
        print(f"{arch}: {len(ptx)} bytes of PTX, 4 kernels, no warnings ({path})")


if __name__ == "__main__":
    main()
