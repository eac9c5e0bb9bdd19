#!/usr/bin/env bash
# Transfer between devices, measured in simulation (issue 15; results in
# bench/results/transfer.md): for every ordered pair of the A100 / A4000 / A6000 recordings of one
# kernel (convolution, dedispersion), `tuna compare` on the target with the source as --prior,
# with the source's times shuffled (a prior that misleads), and without a prior.
#
#   bench/transfer/run_transfer.sh [TUNA] [OUT_DIR] [RUNS] [STRATEGIES]
# TUNA defaults to build/tuna; OUT_DIR to /tmp/tuna-transfer; RUNS to 20; STRATEGIES to
# surrogate. Each compare writes OUT_DIR/<kernel>_<target>_<mode>[_<source>].csv; the summary
# table is printed at the end (bench/transfer/summarise.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
tuna=${1:-build/tuna}
out=${2:-/tmp/tuna-transfer}
runs=${3:-20}
strategies=${4:-surrogate}
data=../shared/datasets
mkdir -p "$out"
compare() {  # name, target file, extra flags...
  local name=$1 target=$2
  shift 2
  "$tuna" compare "$target" --strategies "$strategies" --runs "$runs" --budgets 20,50,100 \
    --threads 2 -q --csv "$out/$name.csv" "$@" > "$out/$name.txt"
}
for kernel in convolution dedispersion; do
  for target in A100 A4000 A6000; do
    tfile=$data/benchmark_hub__${kernel}_milo__${target}.json.gz
    compare "${kernel}_${target}_none" "$tfile"
    for source in A100 A4000 A6000; do
      [[ $source == "$target" ]] && continue
      sfile=$data/benchmark_hub__${kernel}_milo__${source}.json.gz
      compare "${kernel}_${target}_prior_${source}" "$tfile" --prior "$sfile"
      compare "${kernel}_${target}_shuffled_${source}" "$tfile" --prior "$sfile" --prior-shuffle
    done
  done
done
python3 bench/transfer/summarise.py "$out"
