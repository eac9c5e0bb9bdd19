#!/usr/bin/env bash
# Side-by-side comparison of tuna's model-free strategies with Kernel Tuner's, in simulation on
# the recorded Kernel Tuner caches of ../shared/datasets. Usage, from the repository root:
#   bench/kernel_tuner/run.sh [RUNS] [SLOW_RUNS]
# Environment: OUT (default build-kt), DATASETS (default ../shared/datasets),
# TUNA (default build/tuna), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-20}
SLOW_RUNS=${2:-10}
OUT=${OUT:-build-kt}
DATASETS=${DATASETS:-../shared/datasets}
TUNA=${TUNA:-build/tuna}
JOBS=${JOBS:-2}
KT_VERSION=1.5.0  # the version the recorded results used; bump deliberately

mkdir -p "$OUT"
if [ ! -x "$OUT/venv/bin/python" ]; then
  python3 -m venv "$OUT/venv" || {
    echo "python3 -m venv failed: install Debian's venv module (apt-get install -y python3-venv)" >&2
    exit 1
  }
fi
"$OUT/venv/bin/pip" install -q "kernel_tuner==$KT_VERSION"

# Only Kernel Tuner caches: both sides get exactly the same files.
FILES=()
for f in "$DATASETS"/*.json.gz; do
  if (set +o pipefail; zcat "$f" | head -c 65536 | grep -q '"tune_params_keys"'); then
    FILES+=("$f")
  fi
done
echo "${#FILES[@]} Kernel Tuner caches" >&2

"$TUNA" compare "${FILES[@]}" --runs "$RUNS" --csv "$OUT/tuna.csv" --svg "$OUT/tuna.svg" \
  > "$OUT/tuna.txt"

# Kernel Tuner draws from Python's and NumPy's global generators, which compare.py seeds per run;
# a fixed hash seed keeps set iteration order, and so those draws, the same between invocations.
PYTHONHASHSEED=0 "$OUT/venv/bin/python" bench/kernel_tuner/compare.py "${FILES[@]}" \
  --runs "$RUNS" --slow-runs "$SLOW_RUNS" --jobs "$JOBS" \
  --csv "$OUT/kt.csv" --stats "$OUT/kt_runs.csv" --runs-jsonl "$OUT/kt_runs.jsonl"

python3 bench/kernel_tuner/merge.py "$OUT/tuna.csv" "$OUT/kt.csv" --stats "$OUT/kt_runs.csv" \
  | tee "$OUT/merged.md"
