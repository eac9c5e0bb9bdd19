#!/usr/bin/env python3
"""Writes the LLM panel's sim specs (bench/llm_panel/specs/*.toml) from the shared recordings.

Each spec replays one recording of ../shared/datasets and shows the LLM the kernel's real source
(../shared/datasets/kernels/, third-party, MIT: referenced there, never copied here), a
description, parameter descriptions, FLOP and byte counts, and the recorded GPU's facts (filled
in by `tuna import` for GPUs it knows). Paths are written relative to the spec, so the specs work
from any checkout that has ../shared beside it.

Usage: bench/llm_panel/make_specs.py [path/to/tuna]   (default build/tuna)"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SHARED = os.path.abspath(os.path.join(ROOT, "..", "shared", "datasets"))
SPECS = os.path.join(HERE, "specs")

CONV_MILO = {
    "description": "2-D convolution of a 4096 x 4096 fp32 image with a 15 x 15 fp32 filter held in "
    "constant memory (the benchmark hub's convolution). Each thread computes tile_size_x x "
    "tile_size_y output pixels; a thread block covers (block_size_x * tile_size_x) x "
    "(block_size_y * tile_size_y) outputs and, with use_shmem, first stages its input tile plus "
    "the 14-pixel halo in shared memory. The source shown is the benchmark hub's file, which "
    "always stages the tile: the recorded kernel's use_shmem = 0 variant, which reads global "
    "memory directly, is not in it.",
    "flops": "2 * 4096 * 4096 * filter_height * filter_width",
    "bytes": "4 * ((4096 + filter_width - 1) * (4096 + filter_height - 1) + 4096 * 4096)",
    "params": {
        "block_size_x": "threads per block in x (columns of the output)",
        "block_size_y": "threads per block in y (rows of the output)",
        "tile_size_x": "output pixels per thread in x (register tiling)",
        "tile_size_y": "output pixels per thread in y (register tiling)",
        "read_only": "1: load the image through the read-only data cache (__ldg)",
        "use_padding": "1: pad each shared-memory row to avoid bank conflicts (only with use_shmem)",
        "use_shmem": "1: stage the block's input tile in shared memory; 0: read global memory "
                     "directly (a variant not in the source shown)",
        "use_cmem": "the filter is in constant memory (fixed)",
        "filter_height": "filter rows (fixed by the problem)",
        "filter_width": "filter columns (fixed by the problem)",
    },
}

CONV_KT = dict(CONV_MILO)
CONV_KT["description"] = ("2-D convolution of a 4096 x 4096 fp32 image with a 15 x 15 fp32 filter "
                          "in constant memory (Kernel Tuner's convolution example). Each thread "
                          "computes tile_size_x x tile_size_y outputs; the block's input tile plus "
                          "halo is staged in shared memory.")
CONV_KT["params"] = {k: v for k, v in CONV_MILO["params"].items()
                     if k not in ("use_shmem", "use_cmem")}
CONV_KT["params"]["use_padding"] = "1: pad each shared-memory row to avoid bank conflicts"

DEDISP = {
    "description": "Dedispersion for radio astronomy (the benchmark hub's dedispersion): for 2048 "
    "dispersion measures (DMs) and 25,000 output samples, sum 1,536 frequency channels of 8-bit "
    "input, each channel read at a DM- and frequency-dependent delay (up to 650 samples); fp32 "
    "output. Threads in x run over samples, in y over DMs; each thread computes tile_size_x "
    "samples x tile_size_y DMs.",
    "flops": "2048.0 * 25000 * 1536",
    "bytes": "1536.0 * (25000 + 650) + 4.0 * 2048 * 25000",
    "params": {
        "block_size_x": "threads per block in x (output samples)",
        "block_size_y": "threads per block in y (DMs)",
        "block_size_z": "threads per block in z (fixed at 1)",
        "tile_size_x": "output samples per thread",
        "tile_size_y": "DMs per thread",
        "tile_stride_x": "1: a thread's samples are block_size_x apart (coalesced); 0: consecutive",
        "tile_stride_y": "1: a thread's DMs are block_size_y apart; 0: consecutive",
        "loop_unroll_factor_channel": "unroll factor of the loop over channels (0: compiler's choice)",
    },
}

GEMM = {
    "description": "CLBlast's Xgemm OpenCL kernel: C = alpha * A * B^T + beta * C with 4096 x 4096 "
    "fp32 matrices. The source shown is the kernel's last part (Xgemm and XgemmBody); the helpers "
    "it calls (GlobalToLocalA/B, LocalToPrivateA/B, MultiplyAccumulate, StoreResults) come from "
    "the earlier parts of the same file. Each work-group computes an MWG x NWG tile of C with "
    "MDIMC x NDIMC threads, stepping KWG along K; each thread accumulates (MWG/MDIMC) x "
    "(NWG/NDIMC) outputs in registers.",
    "flops": "2.0 * 4096 * 4096 * 4096",
    "bytes": "4.0 * 3 * 4096 * 4096",
    "params": {
        "MWG": "rows of C per work-group tile",
        "NWG": "columns of C per work-group tile",
        "KWG": "K-slice per iteration of the work-group (fixed)",
        "MDIMC": "threads per work-group in the M dimension",
        "NDIMC": "threads per work-group in the N dimension",
        "MDIMA": "re-shaped thread layout in M for loading A tiles into local memory",
        "NDIMB": "re-shaped thread layout in N for loading B tiles into local memory",
        "KWI": "unroll factor of the K loop (fixed)",
        "VWM": "vector width of loads and stores of A and C (float, float2, float4, float8)",
        "VWN": "vector width of loads of B",
        "STRM": "strided access in M (fixed at 0)",
        "STRN": "strided access in N (fixed at 0)",
        "SA": "1: cache the A tile in local (shared) memory",
        "SB": "1: cache the B tile in local (shared) memory",
        "PRECISION": "32: fp32 (fixed)",
    },
    # From ../shared/datasets/README.md: CLBlast's restrictions, which leave exactly the
    # recorded configurations.
    "constraints": [
        "KWG % KWI == 0", "MWG % (MDIMC * VWM) == 0", "NWG % (NDIMC * VWN) == 0",
        "MWG % (MDIMA * VWM) == 0", "NWG % (NDIMB * VWN) == 0",
        "KWG % ((MDIMC * NDIMC) / MDIMA) == 0", "KWG % ((MDIMC * NDIMC) / NDIMB) == 0",
    ],
}

PNPOLY = {
    "description": "Point-in-polygon test (Kernel Tuner's pnpoly example): for each of 20 million "
    "2-D points, whether it lies inside a 600-vertex polygon held in constant memory, by the "
    "crossing-number algorithm; one output int per point.",
    "flops": "20000000.0 * 600 * 8",
    "bytes": "20000000.0 * (8 + 4)",
    "params": {
        "block_size_x": "threads per block",
        "tile_size": "points per thread",
        "between_method": "how the 'is the point between the edge's end points' test is computed "
                          "(0-3: four arithmetic formulations)",
        "use_method": "how a crossing is recorded (0: a branch that flips the point's inside "
                      "flag, 1: a branch-free sum of the crossing test, 2: a branch that counts "
                      "crossings, the parity taken at the end)",
    },
}

K = "benchmark_hub__kernels__"
PANEL = [
    ("conv_a100", "benchmark_hub__convolution_milo__A100.json.gz", K + "convolution_milo.T1.json", "convolution_milo.cu", CONV_MILO),
    ("conv_a4000", "benchmark_hub__convolution_milo__A4000.json.gz", K + "convolution_milo.T1.json", "convolution_milo.cu", CONV_MILO),
    ("conv_a6000", "benchmark_hub__convolution_milo__A6000.json.gz", K + "convolution_milo.T1.json", "convolution_milo.cu", CONV_MILO),
    ("dedisp_a100", "benchmark_hub__dedispersion_milo__A100.json.gz", K + "dedispersion_milo.T1.json", "dedispersion_milo.cu", DEDISP),
    ("dedisp_a4000", "benchmark_hub__dedispersion_milo__A4000.json.gz", K + "dedispersion_milo.T1.json", "dedispersion_milo.cu", DEDISP),
    ("dedisp_a6000", "benchmark_hub__dedispersion_milo__A6000.json.gz", K + "dedispersion_milo.T1.json", "dedispersion_milo.cu", DEDISP),
    ("gemm_3090", "benchmark_hub__currently_unused__KernelTuner_data__gemm__RTX_3090.json.gz", None, "clblast_xgemm_xgemm_part3.opencl", GEMM),
    ("conv_3090", "benchmark_hub__currently_unused__KernelTuner_data__convolution__RTX_3090.json.gz", None, "convolution.cu", CONV_KT),
    ("pnpoly_3090", "benchmark_hub__currently_unused__KernelTuner_data__pnpoly__RTX_3090.json.gz", None, "pnpoly.cu", PNPOLY),
]


def toml_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def patch(text, info):
    rel = os.path.relpath(SHARED, SPECS)
    text = text.replace(SHARED, rel)
    text = re.sub(r'^description = .*$', "description = " + toml_string(info["description"]),
                  text, count=1, flags=re.M)
    for name, desc in info["params"].items():
        text = re.sub(r"^(%s = \{ .*?)( \})$" % re.escape(name),
                      lambda m: m.group(1) + ", description = " + toml_string(desc) + m.group(2),
                      text, count=1, flags=re.M)
    metrics = "\n[metrics]\nflops = %s\nbytes = %s\n" % (toml_string(info["flops"]),
                                                         toml_string(info["bytes"]))
    text = text.replace("\n[check]", metrics + "\n[check]", 1)
    if info.get("constraints"):
        block = "\n[constraints]\n" + "".join(
            "restriction_%d = %s\n" % (i + 1, toml_string(c)) for i, c in enumerate(info["constraints"]))
        text = text.replace("\n[metrics]", block + "\n[metrics]", 1)
    return text


def main():
    tuna = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "tuna")
    os.makedirs(SPECS, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, recording, t1, source, info in PANEL:
            out = os.path.join(tmp, name + ".toml")
            cmd = [tuna, "import", os.path.join(SHARED, recording), "--write-spec", out,
                   "--source", os.path.join(SHARED, "kernels", source),
                   "--db", os.path.join(tmp, "import.db")]
            if t1:
                cmd += ["--t1", os.path.join(SHARED, t1)]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            with open(out) as f:
                text = patch(f.read(), info)
            with open(os.path.join(SPECS, name + ".toml"), "w") as f:
                f.write("# Written by bench/llm_panel/make_specs.py: edit that script, not this file.\n")
                f.write(text)
            print("wrote", os.path.relpath(os.path.join(SPECS, name + ".toml"), ROOT))


if __name__ == "__main__":
    main()
