#!/bin/bash
# The LLM panel (bench/results/llm.md): `llm` and `hybrid` on nine recorded spaces, three seeds
# each, through the `command` provider, with the surrogate alone beside them.
#
#   bench/llm_panel/run_panel.sh live [WORKDIR]   one compare per space x strategy x seed, each
#        asking ../shared/tools/llm_relay.py: whoever plays the model answers the requests that
#        appear in WORKDIR/runs/<space>_<strategy>_s<seed>/relay (the relay's docstring says how).
#        When every run is done, their transcripts are merged into transcripts/panel.jsonl.
#   bench/llm_panel/run_panel.sh replay           the same runs answered from
#        transcripts/panel.jsonl, without a model; prints the table and writes results/panel.csv.
#
# Each live run gets a fresh relay folder so that a model played by a helper session can be a
# fresh session per run: a model answering several runs would remember the earlier runs' answers.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TUNA=${TUNA:-$ROOT/build/tuna}
RELAY=$(cd "$ROOT/.." && pwd)/shared/tools/llm_relay.py
SPACES="conv_a100 conv_a4000 conv_a6000 dedisp_a100 dedisp_a4000 dedisp_a6000 gemm_3090 conv_3090 pnpoly_3090"
SEEDS="1 2 3"
BUDGETS=20,50,71,100

live() {
  local work=${1:-/tmp/tuna_llm_panel}
  mkdir -p "$work/runs"
  for space in $SPACES; do
    for seed in $SEEDS; do
      for strategy in hybrid llm; do
        local dir=$work/runs/${space}_${strategy}_s${seed}
        mkdir -p "$dir/relay"
        ( cd "$ROOT" && "$TUNA" compare "$HERE/specs/$space.toml" --strategies $strategy --runs 1 \
            --seed $seed --budgets $BUDGETS --threads 1 --llm-provider command --llm-model relay \
            --llm-timeout 5400 --llm-command "python3 $RELAY $dir/relay --timeout 5400" \
            --llm-transcript "$dir/transcript.jsonl" --csv "$dir/result.csv" --db "$dir/store.db" \
            -v > "$dir/log.txt" 2>&1; echo "exit $?" > "$dir/done" ) &
      done
    done
  done
  echo "waiting for the model to answer the requests under $work/runs/*/relay ..."
  wait
  cat "$work"/runs/*/transcript.jsonl > "$HERE/transcripts/panel.jsonl"
  echo "merged $(wc -l < "$HERE/transcripts/panel.jsonl") exchanges into transcripts/panel.jsonl"
}

replay() {
  mkdir -p "$HERE/results"
  local specs=()
  for space in $SPACES; do specs+=("$HERE/specs/$space.toml"); done
  "$TUNA" compare "${specs[@]}" --strategies llm,hybrid,surrogate --runs 3 --seed 1 \
    --budgets $BUDGETS --llm-replay "$HERE/transcripts/panel.jsonl" \
    --csv "$HERE/results/panel.csv" "$@"
}

case "${1:-}" in
  live) shift; live "$@" ;;
  replay) shift; replay "$@" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
