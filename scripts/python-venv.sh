#!/usr/bin/env bash
# Makes a fresh virtual environment with pip: scripts/python-venv.sh DIR [venv options...]
# PYTHON picks the interpreter (default: python3). Debian and Ubuntu without python3-venv have
# no ensurepip: then the venv is made without pip, and pip is installed from its own wheel (one
# in the folder PIP_FIND_LINKS names; the GPU machine carries one, docs/device.md).
set -euo pipefail
venv=$1; shift
python=${PYTHON:-python3}
rm -rf "$venv"
if "$python" -m venv "$@" "$venv" >/dev/null 2>&1; then exit 0; fi
rm -rf "$venv"
"$python" -m venv --without-pip "$@" "$venv"
pip_wheel=$(ls "${PIP_FIND_LINKS:-/nonexistent}"/pip-*.whl 2>/dev/null | head -1)
if [ -z "$pip_wheel" ]; then
  echo "python-venv: '$python -m venv' cannot install pip: install python3-venv, or put a pip" \
       "wheel in the folder PIP_FIND_LINKS names" >&2
  exit 1
fi
"$venv/bin/python" "$pip_wheel/pip" install --quiet --no-index "$pip_wheel"
