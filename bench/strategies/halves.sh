#!/bin/bash
# The held-out protocol behind the model-free defaults (docs/strategies.md, "How the defaults
# were chosen"): a change is chosen on the fit half, the six "milo" recordings (convolution and
# dedispersion on the A100, A4000 and A6000), and checked on the held-out half, five other
# recordings that were never used to choose. 100 runs per space (seeds 1-100), median replay;
# `tuna compare` prints each space's mean score with its standard error, and the mean of the half.
#
#   bench/strategies/halves.sh fit|held [TUNA COMPARE FLAGS...]
#
# e.g. `bench/strategies/halves.sh fit --strategies surrogate,pattern --json`. TUNA and DATASETS
# may point elsewhere (defaults: build/tuna and ../shared/datasets).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TUNA=${TUNA:-$ROOT/build/tuna}
DATASETS=${DATASETS:-$(cd "$ROOT/.." && pwd)/shared/datasets}

half=${1:-}
shift || true
case "$half" in
  fit)
    spaces=()
    for kernel in convolution dedispersion; do
      for gpu in A100 A4000 A6000; do
        spaces+=("$DATASETS/benchmark_hub__${kernel}_milo__${gpu}.json.gz")
      done
    done ;;
  held)
    spaces=("$DATASETS/KTT__Examples__CoulombSum3d__coulomb_2080_full_search_space.json.gz"
            "$DATASETS/benchmark_hub__currently_unused__KTT_data__KTPnpolyOutput_3090.json.gz"
            "$DATASETS/benchmark_hub__currently_unused__KernelTuner_data__convolution__RTX_3090.json.gz"
            "$DATASETS/benchmark_hub__currently_unused__KernelTuner_data__gemm__RTX_3090.json.gz"
            "$DATASETS/benchmark_hub__currently_unused__KernelTuner_data__pnpoly__RTX_3090.json.gz") ;;
  *) sed -n '2,11p' "$0"; exit 2 ;;
esac
for f in "${spaces[@]}"; do
  [ -f "$f" ] || { echo "halves.sh: recording not found: $f (set DATASETS)" >&2; exit 1; }
done
# The surrogate (`auto` without an LLM) unless the flags name the strategies; the same for the
# runs and budgets.
defaults=()
[[ " $* " == *" --strategies "* ]] || defaults+=(--strategies surrogate)
[[ " $* " == *" --runs "* ]] || defaults+=(--runs 100)
[[ " $* " == *" --budgets "* ]] || defaults+=(--budgets 20,50,100)
exec "$TUNA" compare "${spaces[@]}" "${defaults[@]}" "$@"
