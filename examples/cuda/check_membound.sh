#!/usr/bin/env bash
# Compiles the memory-bound CUDA examples (transpose, reduction, softmax, conv2d) with nvcc for
# sm_90, for the default configuration and a spread of others, and prints each kernel's
# registers, stack frame and spills. Fails when a config does not compile, or when one of the
# configs marked "fast" (those expected near the bandwidth limit) spills to local memory.
# Needs nvcc, no GPU. Usage: examples/cuda/check_membound.sh [example ...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
arch="${TUNA_CUDA_ARCH:-sm_90}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# example  entry  kind  config (NAME=value,...; empty = the defaults in the source)
configs() {
  cat <<'LIST'
transpose transpose default TILE_R=32,TILE_C=32,THREADS=256,VEC_LOAD=1,VEC_STORE=1,PAD=0
transpose transpose fast TILE_R=32,TILE_C=32,THREADS=128,VEC_LOAD=2,VEC_STORE=2,PAD=1
transpose transpose fast TILE_R=32,TILE_C=64,THREADS=256,VEC_LOAD=4,VEC_STORE=4,PAD=1
transpose transpose fast TILE_R=64,TILE_C=64,THREADS=256,VEC_LOAD=4,VEC_STORE=4,PAD=0
transpose transpose other TILE_R=128,TILE_C=128,THREADS=256,VEC_LOAD=4,VEC_STORE=4,PAD=1
transpose transpose other TILE_R=8,TILE_C=128,THREADS=256,VEC_LOAD=4,VEC_STORE=2,PAD=1
transpose transpose other TILE_R=128,TILE_C=8,THREADS=64,VEC_LOAD=2,VEC_STORE=4,PAD=0
transpose transpose other TILE_R=32,TILE_C=32,THREADS=1024,VEC_LOAD=1,VEC_STORE=1,PAD=1
reduction reduce_sum default THREADS=256,VEC=1,UNROLL=1,BLOCKS_PER_SM=2,FINAL=0
reduction reduce_sum fast THREADS=256,VEC=4,UNROLL=4,BLOCKS_PER_SM=4,FINAL=1
reduction reduce_sum fast THREADS=512,VEC=4,UNROLL=8,BLOCKS_PER_SM=4,FINAL=1
reduction reduce_sum fast THREADS=256,VEC=2,UNROLL=16,BLOCKS_PER_SM=4,FINAL=0
reduction reduce_sum other THREADS=1024,VEC=4,UNROLL=8,BLOCKS_PER_SM=2,FINAL=0
reduction reduce_sum other THREADS=64,VEC=1,UNROLL=1,BLOCKS_PER_SM=32,FINAL=1
softmax softmax default TPR=32,RPB=4,VEC=1,ONLINE=0,ROW_CACHE=0
softmax softmax fast TPR=128,RPB=2,VEC=4,ONLINE=0,ROW_CACHE=8
softmax softmax fast TPR=512,RPB=1,VEC=4,ONLINE=0,ROW_CACHE=2
softmax softmax fast TPR=64,RPB=4,VEC=4,ONLINE=1,ROW_CACHE=16
softmax softmax fast TPR=256,RPB=2,VEC=4,ONLINE=1,ROW_CACHE=4
softmax softmax other TPR=1024,RPB=1,VEC=1,ONLINE=1,ROW_CACHE=4
softmax softmax other TPR=8,RPB=128,VEC=4,ONLINE=1,ROW_CACHE=0
softmax softmax other TPR=16,RPB=8,VEC=2,ONLINE=0,ROW_CACHE=0
softmax softmax other TPR=128,RPB=8,VEC=4,ONLINE=1,ROW_CACHE=0
conv2d conv2d default BX=32,BY=8,OX=1,OY=1,SMEM=0,LDG=0
conv2d conv2d fast BX=128,BY=2,OX=1,OY=16,SMEM=0,LDG=0
conv2d conv2d fast BX=32,BY=8,OX=1,OY=8,SMEM=0,LDG=0
conv2d conv2d fast BX=32,BY=4,OX=4,OY=8,SMEM=0,LDG=0
conv2d conv2d fast BX=64,BY=4,OX=1,OY=8,SMEM=0,LDG=1
conv2d conv2d other BX=64,BY=8,OX=2,OY=4,SMEM=1,LDG=1
conv2d conv2d other BX=32,BY=8,OX=1,OY=4,SMEM=1,LDG=0
conv2d conv2d other BX=16,BY=16,OX=4,OY=2,SMEM=1,LDG=0
conv2d conv2d other BX=32,BY=32,OX=1,OY=1,SMEM=0,LDG=1
LIST
}

failures=0
n=0
while read -r example entry kind config; do
  if [[ $# -gt 0 && ! " $* " =~ " $example " ]]; then continue; fi
  defines=()
  IFS=',' read -ra pairs <<<"$config"
  for p in "${pairs[@]}"; do defines+=("-D$p"); done
  n=$((n + 1))
  log="$work/$n.log"
  if ! nvcc -arch="$arch" -cubin -Xptxas -v "${defines[@]}" -o "$work/$n.cubin" \
      "$here/$example/$example.cu" >"$log" 2>&1; then
    echo "FAIL  $example $config: does not compile"
    sed 's/^/      /' "$log" | head -20
    failures=$((failures + 1))
    continue
  fi
  # ptxas prints, per entry: "Compiling entry function 'x'", then the stack/spill line and
  # the register line.
  info="$(grep -A3 "entry function '$entry'" "$log" | tr -s ' ' | tr '\n' ' ')"
  regs="$(sed -n 's/.*Used \([0-9]*\) registers.*/\1/p' <<<"$info")"
  spills="$(sed -n 's/.* \([0-9]*\) bytes spill stores, \([0-9]*\) bytes spill loads.*/\1+\2/p' <<<"$info")"
  stack="$(sed -n 's/.* \([0-9]*\) bytes stack frame.*/\1/p' <<<"$info")"
  status="ok"
  if [[ "$spills" != "0+0" || "$stack" != "0" ]]; then
    if [[ $kind == fast ]]; then status="FAIL"; failures=$((failures + 1)); else status="note"; fi
  fi
  printf '%-5s %-9s %-7s regs=%-3s stack=%-4s spills=%-7s %s\n' "$status" "$example" "$kind" \
    "$regs" "$stack" "$spills" "$config"
done < <(configs)

echo "$n configs compiled for $arch, $failures failures"
[[ $failures -eq 0 ]]
