#!/usr/bin/env bash
# Run THERE (the GPU machine, through the device tool, carrying .device-deps): where the wall
# time of a short SGEMM tuning run goes (issue 17's GPU-busy target), in one call:
#   1. build (gpu-run.sh probe build);
#   2. `tuna tune` of examples/cuda/sgemm, 100 random configs, no shootout: at 7 repetitions
#      without a timing budget (Kernel Tuner's default) with an empty compile cache ("cold"),
#      again with every config's artifact cached ("warm": what is left once compiling is free),
#      and at tuna's own timing defaults (warm); each run's JSON time split, NVML's utilization
#      sampled by nvidia-smi every 100 ms around the whole command, and its timeline from the
#      store (scripts/device/busy_timeline.py: start-up, time in the bench worker, the kernels'
#      own time, gaps between configs, the tail);
#   3. the same run under Nsight Systems when the image has it (CUDA trace of the bench worker):
#      kernel, memset and copy time, to tell the tuner's own gaps from the kernels';
#   4. the Python package offline and tune_kernel against Kernel Tuner (gpu-run.sh python kt)
#      with tuna's setup time now in its line (GPU_BUSY_KT=0 leaves this step out).
# GPU_BUSY_FLAGS adds flags to every short run; GPU_BUSY_AB="FLAGS" adds cold and warm runs
# with those flags instead, interleaved with the plain ones (an A/B in one call).
# Logs: $OUT/gpu-busy.log (summary) and $OUT/logs.tar.gz (details).
#   run(command="bash scripts/device/gpu-busy.sh", carry=[".device-deps"])
set -uo pipefail
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/build-gpu/out}

sgemm_run() {  # ARGS... : the short SGEMM run, JSON summary on stdout
  # shellcheck disable=SC2086  # GPU_BUSY_FLAGS is a list of flags
  TUNA_DB=/tmp/gpu-busy.db TUNA_CACHE_DIR=/tmp/gpu-busy-cache build-gpu/tuna tune \
    examples/cuda/sgemm/spec.toml --strategy random --seed 1 --max-evals 100 --shootout-rounds 0 \
    --fresh --json --quiet ${GPU_BUSY_FLAGS:-} "$@"
}

# One short run with NVML sampled around it: LABEL, then sgemm_run's extra flags.
sampled_run() {
  local label=$1
  shift
  echo "=== short sgemm run ($label), NVML sampled $(date -u +%T)"
  nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms=100 \
    >"$OUT/nvml-$label.txt" 2>/dev/null &
  local smi=$!
  sleep 0.5
  local t0; t0=$(date +%s.%N)
  sgemm_run "$@" >"$OUT/sgemm-$label.json" 2>"$OUT/sgemm-$label.err"
  local t1; t1=$(date +%s.%N)
  sleep 0.3
  kill $smi 2>/dev/null; wait $smi 2>/dev/null
  echo "timeline: $(python3 scripts/device/busy_timeline.py /tmp/gpu-busy.db "$t0" "$t1")"
  python3 - "$OUT/sgemm-$label.json" "$OUT/nvml-$label.txt" "$t0" "$t1" "$label" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
samples = [float(x) for x in open(sys.argv[2]).read().split() if x.strip().isdigit()]
wall = float(sys.argv[4]) - float(sys.argv[3])
# nvidia-smi started 0.5 s before the command and stopped 0.3 s after: drop those samples.
inner = samples[5:len(samples) - 3] if len(samples) > 8 else samples
split = doc.get("time_split", {})
print(json.dumps({"run": sys.argv[5], "wall_s": round(wall, 2), "elapsed_s": doc.get("elapsed_s"),
                  "setup_s": split.get("setup_s"), "run_s": split.get("run_s"),
                  "compile_wall_s": split.get("compile_wall_s"),
                  "worker_phases_s": {k: round(v, 3) for k, v in split.get("worker_phases_s", {}).items()},
                  "device_idle_share": split.get("device_idle_share"),
                  "measured": doc.get("measured"), "counts": doc.get("counts"),
                  "nvml_utilization_mean": round(sum(inner) / len(inner) / 100, 3) if inner else None,
                  "nvml_samples": len(inner)}))
PY
}

steps() {
  export OUT="$1"
  bash scripts/device/gpu-run.sh probe build || return 1
  # Kernel Tuner's default (7 repetitions, no timing budget) with nothing compiled yet, then
  # with every artifact cached, then tuna's own defaults.
  rm -rf /tmp/gpu-busy-cache
  sampled_run reps7-cold --min-reps 7 --timing-budget 0
  sampled_run reps7-warm --min-reps 7 --timing-budget 0
  sampled_run defaults-warm
  if [ -n "${GPU_BUSY_AB:-}" ]; then
    # shellcheck disable=SC2086
    { rm -rf /tmp/gpu-busy-cache; sampled_run ab-reps7-cold --min-reps 7 --timing-budget 0 $GPU_BUSY_AB; }
    # shellcheck disable=SC2086
    sampled_run ab-reps7-warm --min-reps 7 --timing-budget 0 $GPU_BUSY_AB
    rm -rf /tmp/gpu-busy-cache
    sampled_run reps7-cold-again --min-reps 7 --timing-budget 0
  fi
  local nsys; nsys=$(command -v nsys || ls /usr/local/cuda/bin/nsys /opt/nvidia/nsight-systems*/bin/nsys 2>/dev/null | head -1)
  if [ -n "$nsys" ]; then
    echo "=== the same run under $nsys $(date -u +%T)"
    TUNA_DB=/tmp/gpu-busy-nsys.db "$nsys" profile -t cuda --trace-fork-before-exec=true \
      --stats=true --force-overwrite=true -o /tmp/gpu-busy-prof \
      build-gpu/tuna tune examples/cuda/sgemm/spec.toml --strategy random --max-evals 100 \
      --min-reps 7 --timing-budget 0 --shootout-rounds 0 --fresh --quiet >"$OUT/nsys.log" 2>&1
    echo "nsys exit status $?"
    grep -A14 -E "cuda_gpu_kern_sum|cuda_gpu_mem_time_sum|cuda_api_sum" "$OUT/nsys.log" | cut -c1-200 | head -70
  else
    echo "=== no nsys on this image"
  fi
  [ "${GPU_BUSY_KT:-1}" = 1 ] && KT_CONFIGS=${KT_CONFIGS:-100} bash scripts/device/gpu-run.sh python kt
  echo "=== done $(date -u +%T)"
}

source scripts/device/bounded-call.sh
bounded_call gpu-busy "${GPU_BUSY_SECONDS:-540}" 7000 "$0" "$@"
