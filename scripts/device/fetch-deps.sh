#!/usr/bin/env bash
# Run HERE (the development machine, Debian): downloads the Debian -dev packages that the GPU
# machine's image lacks (it has no package registry), into .device-deps/ at the repository's
# root. The device tool carries that folder; scripts/device/gpu-run.sh unpacks it there.
#   bash scripts/device/fetch-deps.sh
# What the image lacks was seen on 2026-11-25 (docs/device.md): SQLite's headers and toml++
# (a compiled library in Debian, so its runtime package comes too).
# libcurl's headers are fetched too, in case the image has only the runtime library.
# The OpenCL ICD loader and headers too, for the OpenCL backend on NVIDIA's driver, in case the
# image lacks them (docs/device.md, "OpenCL").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dest="$root/.device-deps"
mkdir -p "$dest"
grep -qx '/.device-deps/' "$root/.git/info/exclude" 2>/dev/null || echo '/.device-deps/' >>"$root/.git/info/exclude"
cd "$dest"
rm -f ./*.deb
apt-get download libsqlite3-dev libtomlplusplus-dev libtomlplusplus3 libcurl4-openssl-dev \
  ocl-icd-libopencl1 ocl-icd-opencl-dev opencl-c-headers >/dev/null
ls -1 "$dest"
# The Python package's build tools and test tools, as wheels for the GPU machine's Python (3.12,
# Ubuntu 24.04): it has no package index, so scripts/test-python.sh installs from this folder.
mkdir -p "$dest/python-wheels"
rm -f "$dest"/python-wheels/*.whl
pip download --quiet --python-version 3.12 --only-binary=:all: --platform manylinux2014_x86_64 \
  --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --platform any \
  -d "$dest/python-wheels" scikit-build-core nanobind pytest numpy pip
ls -1 "$dest/python-wheels"
# Kernel Tuner 1.5 and what its tune_kernel needs with cuda-python (lang="NVCUDA"), for the
# side-by-side benchmark (bench/python/kt_sgemm.py): --no-deps, since its full requirements
# (matplotlib, pandas, scikit-learn, ...) are beyond what the device tool carries and unused here.
mkdir -p "$dest/kt-wheels"
rm -f "$dest"/kt-wheels/*.whl
pip download --quiet --no-deps --python-version 3.12 --only-binary=:all: \
  --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
  --platform any -d "$dest/kt-wheels" kernel_tuner==1.5.0 python-constraint2 jsonschema \
  jsonschema-specifications attrs referencing rpds-py typing_extensions xmltodict packaging \
  cuda-python cuda-bindings cuda-pathfinder
ls -1 "$dest/kt-wheels"
