#!/usr/bin/env bash
# Run THERE (the GPU machine, through the device tool, from the repository's root):
#   bash scripts/device/gpu-run.sh [STEP...]
# Unpacks the carried Debian packages (.device-deps/, made by fetch-deps.sh) into a private
# prefix, builds tuna with the CUDA backend, and runs the steps asked for (default: all):
#   probe   what the machine has (GPU, driver, compilers, libraries)
#   build   configure and build (Release, all cores)
#   test    the whole test suite, GPU tests included (ctest), log in $OUT/ctest.log
#   refs    bench/bench_cuda_refs: cuBLAS SGEMM/HGEMM and copy bandwidth
#   tune    tunes every examples/cuda/* kernel (scripts/device/tune-examples.sh)
#   faults  tunes the CUDA fault kernel
#   triton  the Triton backend: its tests (ctest -R Triton), the references it is measured
#           against (bench/python/torch_refs.py: torch.mm fp16, copy bandwidth, torch.softmax)
#           and every examples/triton/* tuned (TRITON_TUNE_TIME seconds each, default 150)
#   multi   tuner throughput on one GPU and on all of them (bench/multi_device.sh)
#   python  the Python package offline: its wheel built from the carried build tools
#           (.device-deps/python-wheels, fetch-deps.sh), installed in a fresh venv, pytest with
#           the GPU (scripts/test-python.sh), log in $OUT/python.log
#   kt      Kernel Tuner 1.5 against tuna's tune_kernel on one SGEMM script (after python:
#           bench/python/kt_sgemm.py), one JSON line each in $OUT/kt_sgemm.jsonl
#   kt-examples  Kernel Tuner's own examples (vector_add, matmul, convolution) run by tuna with only their
#           import switched (after python: bench/python/kt_examples.py), from .kt-examples/
#           (carried: copies of a Kernel Tuner checkout's examples/cuda files, never committed),
#           one JSON line each in $OUT/kt_examples.jsonl
# Everything it prints also goes to $OUT/gpu-run.log; results land in $OUT for bench/results/.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
OUT=${OUT:-$root/build-gpu/out}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/gpu-run.log") 2>&1
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(probe build test refs tune faults)
prefix=/opt/tuna-deps
build=build-gpu

step() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }

unpack_deps() {
  [ -d .device-deps ] || { echo "no .device-deps/: run scripts/device/fetch-deps.sh here and carry it"; return 1; }
  mkdir -p "$prefix"
  for deb in .device-deps/*.deb; do dpkg -x "$deb" "$prefix"; done
  # The -dev packages' .so links point at runtime libraries of Debian's version, which the
  # image provides under another minor version: point them at the image's own.
  local libdir="$prefix/usr/lib/x86_64-linux-gnu"
  for lib in sqlite3 curl; do
    local sys
    sys=$(ls /usr/lib/x86_64-linux-gnu/lib$lib.so.[0-9]* 2>/dev/null | head -1)
    if [ -n "$sys" ]; then ln -sf "$sys" "$libdir/lib$lib.so"; fi
  done
  # The OpenCL ICD loader, where the image has none: tuna dlopens libOpenCL.so.1, so only its
  # folder goes on the loader's path (not the whole prefix).
  if ! ldconfig -p | grep -q "libOpenCL.so.1" && [ -f "$libdir/libOpenCL.so.1" ]; then
    mkdir -p "$prefix/opencl"; ln -sf "$libdir/libOpenCL.so.1" "$prefix/opencl/libOpenCL.so.1"
    export LD_LIBRARY_PATH="$prefix/opencl${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
  # Use the image's own curl headers when it has them (they match its library).
  [ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] && rm -rf "$prefix/usr/include/x86_64-linux-gnu/curl"
  return 0
}

for s in "${steps[@]}"; do
  case "$s" in
    probe)
      step probe
      nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv || true
      nvcc --version | tail -2; g++ --version | head -1; cmake --version | head -1; nproc
      for h in curl/curl.h nlohmann/json.hpp CLI/CLI.hpp fmt/format.h gtest/gtest.h sqlite3.h toml++/toml.hpp httplib.h; do
        f=$(find /usr/include /usr/local/include -path "*$h" 2>/dev/null | head -1); echo "$h: ${f:-MISSING}"
      done
      ldconfig -p | grep -E "libcuda.so.1|libnvrtc.so|libnvidia-ml.so.1|libsqlite3.so|libcurl.so" | head
      ;;
    build)
      step build
      unpack_deps || exit 1
      cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$prefix/usr" >"$OUT/cmake.log" 2>&1 || { tail -30 "$OUT/cmake.log"; exit 1; }
      grep "tuna:" "$OUT/cmake.log"
      cmake --build "$build" -j "$(nproc)" >"$OUT/build.log" 2>&1 || { grep -E "error|Error" "$OUT/build.log" | head -40; exit 1; }
      echo "built: $(ls $build/tuna)"
      ;;
    test)
      step test
      (cd "$build" && ctest -j 8 --timeout 600 --output-on-failure >"$OUT/ctest.log" 2>&1)
      grep -E "tests passed|tests failed|\(Failed\)|\(Timeout\)|\(SEGFAULT\)|Skipped|\*\*\*" "$OUT/ctest.log" | head -60
      (cd "$build" && ctest -L gpu -V --timeout 600 >"$OUT/ctest-gpu.log" 2>&1)
      grep -E "^\[ *(OK|FAILED|SKIPPED) *\]|tests passed" "$OUT/ctest-gpu.log" | head -60
      ;;
    refs)
      step refs
      # --json is a switch: the document goes to stdout (the text figures without it).
      if [ -x "$build/bench/bench_cuda_refs" ]; then
        "$build/bench/bench_cuda_refs" --json >"$OUT/refs.json" && cat "$OUT/refs.json"
      else echo "bench_cuda_refs not built"; fi
      ;;
    tune)
      step tune
      bash scripts/device/tune-examples.sh "$build/tuna" "$OUT"
      ;;
    faults)
      step faults
      TUNA_DB="$OUT/faults.db" "$build/tuna" tune tests/faults/cuda/spec.toml --strategy exhaustive \
        --max-evals 0 --run-timeout 5 --timing-budget 20 --fresh || true
      ;;
    triton)
      step triton
      python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'
      (cd "$build" && ctest -R Triton --timeout 600 --output-on-failure >"$OUT/ctest-triton.log" 2>&1)
      grep -E "tests passed|tests failed|\(Failed\)|Skipped|\*\*\*" "$OUT/ctest-triton.log" | head -20
      python3 bench/python/torch_refs.py | tee "$OUT/torch_refs.json"
      EXAMPLES=examples/triton TUNE_TIME=${TRITON_TUNE_TIME:-150} TUNE_STRATEGY=${TUNE_STRATEGY:-auto} \
        bash scripts/device/tune-examples.sh "$build/tuna" "$OUT"
      ;;
    multi)
      step multi
      bash bench/multi_device.sh "$build/tuna" "$OUT"
      ;;
    python)
      step python
      unpack_deps || exit 1
      python3 --version
      (export PIP_NO_INDEX=1 PIP_FIND_LINKS="$root/.device-deps/python-wheels" \
         CMAKE_PREFIX_PATH="$prefix/usr" TUNA_TEST_VENV_OPTIONS=--system-site-packages
       bash scripts/test-python.sh build-gpu-python >"$OUT/python.log" 2>&1
       echo "test-python exit status $?")
      tail -25 "$OUT/python.log"
      ;;
    kt)
      step kt
      tuna_py=build-gpu-python/python-venv/bin/python
      [ -x "$tuna_py" ] || { echo "run the python step first"; exit 1; }
      PIP_FIND_LINKS="$root/.device-deps/python-wheels" \
        bash scripts/python-venv.sh build-gpu-kt --system-site-packages || exit 1
      build-gpu-kt/bin/pip install -q --no-index --no-deps .device-deps/kt-wheels/*.whl
      build-gpu-kt/bin/pip install -q --no-index --find-links .device-deps/python-wheels numpy
      for tuner in kernel_tuner tuna; do
        py=build-gpu-kt/bin/python; [ "$tuner" = tuna ] && py=$tuna_py
        $py bench/python/kt_sgemm.py --tuner "$tuner" --configs "${KT_CONFIGS:-100}" \
          | tee -a "$OUT/kt_sgemm.jsonl"
      done
      ;;
    kt-examples)
      step kt-examples
      tuna_py=build-gpu-python/python-venv/bin/python
      [ -x "$tuna_py" ] || { echo "run the python step first"; exit 1; }
      [ -d .kt-examples ] || { echo "no .kt-examples/: copy Kernel Tuner's examples/cuda files there and carry it"; exit 1; }
      $tuna_py bench/python/kt_examples.py .kt-examples ${KT_EXAMPLES:-vector_add matmul convolution} \
        | tee -a "$OUT/kt_examples.jsonl"
      ;;
    *) echo "unknown step '$s'"; exit 2 ;;
  esac
done
