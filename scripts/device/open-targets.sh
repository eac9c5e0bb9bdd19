#!/usr/bin/env bash
# Run THERE (the GPU machine, through the device tool, carrying .device-deps): what is still
# open of issue 17 after 2026-12-06, in one call, in order of worth, so that a call cut short
# still brings back what ran (machines are scarce: plan on getting one):
#   1. build (gpu-run.sh probe build);
#   2. the cuBLAS references (gpu-run.sh refs);
#   3. the SGEMM example's new 8 x 16 and 16 x 8 thread tiles, run one by one (checked, timed,
#      full output), beside the best 8 x 8 config so far;
#   4. the SGEMM example tuned (SGEMM_TUNE_TIME s, default 150) in its widened space: the
#      target is 92% of cuBLAS SGEMM measured in step 2;
#   5. the Python package offline, then Kernel Tuner against tune_kernel (gpu-run.sh python kt,
#      KT_CONFIGS configs, default 100), whose lines now carry NVML's GPU utilization during
#      each call and tuna's own time split (time in the bench worker, compiles, the device's
#      idle share) for the GPU-busy target.
# The steps stop after OPEN_TARGETS_SECONDS (default 540, inside the tool's 600), and then the
# detailed logs are packed into $OUT/logs.tar.gz: with $OUT/open-targets.log that is two files,
# under the tool's limit of 8, whatever ran.
#   run(command="bash scripts/device/open-targets.sh", carry=[".device-deps"])
set -uo pipefail
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/build-gpu/out}

steps() {
  export OUT="$1"
  bash scripts/device/gpu-run.sh probe build || return 1
  bash scripts/device/gpu-run.sh refs
  echo "=== sgemm thread tiles $(date -u +%T)"
  local common=BK=8,VEC=4,DOUBLE_BUFFER=true,PAD_A=4,GROUP_M=8
  for tiles in BM=128,BN=128,WM=128,WN=16,TM=8,TN=8,MIN_BLOCKS=2 \
               BM=128,BN=128,WM=64,WN=64,TM=8,TN=16,MIN_BLOCKS=1 \
               BM=128,BN=128,WM=64,WN=64,TM=8,TN=16,MIN_BLOCKS=2 \
               BM=128,BN=256,WM=64,WN=64,TM=8,TN=16,MIN_BLOCKS=1 \
               BM=256,BN=128,WM=128,WN=32,TM=16,TN=8,MIN_BLOCKS=1; do
    echo "--- $tiles"
    TUNA_DB=/tmp/sgemm.db timeout 40 build-gpu/tuna run examples/cuda/sgemm/spec.toml \
      --config "$tiles,$common" --run-timeout 10 2>&1
  done
  echo "=== sgemm tuned $(date -u +%T)"
  TUNE_TIME=${SGEMM_TUNE_TIME:-150} TUNE_STRATEGY=auto \
    bash scripts/device/tune-examples.sh build-gpu/tuna "$OUT" sgemm
  KT_CONFIGS=${KT_CONFIGS:-100} bash scripts/device/gpu-run.sh python kt
  echo "=== done $(date -u +%T)"
}

source scripts/device/bounded-call.sh
bounded_call open-targets "${OPEN_TARGETS_SECONDS:-540}" 6000 "$0" "$@"
