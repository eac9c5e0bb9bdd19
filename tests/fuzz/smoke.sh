#!/usr/bin/env bash
# Runs each libFuzzer target for a short time (`make fuzz-smoke`; docs/building.md, "Fuzzing").
#   tests/fuzz/smoke.sh BUILD_DIR [SECONDS_EACH]
# Each target starts from its seeds (tests/fuzz/seeds/<target>; for fuzz_spec, every spec.toml
# of examples/ and tests/faults/) plus what earlier runs in BUILD_DIR found, and fails on the
# first crash, sanitizer report, leak or input slower than 10 s. A failing input is written to
# BUILD_DIR/fuzz-artifacts/; reproduce with `BUILD_DIR/tests/fuzz/<target> <that file>`.
set -euo pipefail
build=${1:?usage: smoke.sh BUILD_DIR [SECONDS_EACH]}
seconds=${2:-45}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$build" && pwd)

# fuzz_spec's seeds: the real specs, flattened into one folder.
spec_seeds=$build/fuzz-seeds/fuzz_spec
rm -rf "$spec_seeds" && mkdir -p "$spec_seeds"
while IFS= read -r spec; do
  cp "$spec" "$spec_seeds/$(echo "${spec#"$root"/}" | tr / _)"
done < <(find "$root/examples" "$root/tests/faults" -name '*.toml' | sort)

mkdir -p "$build/fuzz-artifacts"
failed=0
for target in fuzz_expr fuzz_spec fuzz_llm_configs; do
  binary=$build/tests/fuzz/$target
  corpus=$build/fuzz-corpus/$target   # first folder: libFuzzer writes new inputs here only
  mkdir -p "$corpus"
  seeds=$root/tests/fuzz/seeds/$target
  [[ $target == fuzz_spec ]] && seeds=$spec_seeds
  echo "fuzz-smoke: $target for ${seconds}s (seeds: ${seeds#"$root"/})"
  if ! "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$build/fuzz-artifacts/$target-" -print_final_stats=1 \
      "$corpus" "$seeds" >"$build/fuzz-artifacts/$target.log" 2>&1; then
    echo "fuzz-smoke: $target FAILED; its log ($build/fuzz-artifacts/$target.log) ends:"
    tail -n 60 "$build/fuzz-artifacts/$target.log"
    failed=1
  else
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$build/fuzz-artifacts/$target.log" |
      sed "s/^/fuzz-smoke: $target: /" || true
  fi
done
exit $failed
