"""btpow's GPU kernels on paper: SASS statistics and a speed model, no GPU needed.

The kernels are compiled the way the CUDA engine compiles them at run time
(NVRTC, `--gpu-architecture=sm_XY --std=c++17`, btpow_core.h then
btpow_kernels.cu), then to SASS by `ptxas` for each architecture below, and
disassembled by `nvdisasm`: all three from NVIDIA's PyPI wheels
(kernels/requirements-sass.txt, installed by scripts/gpu-model).

For every search kernel and architecture it reports registers, spills,
occupancy at the engine's 256-thread blocks, and the dynamic SASS
instruction count per nonce, by class, read from the disassembly's control
flow: the grid-stride loop (one nonce per trip) is found by its back edge,
loops nested in it are weighted by the trip count read from their counter
(its initial value, step and bound in the SASS), and the count per nonce is
the shortest path through the loop body that reaches neither the atomic nor
a call (the full check, out of line): the path of a nonce rejected by the
early test. A control-flow shape it does not
understand fails the run.

From those counts and NVIDIA's published figures it predicts an issue-bound
upper limit on nonces/s per GPU, calibrated against hashcat's published
SHA-256 rate (the same method applied to a SHA-256 kernel of hashcat's
shape). Predictions, not measurements.

    python gpu_model.py [--baseline FILE] [--update] [--json FILE]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import nvrtc_check

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = ("btpow_search_legacy", "btpow_search_v1_high", "btpow_search_v1")
ARCHS = ("sm_75", "sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120")
BLOCK = 256  # the engine's block size (src/engine/gpu)
TOLERANCE = 0.02  # a count per nonce more than 2 % over the baseline fails

# Per-SM limits (CUDA C++ Programming Guide, "Technical Specifications per
# Compute Capability"): resident warps, resident blocks; 64 K 32-bit
# registers per SM on all of them, allocated per warp in units of 256.
LIMITS = {
    "sm_75": (32, 16), "sm_80": (64, 32), "sm_86": (48, 16), "sm_89": (48, 24),
    "sm_90": (64, 32), "sm_100": (64, 32), "sm_120": (48, 32),
}

# Throughput per SM per clock (CUDA C++ Programming Guide, "Arithmetic
# Instructions", throughput of native arithmetic instructions) for
# compute capability 7.5 to 9.0: 32-bit integer add, compare, shift and
# bitwise logic 64; 32-bit integer multiply-add 64. The ALU instructions
# (LOP3, SHF, IADD3, ISETP, PRMT, SEL, LEA, ...) and the multiply-add pipe
# (IMAD and its MOV/SHL/IADD forms, which the compiler uses to move work off
# the ALU) are counted as two units; four schedulers issue one warp
# instruction each per clock: 128 thread instructions per SM per clock.
# The guide's 10.0 and 12.0 columns are taken as 9.0's (64).
ALU_RATE, FMA_RATE, ISSUE_RATE = 64, 64, 128

# The GPUs predicted: name, arch, SMs, boost clock in GHz (NVIDIA's
# product pages and architecture whitepapers).
GPUS = (
    ("RTX 2080 Ti", "sm_75", 68, 1.545),
    ("A100 SXM4", "sm_80", 108, 1.410),
    ("RTX 3090", "sm_86", 82, 1.695),
    ("RTX 4090", "sm_89", 128, 2.520),
    ("H100 SXM5", "sm_90", 132, 1.980),
    ("B200", "sm_100", 148, 1.965),
    ("RTX 5090", "sm_120", 170, 2.407),
)

# The calibration: hashcat -b, SHA2-256 (mode 1400), published rates.
HASHCAT = (
    ("RTX 4090", 21975.5e6, "hashcat 6.2.6 -b, RTX 4090 (Chick3nman's published benchmark, Oct 2022)"),
    ("RTX 3090", 9.7e9, "hashcat -b, RTX 3090 (as quoted in btpow's design notes)"),
    ("H100 SXM5", 16.2e9, "hashcat -b, H100 SXM (as quoted in btpow's design notes)"),
)

# A SHA-256 kernel of hashcat's benchmark shape (mode 1400, optimized
# kernel, mask attack): one block, W0 varies in the inner loop, the rest of
# the block is constant, the digest compared with one target.
CALIB_SOURCE = r"""
extern "C" __global__ void btpow_calib_sha256(const uint32_t* __restrict__ w_in, uint32_t count,
                                              unsigned int* found) {
    uint32_t w[16];
    for (int i = 0; i < 16; i++) w[i] = w_in[i];
    const uint32_t t0 = w_in[16], t1 = w_in[17], t2 = w_in[18], t3 = w_in[19];
    for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < count; i += gridDim.x * blockDim.x) {
        uint32_t s[8], b[16];
        for (int j = 0; j < 8; j++) s[j] = BTPOW_IV[j];
        for (int j = 0; j < 16; j++) b[j] = w[j];
        b[0] = i;
        btpow_sha256_compress(s, b);
        if (s[0] == t0 && s[1] == t1 && s[2] == t2 && s[3] == t3) atomicMin(found, i);
    }
}
"""


# ---------------------------------------------------------------- toolkit

def toolkit():
    import nvidia.cu13

    root = list(nvidia.cu13.__path__)[0]
    return (os.path.join(root, "lib"), os.path.join(root, "bin", "ptxas"),
            os.path.join(root, "bin", "nvdisasm"))


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stdout}{p.stderr}")
    return p.stdout + p.stderr


def ptxas_info(text):
    """{kernel: {"registers", "spill_stores", "spill_loads", "stack"}}."""
    info, cur = {}, None
    for line in text.splitlines():
        m = re.search(r"Compiling entry function '(\w+)'", line)
        if m:
            cur = info.setdefault(m.group(1), {})
            continue
        if cur is None:
            continue
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m:
            cur.update(stack=int(m.group(1)), spill_stores=int(m.group(2)), spill_loads=int(m.group(3)))
        m = re.search(r"Used (\d+) registers", line)
        if m:
            cur["registers"] = int(m.group(1))
    return info


# ---------------------------------------------------------------- SASS

INSN = re.compile(r"^\s*/\*([0-9a-f]+)\*/\s+(.*?)\s*;\s*(?:/\*.*)?$")
LABEL = re.compile(r"^(\.L_x_\d+):")
TARGET = re.compile(r"`\((\.L_x_\d+)\)")


class Insn:
    def __init__(self, addr, text):
        self.addr, self.text = addr, text
        m = re.match(r"(@!?U?P[T0-9]+)\s+(.*)", text)
        self.pred, body = (m.group(1), m.group(2)) if m else (None, text)
        self.op, _, rest = body.partition(" ")
        self.args = [a.strip() for a in rest.split(",")] if rest.strip() else []
        self.base = self.op.split(".")[0]
        t = TARGET.search(text)
        self.target = t.group(1) if t else None
        # A call of a subroutine (`$kernel$function`; the return address in a
        # register): the code goes on after it.
        self.call = self.base == "CALL" and "`($" in text
        # sm_100's uniform branch names its predicate as an operand: BRA.U UP0, `(...)
        if self.base == "BRA" and self.pred is None and len(self.args) > 1 \
                and re.fullmatch(r"!?U?P[0-9]", self.args[0]):
            self.pred = "@" + self.args[0]


def functions(sass):
    """{name: ([Insn], {label: addr})} from `nvdisasm -c` output."""
    out, cur = {}, None
    for line in sass.splitlines():
        m = re.match(r"^//-+ \.text\.(\w+)", line)
        if m:
            cur = out.setdefault(m.group(1), ([], {}))
            pending = []
            continue
        if cur is None:
            continue
        m = LABEL.match(line)
        if m:
            pending.append(m.group(1))
            continue
        m = INSN.match(line)
        if m:
            addr = int(m.group(1), 16)
            for lab in pending:
                cur[1][lab] = addr
            pending = []
            cur[0].append(Insn(addr, m.group(2)))
    return out


class ShapeError(Exception):
    pass


def blocks_of(insns, labels):
    """Basic blocks: [(start index, end index exclusive)], successors by block."""
    leaders = {0}
    by_addr = {ins.addr: i for i, ins in enumerate(insns)}
    for lab, addr in labels.items():
        if addr in by_addr:
            leaders.add(by_addr[addr])
    for i, ins in enumerate(insns):
        if (ins.base in ("BRA", "EXIT", "BRX", "JMP", "JMX", "RET")
                or (ins.op == "CALL.REL.NOINC" and not ins.call)) and i + 1 < len(insns):
            leaders.add(i + 1)
    starts = sorted(leaders)
    blocks = [(s, e) for s, e in zip(starts, starts[1:] + [len(insns)])]
    start_of = {s: k for k, (s, _) in enumerate(blocks)}
    succ = []
    for k, (s, e) in enumerate(blocks):
        last = insns[e - 1]
        nxt = [k + 1] if k + 1 < len(blocks) else []
        if last.base in ("BRX", "JMP", "JMX"):
            raise ShapeError(f"{last.op} at {last.addr:#x}: indirect control flow")
        if last.base == "RET":  # the end of a subroutine, reached only by its calls
            succ.append([])
            continue
        if last.call:
            succ.append(nxt)
            continue
        if last.base == "EXIT":
            succ.append(nxt if last.pred else [])
        elif last.base == "BRA" or last.op == "CALL.REL.NOINC":  # sm_80 branches with a call that keeps no return
            if last.target not in labels or by_addr.get(labels[last.target]) not in start_of:
                raise ShapeError(f"branch at {last.addr:#x} to an unknown target")
            tgt = start_of[by_addr[labels[last.target]]]
            succ.append(([tgt] + nxt) if last.pred else [tgt])
        else:
            succ.append(nxt)
    return blocks, succ


def writes(ins):
    """The registers an instruction writes (its first operand), or []."""
    if not ins.args or ins.base in ("BRA", "EXIT", "BSSY", "BSYNC", "BREAK", "ST", "STG", "STS",
                                     "RED", "REDG", "ATOM", "ATOMG", "NOP"):
        return []
    dst = ins.args[0].split()[0]
    if ins.base.endswith("SETP") or ins.base == "PLOP3":
        return [dst]
    if ins.base == "CS2R":  # a register pair
        n = int(dst[1:])
        return [dst, f"R{n + 1}"]
    return [dst]


def imm(x):
    x = x.strip()
    if x in ("RZ", "URZ", "SRZ"):
        return 0
    if re.fullmatch(r"-?0x[0-9a-f]+|-?\d+", x):
        return int(x, 0)
    return None


def trip_count(insns, blocks, header, latch):
    """Iterations of the inner loop blocks[header..latch], from its counter."""
    body = [insns[i] for k in range(header, latch + 1) for i in range(*blocks[k])]
    br, at = body[-1], len(body) - 1
    exit_form = not br.pred  # sm_80: a conditional exit, then an unconditional branch back
    if exit_form:
        br, at = body[-2], len(body) - 2
    pred = br.pred.lstrip("@")
    negated = pred.startswith("!")
    pred = pred.lstrip("!")

    def last_writer(reg, upto):
        for j in range(upto - 1, -1, -1):
            if reg in writes(body[j]):
                return j
        raise ShapeError(f"loop at {body[0].addr:#x}: nothing in the body sets {reg}")

    j = last_writer(pred, at)
    # A predicate copied from a uniform one: PLOP3.LUT P0, PT, PT, PT, UP0, 0x80, 0x0.
    if body[j].base == "PLOP3" and body[j].args[1:4] == ["PT", "PT", "PT"] and body[j].args[5] == "0x80":
        j = last_writer(body[j].args[4], j)
    cmp_ins = body[j]
    if not (cmp_ins.base in ("ISETP", "UISETP") and len(cmp_ins.args) == 5
            and cmp_ins.args[1] in ("PT", "UPT") and cmp_ins.args[4] in ("PT", "UPT")):
        raise ShapeError(f"loop at {body[0].addr:#x}: its branch depends on `{cmp_ins.text}`")
    cond = cmp_ins.op.split(".")[1]
    ctr, bound = cmp_ins.args[2], imm(cmp_ins.args[3])
    if bound is None:
        raise ShapeError(f"loop at {body[0].addr:#x}: bound `{cmp_ins.args[3]}` is not a constant")
    incs = [k for k, ins in enumerate(body) if ctr in writes(ins)]
    if len(incs) != 1:
        raise ShapeError(f"loop at {body[0].addr:#x}: counter {ctr} written {len(incs)} times")
    inc = body[incs[0]]
    srcs = [a for a in inc.args[1:] if a not in ("PT", "!PT", "UPT")]
    step = None
    if inc.base in ("IADD3", "UIADD3", "VIADD", "UIADD") and ctr in srcs:
        others = [imm(a) for a in srcs if a != ctr]
        if None not in others:
            step = sum(others)
    if not step:
        raise ShapeError(f"loop at {body[0].addr:#x}: counter update `{inc.text}` not understood")
    # The counter's value on entry: the last write before the loop.
    init = None
    for i in range(blocks[header][0] - 1, -1, -1):
        ins = insns[i]
        if ctr in writes(ins):
            if ins.base in ("MOV", "UMOV", "MOV32I"):
                init = imm(ins.args[1])
            elif ins.op.startswith("IMAD.MOV") and ins.args[1:3] == ["RZ", "RZ"]:
                init = imm(ins.args[3])
            elif ins.base == "CS2R":
                init = 0
            if ins.pred or init is None:
                raise ShapeError(f"loop at {body[0].addr:#x}: counter set by `{ins.text}`")
            break
        if ins.base == "BRA" and not ins.pred:
            raise ShapeError(f"loop at {body[0].addr:#x}: counter not set in the block before it")
    if init is None:
        raise ShapeError(f"loop at {body[0].addr:#x}: counter {ctr} has no initial value")
    tests = {"NE": lambda a, b: a != b, "EQ": lambda a, b: a == b, "LT": lambda a, b: a < b,
             "LE": lambda a, b: a <= b, "GT": lambda a, b: a > b, "GE": lambda a, b: a >= b}
    if cond not in tests:
        raise ShapeError(f"loop at {body[0].addr:#x}: comparison {cond}")
    x, n = init, 0
    while True:
        n += 1
        if incs[0] < j:
            x += step
        again = (tests[cond](x, bound) != negated) != exit_form
        if incs[0] > j:
            x += step
        if not again:
            return n
        if n > 1 << 20:
            raise ShapeError(f"loop at {body[0].addr:#x}: no end within 2^20 trips")


def converge_wait(insns, blocks, k, t):
    """sm_75's wait for a warp to agree on a branch (VOTE, then a uniform
    branch, else back to the VOTE): no trip when the warp is converged."""
    s, e = blocks[k]
    only_bra = e - s == 1 and insns[s].base == "BRA" and not insns[s].pred
    return only_bra and any(insns[i].base in ("VOTE", "VOTEU") for i in range(*blocks[t]))


def per_nonce(insns, labels):
    """The dynamic count per nonce of a search kernel: {class: count}."""
    blocks, succ = blocks_of(insns, labels)
    # Reachable blocks (the padding after the last EXIT is not).
    seen, todo = set(), [0]
    while todo:
        k = todo.pop()
        if k not in seen:
            seen.add(k)
            todo.extend(succ[k])
    back = [(k, t) for k in seen for t in succ[k] if t <= k and not converge_wait(insns, blocks, k, t)]
    if not back:
        raise ShapeError("no loop: not a grid-stride search")
    # The grid-stride loop: the back edge spanning the most blocks.
    outer = max(back, key=lambda e: e[0] - e[1])
    latch, head = outer
    inner = [e for e in back if e != outer]
    trips = {}
    for lt, hd in inner:
        if not (head <= hd and lt <= latch):
            raise ShapeError("a loop outside the grid-stride loop")
        last = insns[blocks[lt][0]]
        exit_form = blocks[lt][1] - blocks[lt][0] == 1 and last.base == "BRA" and not last.pred
        for k in range(hd, lt + 1):
            if k == lt or (exit_form and k == lt - 1 and len(succ[k]) == 2 and succ[k][1] == lt
                           and not hd <= succ[k][0] <= lt):
                continue
            if succ[k] != [k + 1]:
                raise ShapeError(f"loop at {insns[blocks[hd][0]].addr:#x} branches inside its body")
        if any(hd < h2 <= lt or hd <= l2 < lt for l2, h2 in inner if (l2, h2) != (lt, hd)):
            raise ShapeError("nested or overlapping inner loops")
        trips[hd] = (lt, trip_count(insns, blocks, hd, lt))

    def counts(k):
        c = {}
        for i in range(*blocks[k]):
            c[insns[i].base] = c.get(insns[i].base, 0) + 1
        return c

    def hit(k):
        """The atomic of a nonce that meets the target, or a call (the full
        check out of line, whose work the count would miss): not the path
        of a nonce rejected early."""
        return any(insns[i].base in ("RED", "REDG", "ATOM", "ATOMG")
                   or insns[i].call
                   for i in range(*blocks[k]))

    # Shortest path head -> latch in the forward graph, without the atomic;
    # an inner loop's header adds (trips - 1) x its body.
    inf = float("inf")
    best = {head: (0, {})}
    for k in range(head, latch + 1):
        if k not in best or hit(k):
            continue
        cost, cls = best[k]
        c = counts(k)
        if k in trips:
            lt, n = trips[k]
            for b in range(k, lt + 1):
                for op, v in counts(b).items():
                    c[op] = c.get(op, 0) + v * (n - 1)  # the path walks them once more
        total = cost + sum(c.values())
        merged = dict(cls)
        for op, v in c.items():
            merged[op] = merged.get(op, 0) + v
        if k == latch:
            return merged
        for t in succ[k]:
            if t <= k:
                continue
            if t > latch:
                continue
            if best.get(t, (inf,))[0] > total:
                best[t] = (total, merged)
    raise ShapeError("no path from the loop head to its back edge without the atomic")


# ---------------------------------------------------------------- the model

def pipe(op):
    """Which unit an instruction class occupies in the model."""
    if op.startswith("U") and op not in ("UNKNOWN",):
        return "uniform"
    if op in ("IMAD", "IMUL", "FFMA", "FMUL", "FADD", "HFMA2"):
        return "fma"
    if op in ("LOP3", "SHF", "IADD3", "ISETP", "PRMT", "SEL", "LEA", "PLOP3", "MOV", "IABS", "IMNMX",
              "VIADD", "VIMNMX", "IADD", "SHL", "SHR", "LOP", "FSEL", "P2R", "R2P", "CS2R", "VIADDMNMX"):
        return "alu"
    if op in ("BRA", "EXIT", "BSSY", "BSYNC", "BREAK", "NOP", "WARPSYNC", "BPT", "YIELD"):
        return "control"
    if op.startswith(("LD", "ST", "RED", "ATOM", "S2R", "S2UR", "CCTL", "MEMBAR")):
        return "memory"
    return "other"


def clocks_per_nonce(classes):
    """SM clocks per nonce, issue-bound: the busiest of issue, ALU and FMA."""
    total = sum(classes.values())
    alu = sum(v for op, v in classes.items() if pipe(op) == "alu")
    fma = sum(v for op, v in classes.items() if pipe(op) == "fma")
    return max(total / ISSUE_RATE, alu / ALU_RATE, fma / FMA_RATE)


def occupancy(arch, regs):
    max_warps, max_blocks = LIMITS[arch]
    per_warp = -(-regs * 32 // 256) * 256
    warps_per_block = BLOCK // 32
    blocks = min(65536 // (per_warp * warps_per_block), max_warps // warps_per_block, max_blocks)
    return blocks * warps_per_block, max_warps


# The irreducible work: the fewest 32-bit operations of the hash functions
# on sm_75 and later, split into ALU-only operations (funnel-shift rotations,
# shifts, three-input logic: SHF, LOP3) and additions (IADD3, which the
# compiler may also issue as IMAD on the multiply-add pipe).
def sha256_ops(variable=range(16), state_variable=False):
    """(ALU ops, adds) of one SHA-256 compression whose message words at
    `variable` (and the incoming state, if `state_variable`) vary from hash to
    hash, the rest being constants folded away. Per round: Sigma1 and Sigma0
    3 rotations + 1 three-input XOR each, Ch and Maj one LOP3 each, T1, e and
    a as three-input adds; per schedule word: sigma0 and sigma1 3 shifts + 1
    XOR each, 2 adds; the feed-forward 8 adds."""
    var = lambda *xs: any(xs)  # noqa: E731
    adds3 = lambda n: (n + (n > 0)) // 2  # IADD3s for n variable terms + 1 constant  # noqa: E731
    w = [i in variable for i in range(16)]
    st = [state_variable] * 8
    alu = add = 0
    for t in range(64):
        if t >= 16:
            s0v, s1v = w[(t - 15) % 16], w[(t - 2) % 16]
            alu += 4 * s0v + 4 * s1v
            n = s0v + s1v + w[(t - 7) % 16] + w[t % 16]
            add += adds3(n)
            w[t % 16] = n > 0
        a, b, c, d, e, f, g, h = st
        alu += 4 * e + var(e, f, g) + 4 * a + var(a, b, c)
        t1 = var(h, e, f, g, w[t % 16])
        add += adds3(h + e + var(e, f, g) + w[t % 16])
        add += var(d, t1)
        add += var(t1, a, b, c)
        st = [var(t1, a, b, c), a, b, c, var(d, t1), e, f, g]
    add += 8
    return alu, add


RC = (0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
      0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
      0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
      0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
      0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
      0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008)
# Keccak-f[1600] on 32-bit halves, per round: theta's column parities
# 5 x 2 x 2 LOP3, their rotations 5 x 2 SHF, every lane XORed with both in
# 25 x 2 LOP3, rho 24 x 2 SHF, chi 25 x 2 LOP3 (178); iota one LOP3 per
# non-zero half of the round constant.
KECCAK_OPS = 24 * 178 + sum((rc & 0xFFFFFFFF != 0) + (rc >> 32 != 0) for rc in RC)
SHA256_ALU, SHA256_ADD = sha256_ops()
IRREDUCIBLE = {  # (ALU ops, adds) per nonce: n compressions + one Keccak-f
    "btpow_search_legacy": (SHA256_ALU + KECCAK_OPS, SHA256_ADD),
    "btpow_search_v1_high": (SHA256_ALU + KECCAK_OPS, SHA256_ADD),
    "btpow_search_v1": (2 * SHA256_ALU + 10 + KECCAK_OPS, 2 * SHA256_ADD + 3),  # block 3 from a varying state
}


def bound_clocks(alu, add):
    """SM clocks for `alu` ALU-only operations and `add` additions, at best:
    the ALU busy with its own, the adds spread over both pipes."""
    return max((alu + add) / ISSUE_RATE, alu / ALU_RATE)


def analyse(nvrtc, ptxas, nvdisasm, source, arch, kernels, tmp, extra=()):
    ptx = nvrtc_check.compile_ptx(nvrtc, source, arch, [b"--std=c++17", *extra])
    ptx_path = os.path.join(tmp, f"{arch}.ptx")
    cubin = os.path.join(tmp, f"{arch}.cubin")
    with open(ptx_path, "w") as f:
        f.write(ptx)
    info = ptxas_info(run([ptxas, f"-arch={arch}", "-v", ptx_path, "-o", cubin]))
    funcs = functions(run([nvdisasm, "-c", cubin]))
    rows = {}
    for k in kernels:
        if k not in funcs or k not in info:
            raise SystemExit(f"{arch}: kernel {k} missing from the SASS")
        insns, labels = funcs[k]
        try:
            classes = per_nonce(insns, labels)
        except ShapeError as e:
            raise SystemExit(f"{arch} {k}: control flow not understood: {e}")
        warps, max_warps = occupancy(arch, info[k]["registers"])
        rows[k] = dict(info[k], static=len(insns), per_nonce=sum(classes.values()), classes=classes,
                       warps=warps, max_warps=max_warps)
    return rows


def fmt_rate(x):
    return f"{x / 1e9:.2f} G" if x >= 1e9 else f"{x / 1e6:.0f} M"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=os.path.join(HERE, "gpu-model-baseline.json"))
    ap.add_argument("--update", action="store_true", help="write the counts as the new baseline")
    ap.add_argument("--json", help="also write every figure here")
    ap.add_argument("--arch", action="append", choices=ARCHS,
                    help="only these architectures (no baseline check or update)")
    args = ap.parse_args()
    archs = tuple(args.arch or ARCHS)
    libdir, ptxas, nvdisasm = toolkit()
    nvrtc = nvrtc_check.load_nvrtc(libdir)
    source = nvrtc_check.kernel_source()
    calib_source = open(os.path.join(HERE, "btpow_core.h"), "rb").read() + CALIB_SOURCE.encode()
    fail = []
    results, calib = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for arch in archs:
            results[arch] = analyse(nvrtc, ptxas, nvdisasm, source, arch, KERNELS, tmp)
            calib[arch] = analyse(nvrtc, ptxas, nvdisasm, calib_source, arch,
                                  ("btpow_calib_sha256",), tmp,
                                  [b"-diag-suppress=177"])["btpow_calib_sha256"]  # the core's unused functions

    print("SASS per kernel and architecture (NVRTC -> ptxas -> nvdisasm; 256-thread blocks)")
    print("dynamic = SASS instructions per nonce, read from the control flow; irred. = the hash functions' fewest 32-bit operations;")
    print("share = the irreducible work's SM clocks / the kernel's (the model's speed as a share of the hash functions' bound)")
    hdr = f"{'kernel':22} {'arch':7} {'regs':>4} {'spill':>5} {'occupancy':>10} {'static':>6} {'dynamic':>8} {'irred.':>7} {'share':>6}  top classes per nonce"
    print(hdr)
    for k in KERNELS:
        for arch in archs:
            r = results[arch][k]
            spill = r["spill_stores"] + r["spill_loads"]
            if spill or r["stack"]:
                fail.append(f"{arch} {k}: {spill} bytes spilled, {r['stack']} bytes of stack")
            top = sorted(r["classes"].items(), key=lambda kv: -kv[1])[:6]
            irr = sum(IRREDUCIBLE[k])
            share = bound_clocks(*IRREDUCIBLE[k]) / clocks_per_nonce(r["classes"])
            print(f"{k:22} {arch:7} {r['registers']:>4} {spill:>5} {r['warps']:>4}/{r['max_warps']:<2} warps"
                  f" {r['static']:>6} {r['per_nonce']:>8} {irr:>7} {share:>6.0%}  "
                  + " ".join(f"{op} {v}" for op, v in top))

    print("\nPredicted nonces/s (issue-bound upper limit, not a measurement): SMs x boost clock / SM clocks per nonce,")
    print(f"SM clocks per nonce = max(all / {ISSUE_RATE}, ALU / {ALU_RATE}, IMAD / {FMA_RATE}); bound: the same for the irreducible work")
    print(f"{'GPU':12} {'arch':7} {'SMs':>4} {'GHz':>6}  " + "  ".join(f"{k[13:]:>14} {'bound':>8}" for k in KERNELS))
    predictions = {}
    for name, arch, sms, ghz in GPUS:
        if arch not in results:
            continue
        cells = []
        for k in KERNELS:
            rate = sms * ghz * 1e9 / clocks_per_nonce(results[arch][k]["classes"])
            bound = sms * ghz * 1e9 / bound_clocks(*IRREDUCIBLE[k])
            predictions.setdefault(name, {})[k] = rate
            cells.append(f"{fmt_rate(rate):>14} {fmt_rate(bound):>8}")
        print(f"{name:12} {arch:7} {sms:>4} {ghz:>6.3f}  " + "  ".join(cells))

    print("\nCalibration: hashcat's SHA-256 (mode 1400, W0 varies, the rest of the block constant) predicted by the same method")
    alu, add = sha256_ops(variable=(0,))
    gpus = {g[0]: g for g in GPUS}
    for name, measured, src in HASHCAT:
        _, arch, sms, ghz = gpus[name]
        if arch not in calib:
            continue
        ops = sms * ghz * 1e9 / bound_clocks(alu, add)
        c = calib[arch]
        sass = sms * ghz * 1e9 / clocks_per_nonce(c["classes"])
        print(f"{name:12} {arch:7} from the operations ({alu} ALU + {add} adds): {fmt_rate(ops)}H/s;"
              f" from NVRTC's SASS of that kernel ({c['per_nonce']} per hash): {fmt_rate(sass)}H/s;"
              f" published {fmt_rate(measured)}H/s = {measured / ops:.0%} and {measured / sass:.0%} of them  ({src})")

    baseline = {arch: {k: results[arch][k]["per_nonce"] for k in KERNELS} for arch in archs}
    # The predictions as `btpow-bench compare` shows them beside a GPU engine.
    table = "# btpow's predicted nonces/s per GPU (issue-bound upper limits, not measurements), written by\n"
    table += "# scripts/gpu-model --update: gpu, arch, SMs, boost GHz, legacy, v1 high-bytes, v1 sequential\n"
    for name, arch, sms, ghz in GPUS:
        if arch in results:
            table += "\t".join([name, arch, str(sms), f"{ghz:.3f}"]
                                + [f"{predictions[name][k]:.0f}" for k in KERNELS]) + "\n"
    predicted = os.path.join(HERE, "gpu-predicted.tsv")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "calibration": calib, "predictions": predictions}, f, indent=1)
    if args.arch:
        pass  # a subset: neither checked against the baseline nor written to it
    elif args.update:
        with open(args.baseline, "w") as f:
            json.dump(baseline, f, indent=1, sort_keys=True)
            f.write("\n")
        with open(predicted, "w") as f:
            f.write(table)
        print(f"\nbaseline written: {args.baseline}")
    else:
        with open(args.baseline) as f:
            old = json.load(f)
        with open(predicted) as f:
            if f.read() != table:
                fail.append(f"{os.path.relpath(predicted)} is not this run's predictions (run scripts/gpu-model --update)")
        print(f"\nagainst the baseline ({os.path.relpath(args.baseline)}; a rise over {TOLERANCE:.0%} fails):")
        for arch in ARCHS:
            for k in KERNELS:
                was, now = old.get(arch, {}).get(k), baseline[arch][k]
                if was is None:
                    fail.append(f"{arch} {k}: not in the baseline (run scripts/gpu-model --update)")
                elif now > was * (1 + TOLERANCE):
                    fail.append(f"{arch} {k}: {now} SASS instructions per nonce, baseline {was}"
                                f" (+{now / was - 1:.1%}); update the baseline if this is meant")
                elif now != was:
                    print(f"  {arch} {k}: {was} -> {now} ({now / was - 1:+.1%})")
    if fail:
        print("\ngpu-model: FAILED", *fail, sep="\n  ", file=sys.stderr)
        sys.exit(1)
    print("gpu-model: ok")


if __name__ == "__main__":
    main()
