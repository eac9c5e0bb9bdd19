#!/usr/bin/env bash
# The main job of `make demo`: tune an example kernel on the best device present.
# Uses its own database under the build folder so the demo never touches the user's results.
set -euo pipefail
build_dir=${1:-build}
tuna="$build_dir/tuna"
export TUNA_DB="${TUNA_DB:-$build_dir/demo.db}"

echo "== tuna devices"
devices=$("$tuna" devices)
echo "$devices"
echo
# The best device present: a GPU when the CUDA backend found one, else the CPU.
if grep -Eq '^cuda +[^u]' <<<"$devices" && ! grep -Eq '^cuda +unavailable' <<<"$devices"; then
  spec=examples/cuda/sgemm/spec.toml
  echo "== tuna tune $spec"
  "$tuna" tune "$spec" --max-evals 150 --time 90
else
  spec=examples/host/matmul/spec.toml
  echo "== tuna tune $spec"
  "$tuna" tune "$spec" --max-evals 40 --time 120
fi
