"""Tuner throughput, Kernel Tuner against tuna, on one script (issues 16 and 17).

A Kernel Tuner script that tunes examples/cuda/sgemm/sgemm.cu (4096^3 fp32 GEMM) over that
example's space, restricted to what both tuners can run (dynamic shared memory up to 48 KiB:
Kernel Tuner does not raise a kernel's shared-memory limit), by random sampling of the same
number of configs, both verifying every config against numpy's product (`answer`). The script
is the same for both; only its import line differs:

    python bench/python/kt_sgemm.py --tuner kernel_tuner [--configs 100] [--iterations 7]
    python bench/python/kt_sgemm.py --tuner tuna          [--configs 100] [--iterations 7]

Prints one JSON line: configs measured, wall seconds, configs per minute, a lower bound of the
GPU's busy share (the timed runs' kernel time over the wall time), the driver's own account of
it (`gpu_utilization_mean`: NVML's utilization, the share of each sample period in which a
kernel ran, sampled by `nvidia-smi` every 100 ms during the tuning call; null without
nvidia-smi), best time and config.
Needs a CUDA GPU; Kernel Tuner runs through cuda-python (lang="NVCUDA"). Run both in one device
call and record them in bench/results/python.md with the card and commit."""
import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "examples" / "cuda" / "sgemm" / "sgemm.cu"
M = N = K = 4096


def tune_params():
    return {
        "BM": [64, 128, 256], "BN": [64, 128, 256], "BK": [8, 16, 32],
        "WM": [16, 32, 64, 128], "WN": [16, 32, 64, 128], "TM": [4, 8], "TN": [4, 8],
        "VEC": [2, 4], "DOUBLE_BUFFER": [0, 1], "PAD_A": [0, 4], "MIN_BLOCKS": [1, 2],
        "GROUP_M": [1, 8],
        # Kernel Tuner's block size is a tunable parameter; the kernel's is (BM/WM)*(BN/WN)*32.
        "block_size_x": [64, 128, 256, 512, 1024],
    }


# The example's constraints (examples/cuda/sgemm/spec.toml) in Kernel Tuner's syntax.
RESTRICTIONS = [
    "block_size_x == 32 * (BM // WM) * (BN // WN)",
    "BM % WM == 0 and BN % WN == 0",
    "WM % TM == 0 and WN % TN == 0 and (WM // TM) * (WN // TN) == 32",
    "(BM * BK) % (block_size_x * VEC) == 0 and (BK * BN) % (block_size_x * VEC) == 0",
    "4 * (1 + DOUBLE_BUFFER) * BK * (BM + PAD_A + BN) <= 48 * 1024",
    "TM * TN + TM + TN + DOUBLE_BUFFER * ((BM * BK + BK * BN) // block_size_x) + 40"
    " <= min(255, 65536 // (MIN_BLOCKS * block_size_x))",
]


class GpuUtilization:
    """NVML's GPU utilization sampled by `nvidia-smi` while the block runs: the same yardstick for
    both tuners, and one that counts every kernel (checked runs, warm-ups, flushes), which the
    timed-runs figure leaves out. NVML reports, per sample, the share of its period (1/6 s to 1 s
    depending on the GPU) in which one or more kernels ran."""

    def __init__(self, period_ms=100):
        self.period_ms = period_ms
        self.samples = []
        self._process = None

    def __enter__(self):
        exe = shutil.which("nvidia-smi")
        if exe:
            self._process = subprocess.Popen(
                [exe, "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits",
                 "--id=0", f"-lms={self.period_ms}"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return self

    def __exit__(self, *exc):
        if self._process is None:
            return False
        self._process.terminate()
        out, _ = self._process.communicate(timeout=10)
        self.samples = [float(line) for line in out.split() if line.strip().isdigit()]
        return False

    def mean(self):
        return round(sum(self.samples) / len(self.samples) / 100, 3) if self.samples else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tuner", choices=["kernel_tuner", "tuna"], required=True)
    ap.add_argument("--configs", type=int, default=100)
    ap.add_argument("--iterations", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", help="a cache file (default: none, so nothing is reused)")
    opts = ap.parse_args()
    if opts.tuner == "kernel_tuner":
        import kernel_tuner
    else:
        import tuna as kernel_tuner  # the one line a Kernel Tuner user changes

    rng = np.random.default_rng(opts.seed)
    A = rng.uniform(-1, 1, (M, K)).astype(np.float32)
    B = rng.uniform(-1, 1, (K, N)).astype(np.float32)
    C = np.zeros((M, N), dtype=np.float32)
    expected = (A.astype(np.float64) @ B.astype(np.float64)).astype(np.float32)
    args = [A, B, C, np.int32(M), np.int32(N), np.int32(K)]
    answer = [None, None, expected, None, None, None]
    np.random.seed(opts.seed)  # Kernel Tuner's random_sample draws from numpy's global stream

    utilization = GpuUtilization()
    start = time.perf_counter()
    with utilization:
        results, env = kernel_tuner.tune_kernel(
            "sgemm", SOURCE.read_text(), (N, M), args, tune_params(),
            grid_div_x=["BN"], grid_div_y=["BM"], restrictions=RESTRICTIONS,
            smem_args={"size": lambda p: 4 * (1 + p["DOUBLE_BUFFER"]) * p["BK"] * (p["BM"] + p["PAD_A"] + p["BN"])},
            answer=answer, atol=5e-2, lang="NVCUDA", iterations=opts.iterations,
            strategy="random_sample", strategy_options={"max_fevals": opts.configs},
            cache=opts.cache, quiet=True)
    wall = time.perf_counter() - start

    ok = [r for r in results if isinstance(r.get("time"), (int, float))]
    best = min(ok, key=lambda r: r["time"]) if ok else None
    keys = list(tune_params())
    # The share of the wall time the GPU spent in the timed runs of the kernel: each config's mean
    # time times its iterations, summed, over the wall time. A lower bound of the GPU's busy
    # share (checked runs, warm-ups and the flush between runs are not counted), computed the
    # same way for both tuners.
    busy_s = sum(r["time"] * opts.iterations for r in ok) / 1000
    # tuna also says how long its bench worker held a config and how long the device had none
    # (every run counted: checked runs, warm-ups, the final shootout), over the run's own wall
    # time, which leaves out the NumPy arguments' hand-over before the run starts and its setup
    # (tuna_setup_s: starting the bench worker and its device context, hashing the spec).
    split = env.get("tuna_time_split") or {}
    print(json.dumps({
        "tuner": opts.tuner, "configs": len(results), "ok": len(ok), "wall_s": round(wall, 2),
        "configs_per_min": round(60 * len(results) / wall, 1),
        "gpu_busy_share_min": round(busy_s / wall, 3),
        "gpu_utilization_mean": utilization.mean(), "gpu_utilization_samples": len(utilization.samples),
        "best_ms": best["time"] if best else None,
        "best": {k: best[k] for k in keys} if best else None,
        "device": env.get("device_name"), "iterations": opts.iterations,
        **({"tuna_setup_s": split.get("setup_s"), "tuna_elapsed_s": env.get("tuna_elapsed_s"),
            "tuna_run_s": split.get("run_s"), "tuna_compile_wall_s": split.get("compile_wall_s"),
            "tuna_device_idle_share": split.get("device_idle_share")} if split else {}),
    }))


if __name__ == "__main__":
    sys.exit(main())
