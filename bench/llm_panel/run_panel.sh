#!/bin/bash
# The LLM panel (bench/results/llm.md): `llm` and `hybrid` on nine recorded spaces, three seeds
# each, through the `command` provider.
#
#   bench/llm_panel/run_panel.sh live WORKDIR [STRATEGIES] [-- COMPARE FLAGS]
#        one compare per space x strategy x seed (STRATEGIES: "hybrid llm" by default), each
#        asking ../shared/tools/llm_relay.py: whoever plays the model answers the requests that
#        appear in WORKDIR/runs/<space>_<strategy>_s<seed>/relay (the relay's docstring says how).
#        Then `bench/llm_panel/panel.py collect WORKDIR VARIANT "FLAGS"` keeps the finished runs,
#        and `bench/llm_panel/panel.py replay` replays every kept run without a model.
#   bench/llm_panel/run_panel.sh status WORKDIR
#        one line per run: finished (with its exit status), or waiting for resp-N.txt; a reply
#        file whose request does not exist (a misnamed reply: the relay waits for ever) is named.
#
# Each live run gets a fresh relay folder so that a model played by a helper session can be a
# fresh session per run: a model answering several runs would remember the earlier runs' answers.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TUNA=${TUNA:-$ROOT/build/tuna}
RELAY=$(cd "$ROOT/.." && pwd)/shared/tools/llm_relay.py
# SPACES and SEEDS may be set in the environment to run part of the panel (e.g. one space with a
# --prior in the compare flags); RUNS="space:seed ..." names the runs one by one instead (e.g.
# the runs a change affects, continued from a stored transcript with --llm-replay FILE
# --llm-replay-calls N in the compare flags).
SPACES=${SPACES:-"conv_a100 conv_a4000 conv_a6000 dedisp_a100 dedisp_a4000 dedisp_a6000 gemm_3090 conv_3090 pnpoly_3090"}
SEEDS=${SEEDS:-"1 2 3"}
RUNS=${RUNS:-$(for space in $SPACES; do for seed in $SEEDS; do echo "$space:$seed"; done; done)}
BUDGETS=20,50,71,100

live() {
  local work=$1 strategies=${2:-hybrid llm}
  shift $(( $# >= 2 ? 2 : 1 ))
  [ "${1:-}" = "--" ] && shift
  mkdir -p "$work/runs"
  for run in $RUNS; do
    local space=${run%:*} seed=${run#*:}
    for strategy in $strategies; do
      local dir=$work/runs/${space}_${strategy}_s${seed}
      mkdir -p "$dir/relay"
      ( cd "$dir" && "$TUNA" compare "$HERE/specs/$space.toml" --strategies $strategy --runs 1 \
          --seed $seed --budgets $BUDGETS --threads 1 --llm-provider command --llm-model relay \
          --llm-timeout 5400 --llm-command "python3 $RELAY $dir/relay --timeout 5400" \
          --llm-transcript "$dir/transcript.jsonl" --csv "$dir/result.csv" --db "$dir/store.db" \
          -v "$@" > "$dir/log.txt" 2>&1; echo "exit $?" > "$dir/done" ) &
    done
  done
  echo "waiting for the model to answer the requests under $work/runs/*/relay ..."
  wait
}

status() {
  local work=$1 dir name n
  for dir in "$work"/runs/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    if [ -f "$dir/done" ]; then
      echo "$name: finished ($(cat "$dir/done"))"
      continue
    fi
    n=0
    while [ -f "$dir/relay/req-$n.md" ] && [ -f "$dir/relay/resp-$n.txt" ]; do n=$((n + 1)); done
    if [ -f "$dir/relay/req-$n.md" ]; then
      echo "$name: waiting for relay/resp-$n.txt"
    else
      echo "$name: running (no request waiting)"
    fi
    for f in "$dir"/relay/resp-*.txt; do
      [ -e "$f" ] || continue
      local m=${f##*/resp-}
      m=${m%.txt}
      [ -f "$dir/relay/req-$m.md" ] || echo "$name: relay/resp-$m.txt answers no request (misnamed?)"
    done
  done
}

case "${1:-}" in
  live) shift; [ $# -ge 1 ] || { sed -n '2,15p' "$0"; exit 2; }; live "$@" ;;
  status) [ $# -eq 2 ] || { sed -n '2,15p' "$0"; exit 2; }; status "$2" ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
