#!/usr/bin/env bash
# Compiles the CUDA GEMM examples (sgemm, hgemm) with nvcc for sm_90 in their default
# configuration and a few chosen ones (the smallest, the fast ones), and fails on any compile
# error or on any register spill in the tuned kernel. No GPU needed.
#   examples/cuda/check_compile.sh            # from anywhere; needs nvcc on PATH
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
arch="${ARCH:-sm_90}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0

# check <kernel dir> <entry> <defines...>
check() {
  local dir="$1" entry="$2"
  shift 2
  local src="$here/$dir/$dir.cu" log="$tmp/log"
  local defines=()
  for d in "$@"; do defines+=("-D$d"); done
  if ! nvcc -arch="$arch" -cubin -Xptxas -v "${defines[@]}" -I "$here/$dir" "$src" \
      -o "$tmp/out.cubin" >"$log" 2>&1; then
    echo "FAIL $dir ${*:-(default)}: does not compile"
    sed 's/^/    /' "$log"
    failures=$((failures + 1))
    return
  fi
  # ptxas prints, per entry: "Compiling entry function 'X'", then the stack/spill line, then
  # the register line.
  local report
  report="$(grep -A3 "entry function '$entry'" "$log")"
  local spills regs smem
  spills="$(grep -o '[0-9]* bytes spill stores' <<<"$report" | grep -o '^[0-9]*' | head -1)"
  regs="$(grep -o 'Used [0-9]* registers' <<<"$report" | grep -o '[0-9]*')"
  if [[ -z "$spills" || -z "$regs" ]]; then
    echo "FAIL $dir ${*:-(default)}: no ptxas report for '$entry'"
    failures=$((failures + 1))
  elif [[ "$spills" != 0 ]]; then
    echo "FAIL $dir ${*:-(default)}: $spills bytes of register spills ($regs registers)"
    failures=$((failures + 1))
  else
    echo "ok   $dir ${*:-(default)}: $regs registers, no spills"
  fi
}

check sgemm sgemm
check sgemm sgemm BM=64 BN=64 BK=8 WM=16 WN=32 TM=4 TN=4 VEC=2
check sgemm sgemm BM=128 BN=128 BK=8 WM=64 WN=32 TM=8 TN=8 VEC=4 DOUBLE_BUFFER=1 PAD_A=4 MIN_BLOCKS=2 GROUP_M=8
check sgemm sgemm BM=128 BN=128 BK=16 WM=32 WN=64 TM=8 TN=8 VEC=4 DOUBLE_BUFFER=1 PAD_A=4 GROUP_M=8
check sgemm sgemm BM=256 BN=128 BK=16 WM=64 WN=32 TM=8 TN=8 VEC=4 PAD_A=4 GROUP_M=8

check hgemm hgemm
check hgemm hgemm BM=64 BN=64 BK=16 WM=32 WN=32 STAGES=2 SWIZZLE=1
check hgemm hgemm BM=128 BN=128 BK=32 WM=64 WN=64 STAGES=4 SWIZZLE=1 GROUP_M=8
check hgemm hgemm BM=128 BN=256 BK=32 WM=64 WN=64 STAGES=3 SWIZZLE=1 GROUP_M=8
check hgemm hgemm BM=256 BN=128 BK=64 WM=64 WN=32 STAGES=3 SWIZZLE=0 GROUP_M=8
check hgemm hgemm BM=128 BN=256 BK=64 WM=32 WN=128 STAGES=3 SWIZZLE=1

# Hopper only (wgmma, setmaxnreg): sm_90a, whatever ARCH says.
arch=sm_90a check hgemm_sm90 hgemm_sm90
arch=sm_90a check hgemm_sm90 hgemm_sm90 BM=128 BN=256 STAGES=4 CONSUMERS=2 PERSISTENT=1 GROUP_M=8
arch=sm_90a check hgemm_sm90 hgemm_sm90 BM=256 BN=128 STAGES=4 CONSUMERS=2 GROUP_M=8 TENSOR_TMA=0

if ((failures > 0)); then
  echo "$failures configuration(s) failed"
  exit 1
fi
echo "all configurations compile without spills"
