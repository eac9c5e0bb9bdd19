"""References for the Triton examples (issue 16), measured with PyTorch on the GPU:

  fp16 matrix product (torch.mm, cuBLAS) at 4096^3 and 8192^3, in TFLOP/s;
  device-to-device copy bandwidth of a 512 MiB buffer (bytes read + written per second);
  torch.softmax over the rows of a 32768 x 4096 fp32 matrix, as a share of that bandwidth;
  a transpose of a 16384 x 16384 fp32 matrix (x.t().contiguous()), the CUDA transpose
  example's problem, in GB/s (issue 17: the example must beat it).

Each figure is the median of 20 timed runs (CUDA events) after 5 warm-ups. Prints one JSON
object. Needs torch with CUDA; run it in the same device call as the tuning it is compared to:

    python3 bench/python/torch_refs.py > refs_torch.json
"""
import json
import statistics

import torch


def median_ms(fn, warmup=5, runs=20):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def matmul_tflops(n):
    a = torch.randn(n, n, device="cuda", dtype=torch.float16)
    b = torch.randn(n, n, device="cuda", dtype=torch.float16)
    ms = median_ms(lambda: torch.mm(a, b))
    return {"n": n, "ms": ms, "tflops": 2 * n**3 / ms / 1e9}


def copy_gbps(nbytes=512 << 20):
    src = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    ms = median_ms(lambda: dst.copy_(src))
    return {"bytes": nbytes, "ms": ms, "gbps": 2 * nbytes / ms / 1e6}


def softmax_gbps(rows=32768, cols=4096):
    x = torch.rand(rows, cols, device="cuda", dtype=torch.float32) * 8 - 4
    ms = median_ms(lambda: torch.softmax(x, dim=1))
    return {"rows": rows, "cols": cols, "ms": ms, "gbps": 2 * 4 * rows * cols / ms / 1e6}


def transpose_gbps(n=16384):
    x = torch.rand(n, n, device="cuda", dtype=torch.float32)
    ms = median_ms(lambda: x.t().contiguous())
    return {"n": n, "ms": ms, "gbps": 2 * 4 * n * n / ms / 1e6}


def main():
    torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = True
    out = {
        "device": torch.cuda.get_device_name(),
        "torch": torch.__version__,
        "mm_fp16": [matmul_tflops(4096), matmul_tflops(8192)],
        "copy": copy_gbps(),
        "softmax_fp32": softmax_gbps(),
        "transpose_fp32": transpose_gbps(),
    }
    try:
        import triton

        out["triton"] = triton.__version__
    except ImportError:
        out["triton"] = None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
