#!/usr/bin/env bash
# Run THERE (the GPU machine, through the device tool, carrying .device-deps and .kt-examples):
# everything the open GPU targets of issues 16 and 17 need, in one call, in order of worth, so
# that a call cut short still brings back what ran (machines are scarce: plan on getting one):
#   1. build (gpu-run.sh probe build);
#   2. the GPU tests of the new code: the device-side check, constant memory, the CUDA faults,
#      the Triton backend (fault kernel, softmax example);
#   3. bench/bench_check: checking a 1 GiB output on the device against on the host;
#   4. the Hopper HGEMM's first runs (default, the bulk-copy fallback, a fast-looking shape);
#   5. the cuBLAS references (gpu-run.sh refs) and torch's (bench/python/torch_refs.py);
#   6. the Triton examples tuned (TRITON_TUNE_TIME s each, default 30);
#   7. the Python package offline, then Kernel Tuner against tune_kernel (gpu-run.sh python kt,
#      KT_CONFIGS configs, default 60);
#   8. the Hopper HGEMM tuned (SM90_TUNE_TIME s, default 60);
#   9. Kernel Tuner's own examples run by tuna (gpu-run.sh kt-examples, from .kt-examples/).
# The steps stop after OPEN_TARGETS_SECONDS (default 540, inside the tool's 600), and then the
# detailed logs are packed into $OUT/logs.tar.gz: with $OUT/open-targets.log that is two files,
# under the tool's limit of 8, whatever ran.
#   run(command="bash scripts/device/open-targets.sh", carry=[".device-deps", ".kt-examples"])
set -uo pipefail
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/build-gpu/out}

steps() {
  export OUT="$1"
  bash scripts/device/gpu-run.sh probe build || return 1
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
  bash scripts/device/gpu-run.sh refs
  echo "=== torch references $(date -u +%T)"
  timeout 60 python3 bench/python/torch_refs.py
  echo "=== Triton examples $(date -u +%T)"
  EXAMPLES=examples/triton TUNE_TIME=${TRITON_TUNE_TIME:-30} TUNE_STRATEGY=auto \
    bash scripts/device/tune-examples.sh build-gpu/tuna "$OUT"
  KT_CONFIGS=${KT_CONFIGS:-60} bash scripts/device/gpu-run.sh python kt
  echo "=== hgemm_sm90 tuned $(date -u +%T)"
  TUNE_TIME=${SM90_TUNE_TIME:-60} TUNE_STRATEGY=auto \
    bash scripts/device/tune-examples.sh build-gpu/tuna "$OUT" hgemm_sm90
  bash scripts/device/gpu-run.sh kt-examples
  echo "=== done $(date -u +%T)"
}

if [ "${1:-}" = "--steps" ]; then
  steps "$2"
  exit $?
fi
mkdir -p "$OUT/logs"
timeout --kill-after=10 "${OPEN_TARGETS_SECONDS:-540}" bash "$0" --steps "$OUT/logs" \
  >"$OUT/open-targets.log" 2>&1
echo "=== stopped with status $? at $(date -u +%T) (124: the time budget)" >>"$OUT/open-targets.log"
tar czf "$OUT/logs.tar.gz" -C "$OUT" logs && rm -rf "$OUT/logs"
tail -c 6000 "$OUT/open-targets.log"
