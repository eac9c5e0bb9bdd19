#!/usr/bin/env bash
# A virtual environment with Triton (from PyPI), for the triton backend's tests on machines
# without a GPU: Triton compiles kernels for any NVIDIA architecture with no GPU and no PyTorch.
#   scripts/triton-venv.sh DIR
# Kept when it already has this Triton version (a second `make test` downloads nothing). The
# version is the GPU machine's (docs/device.md), so that CI compiles what the GPU runs.
# PYTHON picks the interpreter (default: python3); TRITON_VERSION overrides the pin.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=$1
version=${TRITON_VERSION:-3.6.0}
if [ -x "$venv/bin/python" ] &&
   [ "$("$venv/bin/python" -c 'import triton; print(triton.__version__)' 2>/dev/null)" = "$version" ]; then
  exit 0
fi
bash "$repo/scripts/python-venv.sh" "$venv"
start=$SECONDS
if ! "$venv/bin/python" -m pip install --quiet "triton==$version"; then
  echo "triton-venv: cannot install triton==$version from PyPI into $venv (network?); the" \
       "triton backend's compile tests need it. Set TRITON_VERSION to another release, or" \
       "install one by hand and point TUNA_TEST_TRITON_PYTHON at its interpreter." >&2
  exit 1
fi
echo "triton-venv: Triton $version installed in $venv in $((SECONDS - start)) s"
