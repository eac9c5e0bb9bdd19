#!/usr/bin/env bash
# Run THERE (the GPU machine) when the Python package crashes there and not here: builds and
# installs the wheel as `gpu-run.sh python` does, then runs one tuna.tune of a host-backend spec
# (the first call into the C++ core in python/tests/test_api.py) with the native stack printed
# on a crash (gdb when the image has it, else scripts/device/native-backtrace.c preloaded), and
# the same spec through the wheel's bundled tuna binary, to tell "in-process" from "the build".
#   run(command="bash scripts/device/python-backtrace.sh", carry=[".device-deps"])
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/build-gpu/out}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/python-backtrace.log") 2>&1
bash scripts/device/gpu-run.sh python >/dev/null 2>&1
tail -3 "$OUT/python.log"
py=build-gpu-python/python-venv/bin/python
site=$($py -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "=== ldd of the extension"; ldd "$site"/tuna/_core*.so
work=$(mktemp -d)
cat >"$work/repro.py" <<'PY'
import sys
if len(sys.argv) > 3 and sys.argv[3] == "numpy-first":
    import numpy  # what pytest and the Kernel Tuner scripts load before tuna runs
import tuna
sys.path.insert(0, "python/tests")
from conftest import SCALE_SOURCE, scale_spec_dict
from pathlib import Path
work = Path(sys.argv[1])
(work / "scale.cpp").write_text(SCALE_SOURCE)
spec = scale_spec_dict()
(work / "spec.toml").write_text(tuna.spec_file.to_toml(spec))
if sys.argv[2] == "spec-only":
    sys.exit(0)
r = tuna.tune(spec, strategy="exhaustive", max_evals=0, db=str(work / "t.db"), quiet=True,
              base_dir=work)
print("tuned in-process:", r.best, r.best_ms)
PY
$py "$work/repro.py" "$work" spec-only
echo "=== the bundled binary"; TUNA_DB=$work/cli.db timeout 120 "$site/tuna/bin/tuna" tune "$work/spec.toml" --strategy exhaustive --max-evals 0 2>&1 | tail -5
for variant in numpy-first plain; do
echo "=== in-process ($variant)"
if command -v gdb >/dev/null; then
  timeout 180 gdb -q -batch -ex run -ex bt -ex "info threads" --args $py "$work/repro.py" "$work" tune $variant 2>&1 | tail -80
else
  gcc -shared -fPIC -O1 -o "$work/native-backtrace.so" scripts/device/native-backtrace.c
  LD_PRELOAD="$work/native-backtrace.so" timeout 180 $py "$work/repro.py" "$work" tune $variant 2>"$work/stderr.txt"
  echo "exit status $?"
  tail -60 "$work/stderr.txt"
  echo "=== frames as source lines"
  grep -oE '^[^ (]+\(\+0x[0-9a-f]+\)' "$work/stderr.txt" | while IFS='(' read -r lib off; do
    off=${off#+}; off=${off%)}
    echo "$(basename "$lib") $off: $(addr2line -f -C -i -p -e "$lib" "$off" 2>&1 | head -3 | tr '\n' ' ')"
  done
fi
done
