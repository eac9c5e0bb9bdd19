"""The Triton examples' kernels launched by Triton itself (no tuna), at a few hand-picked configs,
against their references, all in one process:

  examples/triton/matmul (fp16 4096^3) against torch.mm (cuBLAS), as a share of its time;
  examples/triton/softmax (32768 x 4096 fp32) against a device-to-device copy of the same bytes.

What it shows is what the kernels can reach, so that a tuna run on the same GPU can be judged
against it (and the issue's targets: >= 90% of cuBLAS, >= 85% of copy bandwidth); each config's
output is also compared with torch's. Times: triton.testing.do_bench (median). Prints one JSON
object. Needs torch and triton with a CUDA GPU:

    python3 bench/python/triton_direct.py
"""
import json
import sys
from pathlib import Path

import torch
import triton
from triton.testing import do_bench

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "triton"
sys.path[:0] = [str(EXAMPLES / "matmul"), str(EXAMPLES / "softmax")]
from matmul import matmul_kernel  # noqa: E402
from softmax import softmax_kernel  # noqa: E402

MATMUL_CONFIGS = [  # BLOCK_M, BLOCK_N, BLOCK_K, GROUP_M, num_warps, num_stages
    (64, 64, 32, 1, 4, 2),  # the spec's default
    (128, 256, 64, 8, 8, 3),
    (256, 128, 64, 8, 8, 3),
    (128, 128, 64, 8, 4, 4),
    (128, 256, 64, 8, 8, 4),
]
SOFTMAX_CONFIGS = [  # BLOCK_SIZE, ROWS_PER_PROGRAM, num_warps, LOOP_STAGES
    (4096, 1, 4, 1),  # the spec's default
    (4096, 1, 8, 1),
    (4096, 4, 8, 2),
    (4096, 16, 8, 3),
    (4096, 2, 16, 1),
]


def matmul(n=4096):
    a = torch.rand(n, n, device="cuda", dtype=torch.float16) * 2 - 1
    b = torch.rand(n, n, device="cuda", dtype=torch.float16) * 2 - 1
    c = torch.empty(n, n, device="cuda", dtype=torch.float16)
    want = torch.mm(a, b)
    cublas_ms = do_bench(lambda: torch.mm(a, b))
    rows = []
    for bm, bn, bk, g, w, s in MATMUL_CONFIGS:
        grid = ((n // bm) * (n // bn),)

        def launch():
            matmul_kernel[grid](a, b, c, n, n, n, BLOCK_M=bm, BLOCK_N=bn, BLOCK_K=bk, GROUP_M=g,
                                num_warps=w, num_stages=s)
        try:
            launch()
            err = (c.float() - want.float()).abs().max().item()
            ms = do_bench(launch)
            rows.append({"config": [bm, bn, bk, g, w, s], "ms": ms,
                         "tflops": 2 * n**3 / ms / 1e9, "of_cublas": cublas_ms / ms,
                         "max_abs_error": err})
        except Exception as e:  # a config Triton or the GPU refuses is a row, not the end
            rows.append({"config": [bm, bn, bk, g, w, s], "error": str(e).splitlines()[0]})
    return {"n": n, "cublas_ms": cublas_ms, "cublas_tflops": 2 * n**3 / cublas_ms / 1e9,
            "configs": rows}


def softmax(rows=32768, cols=4096):
    x = torch.rand(rows, cols, device="cuda") * 8 - 4
    y = torch.empty_like(x)
    want = torch.softmax(x, dim=1)
    copy_ms = do_bench(lambda: y.copy_(x))
    torch_ms = do_bench(lambda: torch.softmax(x, dim=1))
    out = []
    for bs, r, w, stages in SOFTMAX_CONFIGS:
        def launch():
            # ROWS_PER_PROGRAM shapes only the grid: each program strides over the rows.
            softmax_kernel[(rows // r,)](x, y, rows, COLS=cols, BLOCK_SIZE=bs,
                                        LOOP_STAGES=stages, num_warps=w)
        try:
            launch()
            err = (y - want).abs().max().item()
            ms = do_bench(launch)
            out.append({"config": [bs, r, w, stages], "ms": ms,
                        "gbps": 2 * 4 * rows * cols / ms / 1e6, "of_copy": copy_ms / ms,
                        "max_abs_error": err})
        except Exception as e:
            out.append({"config": [bs, r, w, stages], "error": str(e).splitlines()[0]})
    return {"rows": rows, "cols": cols, "copy_ms": copy_ms,
            "copy_gbps": 2 * 4 * rows * cols / copy_ms / 1e6, "torch_softmax_ms": torch_ms,
            "configs": out}


def main():
    print(json.dumps({"device": torch.cuda.get_device_name(), "torch": torch.__version__,
                      "triton": triton.__version__, "matmul": matmul(), "softmax": softmax()}))


if __name__ == "__main__":
    main()
