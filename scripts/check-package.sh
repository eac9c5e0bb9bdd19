#!/usr/bin/env bash
# Checks the installed CMake package (docs/package.md): installs the build into a temporary
# prefix, builds examples/package against it with find_package(tuna) alone (nothing of the source
# tree on the include path), and runs its two programs:
#   tune_kernel   tuna::tune on examples/host/rowsum (tuna::tuna), without TUNA_EXE: it must
#                 find the installed tuna binary by itself
#   lookup_tuned  tuna::Lookup (tuna::runtime) on the store it wrote and on `tuna export`'s JSON
# Usage: scripts/check-package.sh [BUILD_DIR]   (default: build; it must be built already)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tuna-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
app=$work/app

fail() {
  echo "check-package: FAILED: $*" >&2
  exit 1
}
step() { echo "== $*"; }

step "cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || {
  cat "$work/install.log" >&2
  fail "cmake --install"
}
for f in bin/tuna include/tuna/tuna.hpp include/tuna/lookup.hpp lib/cmake/tuna/tunaConfig.cmake \
  lib/cmake/tuna/tunaConfigVersion.cmake lib/cmake/tuna/tunaTargets.cmake lib/libtuna_runtime.a; do
  [[ -e $prefix/$f ]] || fail "the install lacks $f"
done
[[ ! -e $prefix/lib/libtuna_cli.a ]] || fail "the CLI's library was installed"

step "build examples/package against the installed package"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$root/examples/package" -B "$app" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/configure.log" || {
  cat "$work/configure.log" >&2
  fail "configuring examples/package"
}
cmake --build "$app" >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  fail "building examples/package"
}
# Headers come from the prefix: no path of the source tree or of its build folder.
if grep -F -e "$root/src" -e "$root/include" -e "$build/" "$app/compile_commands.json"; then
  fail "examples/package compiled with a path of the source tree"
fi
grep -q -e "-isystem $prefix/include" -e "-I$prefix/include" "$app/compile_commands.json" ||
  fail "examples/package did not take the headers from $prefix/include"
# tuna::runtime brings the lookup's layers only: no curl, no LLM client, no backends.
if ldd "$app/lookup_tuned" | grep -q libcurl; then
  fail "lookup_tuned (tuna::runtime) links libcurl"
fi
if [[ ${generator[*]} == "-G Ninja" ]]; then
  link=$(ninja -C "$app" -t commands lookup_tuned | tail -n 1)
  for layer in llm eval search backends backend_host; do
    if grep -q "libtuna_$layer\.a" <<<"$link"; then
      fail "lookup_tuned (tuna::runtime) links libtuna_$layer.a"
    fi
  done
fi

# Run from elsewhere, without TUNA_EXE: the programs must not need the source tree.
cd "$work"
spec=$root/examples/host/rowsum/spec.toml
step "tune_kernel $spec (tuna::tuna, TUNA_EXE unset)"
env -u TUNA_EXE TUNA_CACHE_DIR="$work/cache" "$app/tune_kernel" "$spec" "$work/tuna.db" 6 \
  | tee "$work/tune.out" || fail "tune_kernel"
grep -q '^best: ' "$work/tune.out" || fail "tune_kernel printed no best config"
device=$(sed -n 's/^device: //p' "$work/tune.out")
[[ -n $device ]] || fail "tune_kernel printed no device"

step "lookup_tuned on the store (tuna::runtime)"
"$app/lookup_tuned" "$work/tuna.db" rowsum "$device" R=1024 C=4096 | tee "$work/lookup.out" ||
  fail "lookup_tuned"
grep -qx 'match: exact' "$work/lookup.out" || fail "the store's lookup did not match exactly"
grep -q '^values: .*THREADS=' "$work/lookup.out" || fail "the store's lookup returned no values"

step "lookup_tuned on another problem: the defaults"
"$app/lookup_tuned" "$work/tuna.db" rowsum "$device" R=7 C=4096 | tee "$work/other.out" ||
  fail "lookup_tuned"
grep -qx 'match: default' "$work/other.out" || fail "another problem did not fall back"

step "the installed tuna: export JSON, then lookup_tuned on it"
"$prefix/bin/tuna" export "$spec" --db "$work/tuna.db" --format json -o "$work/rowsum.json" ||
  fail "tuna export"
"$app/lookup_tuned" "$work/rowsum.json" rowsum "$device" R=1024 C=4096 | tee "$work/json.out" ||
  fail "lookup_tuned on JSON"
grep -qx 'match: exact' "$work/json.out" || fail "the JSON lookup did not match exactly"
cmp -s <(grep '^values: ' "$work/lookup.out") <(grep '^values: ' "$work/json.out") ||
  fail "the store and its JSON export disagree"

echo "check-package: OK (installed package: find_package(tuna), tuna::runtime, tuna::tuna)"
