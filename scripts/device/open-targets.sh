#!/usr/bin/env bash
# Run THERE (the GPU machine, through the device tool, carrying .device-deps): everything the
# open GPU targets of issues 16 and 17 need that has never run on a GPU, in one call of about
# ten minutes, in order of worth, so that a call cut at its limit still brings back what ran:
#   1. build (gpu-run.sh probe build);
#   2. the GPU tests of the new code: the device-side check (CudaBackendTest), the CUDA faults,
#      the Triton backend (fault kernel, softmax example);
#   3. bench/bench_check: checking a 1 GiB output on the device against on the host;
#   4. the Hopper HGEMM's first runs (default, the bulk-copy fallback, a fast-looking shape);
#   5. the references (torch_refs.py) and the Triton examples tuned (TRITON_TUNE_TIME s each).
# Everything goes to $OUT/gpu-run.log (plus gpu-run.sh's own logs: under the tool's 8 files).
#   run(command="bash scripts/device/open-targets.sh", carry=[".device-deps"])
# Then, in a second call: gpu-run.sh python kt (Kernel Tuner against tune_kernel).
set -uo pipefail
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/build-gpu/out}
bash scripts/device/gpu-run.sh probe build || exit 1
exec >>"$OUT/gpu-run.log" 2>&1
echo "=== GPU tests $(date -u +%T)"
(cd build-gpu && timeout 240 ctest -L gpu --timeout 120 --output-on-failure \
   -R "CudaBackend|Triton|CudaFaults.Every|CudaConstant" >"$OUT/ctest-gpu.log" 2>&1
 grep -E "tests passed|tests failed|\(Failed\)|Skipped|Failure|Expected|Which is" \
   "$OUT/ctest-gpu.log" | head -60)
echo "=== bench_check $(date -u +%T)"
timeout 60 build-gpu/bench/bench_check 1
echo "=== hgemm_sm90 $(date -u +%T)"
for config in BM=128 TENSOR_TMA=false BM=128,BN=256,STAGES=4,CONSUMERS=2,PERSISTENT=true,GROUP_M=8; do
  echo "--- $config"
  TUNA_DB=/tmp/sm90.db timeout 40 build-gpu/tuna run examples/cuda/hgemm_sm90/spec.toml \
    --config "$config" --run-timeout 10 2>&1
done
echo "=== references $(date -u +%T)"
timeout 60 python3 bench/python/torch_refs.py
echo "=== Triton examples $(date -u +%T)"
EXAMPLES=examples/triton TUNE_TIME=${TRITON_TUNE_TIME:-45} TUNE_STRATEGY=auto \
  bash scripts/device/tune-examples.sh build-gpu/tuna /tmp
echo "=== done $(date -u +%T)"
