#!/usr/bin/env bash
# Installs the Debian packages tuna needs to build and test, only those that are missing.
# Used by `make demo` and `make test`; safe to run again. Needs root (or sudo) to install.
set -euo pipefail

packages=(
  cmake ninja-build g++ make pkg-config
  libsqlite3-dev nlohmann-json3-dev libcli11-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libcurl4-openssl-dev libcpp-httplib-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo chromium zlib1g-dev
  # Cluster mode (mpirun -n K tuna tune): the MPI C library and headers to build it, and the
  # mpirun launcher to run it and its tests.
  libopenmpi-dev openmpi-bin
  # The Python package (docs/python.md): headers to build its extension, venv for its tests.
  python3-dev python3-venv
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "tuna: installing missing packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo_cmd=(sudo); else
    echo "tuna: need root to install ${missing[*]}; run as root or install them yourself." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
