#!/usr/bin/env bash
# Tuner throughput with one device and with several, in the same call on the same machine:
#   bash bench/multi_device.sh TUNA_BINARY OUT [SPEC]
# Tunes SPEC (default: examples/cuda/sgemm) several times with the same strategy, seed, config
# count and compile jobs. Each run starts from an empty store and an empty artifact cache, so
# every run compiles every config it measures. Runs (MULTI_MODES, default "one all"):
#   one        --devices 0
#   all        --devices all
#   one-sync   --devices 0 --sync-batches   (no lookahead: each batch ends before the next)
#   all-sync   --devices all --sync-batches
#   mpi        mpirun -n <GPUs>, one rank per GPU (cluster mode on one host), when mpirun exists
# Prints configs per minute for each and the ratios to "one"; writes OUT/multi-<mode>.json (the
# `tune --json` documents) and OUT/multi_device.txt (the figures).
# Knobs: MULTI_EVALS (configs per run, default 300), MULTI_STRATEGY (default random),
# MULTI_JOBS (compile jobs, default all cores).
set -uo pipefail
tuna=$1
out=$2
spec=${3:-examples/cuda/sgemm/spec.toml}
evals=${MULTI_EVALS:-300}
strategy=${MULTI_STRATEGY:-random}
jobs=${MULTI_JOBS:-$(nproc)}
modes=(${MULTI_MODES:-one all})
mkdir -p "$out"
common=(--strategy "$strategy" --seed 1 --max-evals "$evals" --shootout-rounds 0 --run-timeout 20
        --json -q)

run_mode() {  # $1: mode
  local dir="$out/multi-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  export TUNA_DB="$dir/tuna.db" TUNA_CACHE_DIR="$dir/cache"
  case "$1" in
    one) "$tuna" tune "$spec" --devices 0 -j "$jobs" "${common[@]}" ;;
    all) "$tuna" tune "$spec" --devices all -j "$jobs" "${common[@]}" ;;
    one-sync) "$tuna" tune "$spec" --devices 0 --sync-batches -j "$jobs" "${common[@]}" ;;
    all-sync) "$tuna" tune "$spec" --devices all --sync-batches -j "$jobs" "${common[@]}" ;;
    mpi)
      # One rank per GPU, each choosing its GPU by its rank on this host; the compile cores are
      # shared out among the ranks. --bind-to none: OpenMPI would otherwise bind each rank (and
      # its compile children) to one core.
      local gpus ranks
      gpus=$(nvidia-smi -L 2>/dev/null | wc -l); ranks=$((gpus > 0 ? gpus : 1))
      OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -n "$ranks" --oversubscribe \
        --bind-to none \
        bash -c 'TUNA_CUDA_DEVICE=$OMPI_COMM_WORLD_LOCAL_RANK exec "$0" "$@"' \
        "$tuna" tune "$spec" -j $((jobs / ranks)) "${common[@]}" ;;
  esac >"$out/multi-$1.json" 2>"$dir/stderr.log"
  echo "exit $? ($1)" >>"$dir/stderr.log"
}

echo "spec $spec, $strategy seed 1, $evals configs, -j $jobs, $(nproc) cores, modes: ${modes[*]}, $(date -u +%FT%TZ)"
nvidia-smi --query-gpu=index,name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv 2>/dev/null || true
for m in "${modes[@]}"; do
  if [ "$m" = mpi ] && ! command -v mpirun >/dev/null; then echo "mpi: no mpirun here"; continue; fi
  run_mode "$m"
done
python3 - "$out" "${modes[@]}" <<'PY' | tee "$out/multi_device.txt"
import json, os, sys
out, modes = sys.argv[1], sys.argv[2:]
rates = {}
for m in modes:
    path = os.path.join(out, f"multi-{m}.json")
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        print(f"{m}: no result (see {out}/multi-{m}/stderr.log)")
        continue
    split, measured, elapsed = doc["time_split"], doc["measured"], doc["elapsed_s"]
    rates[m] = measured / elapsed * 60
    busy = {k: round(100 * v / elapsed) for k, v in split.get("busy_s_on", {}).items()}
    print(f"{m}: {measured} configs in {elapsed:.1f} s = {rates[m]:.1f} configs/min; "
          f"ran on {split.get('ran_on')}; busy % {busy}; compile wall {split['compile_wall_s']:.1f} s")
for m, r in rates.items():
    if m != "one" and "one" in rates:
        print(f"{m} / one: {r / rates['one']:.2f}x")
PY
