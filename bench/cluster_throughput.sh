#!/usr/bin/env bash
# Cluster mode's own overhead per config: two ranks on this host tune the host rowsum example
# with configs whose binaries are already cached, so each config costs little more than its
# timing and the messages between the ranks.
#   bash bench/cluster_throughput.sh TUNA_BINARY [RUNS]
# Runs once to fill an artifact cache (in a temporary folder), then RUNS (default 3) timed runs
# of the same 60 random configs (seed 1), each with an empty store, and prints each run's
# configs per minute and how many configs each rank measured. Needs OpenMPI's mpiexec.
set -uo pipefail
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: bash bench/cluster_throughput.sh TUNA_BINARY [RUNS] (e.g. build/tuna)" >&2
  exit 2
fi
tuna=$(realpath "$1")
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
spec="$here/examples/host/rowsum/spec.toml"
command -v mpiexec >/dev/null || { echo "cluster_throughput: mpiexec not found" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 TUNA_CACHE_DIR="$work/cache"
export OMPI_MCA_btl_vader_single_copy_mechanism=none TMPDIR="$work"

one_run() {  # prints the summary's throughput and devices lines
  rm -f "$work/db"
  TUNA_DB="$work/db" mpiexec -n 2 --oversubscribe --bind-to none "$tuna" tune "$spec" \
    --strategy random --seed 1 --max-evals 60 --shootout-rounds 0 --timing-budget 0.2 -j 1 -q \
    2>&1 | grep -E "configs/min|^devices" | sed 's/; compiling.*//; s/^time: *//; s/^devices: *//'
}

one_run >/dev/null  # fills the artifact cache
for i in $(seq 1 "$runs"); do echo "run $i: $(one_run | tr '\n' ' ')"; done
