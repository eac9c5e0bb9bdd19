#!/usr/bin/env bash
# The Python package's tests, as CI runs them (docs/python.md): builds the wheel, installs it
# in a fresh virtual environment and runs pytest on python/tests against the installed package
# (from outside the repository, so nothing is imported from the source tree).
#
# Usage: scripts/test-python.sh [BUILD_DIR]   (default: build; the wheel and venv go under it)
# PYTHON picks the interpreter (default: python3). PIP_FIND_LINKS / PIP_NO_INDEX work as in pip:
# offline, point them at a folder of wheels (nanobind, scikit-build-core, pytest, numpy).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$repo" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
venv=$build/python-venv
wheels=$build/wheels

rm -rf "$wheels"
# PYTHON picks the interpreter; TUNA_TEST_VENV_OPTIONS adds venv options (the GPU machine passes
# --system-site-packages, so that the Triton test sees its Triton and PyTorch).
bash "$repo/scripts/python-venv.sh" "$venv" ${TUNA_TEST_VENV_OPTIONS:-}
# Build dependencies come from PyPI (or PIP_FIND_LINKS) into pip's isolated build environment.
start=$SECONDS
"$venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$wheels" "$repo"
echo "test-python: wheel built in $((SECONDS - start)) s: $(cd "$wheels" && ls tuna-*.whl)"
"$venv/bin/python" -m pip install --quiet "$wheels"/tuna-*.whl pytest numpy
cd "$build"
"$venv/bin/python" -c 'import tuna, sys; print("tuna", tuna.__version__, "from", tuna.__file__)'
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$repo/python/tests"
