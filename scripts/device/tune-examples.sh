#!/usr/bin/env bash
# Tunes every CUDA example and writes each run's summary to OUT/tune-<name>.log and its store to
# OUT/tune.db (one SQLite file for all). Used by gpu-run.sh on the GPU machine:
#   bash scripts/device/tune-examples.sh TUNA_BINARY OUT [NAME...]
# EXAMPLES (default examples/cuda) is the folder of examples: examples/triton for the Triton ones.
# Budgets: TUNE_TIME (seconds per example, default 120), TUNE_EVALS (configs, 0 = exhaustive
# when the space allows), TUNE_STRATEGY (default exhaustive: it stops at the time budget, and
# the space is then sampled in enumeration order; use random for a fair sample).
set -uo pipefail
tuna=$1
out=$2
shift 2
names=("$@")
examples=${EXAMPLES:-examples/cuda}
[ ${#names[@]} -eq 0 ] && names=($(ls -d "$examples"/*/ | xargs -n1 basename))
time_s=${TUNE_TIME:-120}
evals=${TUNE_EVALS:-0}
strategy=${TUNE_STRATEGY:-random}
export TUNA_DB="$out/tune.db"
for name in "${names[@]}"; do
  spec="$examples/$name/spec.toml"
  [ -f "$spec" ] || { echo "no $spec"; continue; }
  echo "--- $name: $strategy, up to $evals configs, $time_s s"
  "$tuna" tune "$spec" --strategy "$strategy" --max-evals "$evals" --time "$time_s" \
    --timing-budget "${TUNE_TIMING_MS:-50}" --run-timeout 20 2>&1 | tee "$out/tune-$(basename "$examples")-$name.log" | tail -14
done
