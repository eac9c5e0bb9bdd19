#!/usr/bin/env bash
# Tunes each OpenCL example briefly with tuna on the default OpenCL device (PoCL on a CPU) and
# fails unless every config measured ran and passed its check. A private database and cache
# (in a temporary folder) keep the user's results untouched.
#   examples/opencl/check_examples.sh [TUNA_BINARY] [EVALS]      # defaults: build/tuna, 30
# On the GPU machine: TUNA_OPENCL_PLATFORM=NVIDIA examples/opencl/check_examples.sh build-gpu/tuna
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tuna="${1:-$here/../../build/tuna}"
evals="${2:-30}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export TUNA_DB="$tmp/tuna.db" TUNA_CACHE_DIR="$tmp/cache"
failures=0
for example in gemm conv2d reduction; do
  log="$tmp/$example.log"
  if ! "$tuna" tune "$here/$example/spec.toml" --max-evals "$evals" >"$log" 2>&1; then
    echo "FAIL $example: tuna tune exited with an error"
    tail -20 "$log" | sed 's/^/    /'
    failures=$((failures + 1))
    continue
  fi
  # The summary's line "configs: 30 (30 measured, 0 reused from the store): 30 ok" lists a count
  # per status; anything but "ok" is a failure of the example.
  summary="$(grep '^configs:' "$log")"
  if ! grep -Eq ': [0-9]+ ok$' <<<"$summary"; then
    echo "FAIL $example: $summary"
    failures=$((failures + 1))
    continue
  fi
  echo "ok   $example: $summary; $(grep -m1 '^default:' "$log")"
done
exit $((failures > 0))
