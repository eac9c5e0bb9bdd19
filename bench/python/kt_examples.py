"""Kernel Tuner's own published examples, run by tuna with only their import line changed
(issue 16, item 3).

Kernel Tuner's example scripts are not part of its PyPI packages, and they are not copied into
this project: take them from a checkout of Kernel Tuner's repository
(https://github.com/KernelTuner/kernel_tuner, folder examples/cuda) and point this script at it:

    python bench/python/kt_examples.py KT_CHECKOUT/examples/cuda [vector_add matmul ...]

For each example NAME (NAME.py, with the files it reads beside it), the folder is copied to a
temporary place, the script's import of Kernel Tuner is switched to tuna's there, and nothing
else:
    import kernel_tuner                 ->  import tuna as kernel_tuner
    from kernel_tuner import X          ->  from tuna import X
The script then runs as `__main__`, as `python NAME.py` would run it, in that folder. Around it
tuna.tune_kernel is wrapped only to record what it returned (the script itself is unchanged).

Prints one JSON line per example: the changed lines, wall seconds, configs measured, those that
ran, the best config and time, the device, or the error the script ended with. Needs a CUDA
GPU (scripts/device/gpu-run.sh kt-examples); record the lines in bench/results/python.md."""
import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPORT_SWITCHES = [
    (re.compile(r"^(\s*)import kernel_tuner\s*$"), r"\1import tuna as kernel_tuner"),
    (re.compile(r"^(\s*)from kernel_tuner import (.*)$"), r"\1from tuna import \2"),
]

# Runs in the example's folder: records what tune_kernel returned, then runs the script.
RUNNER = r"""
import json, runpy, sys, time
import tuna
calls = []
original = tuna.tune_kernel
def recording(*args, **kwargs):
    results, env = original(*args, **kwargs)
    tune_params = kwargs.get("tune_params", args[4] if len(args) > 4 else {})
    calls.append((results, env, list(tune_params)))
    return results, env
tuna.tune_kernel = recording
started = time.perf_counter()
error = None
try:
    runpy.run_path(sys.argv[1], run_name="__main__")
except BaseException as e:
    error = f"{type(e).__name__}: {e}"
wall = time.perf_counter() - started
summary = {"wall_s": round(wall, 2), "error": error, "tune_kernel_calls": len(calls)}
if calls:
    results, env, params = calls[-1]
    ran = [r for r in results if isinstance(r.get("time"), (int, float))]
    best = min(ran, key=lambda r: r["time"]) if ran else None
    summary.update(configs=len(results), ran=len(ran), device=env.get("device_name"),
                   best_ms=best["time"] if best else None,
                   best={k: best[k] for k in params if k in best} if best else None)
print("KT_EXAMPLE_SUMMARY " + json.dumps(summary, default=str))
"""


def switch_imports(script: Path) -> list:
    """Rewrites the script's Kernel Tuner imports in place; returns the changed lines."""
    changed, lines = [], script.read_text().splitlines(keepends=True)
    for i, line in enumerate(lines):
        for pattern, replacement in IMPORT_SWITCHES:
            if pattern.match(line.rstrip("\n")):
                new = pattern.sub(replacement, line.rstrip("\n")) + "\n"
                changed.append(f"{line.strip()}  ->  {new.strip()}")
                lines[i] = new
    script.write_text("".join(lines))
    return changed


def run_example(examples: Path, name: str, timeout: float) -> dict:
    line = {"example": name}
    script = examples / f"{name}.py"
    if not script.is_file():
        return {**line, "error": f"{script} does not exist"}
    with tempfile.TemporaryDirectory(prefix="tuna-kt-example-") as tmp:
        work = Path(tmp) / "examples"
        shutil.copytree(examples, work)
        line["changed_lines"] = switch_imports(work / script.name)
        if len(line["changed_lines"]) != 1:
            return {**line, "error": "expected exactly one Kernel Tuner import line to switch"}
        runner = Path(tmp) / "run_example.py"
        runner.write_text(RUNNER)
        started = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(runner), script.name], cwd=work,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {**line, "error": f"no end within {timeout:.0f} s"}
        line["process_s"] = round(time.perf_counter() - started, 2)
        for out_line in proc.stdout.splitlines():
            if out_line.startswith("KT_EXAMPLE_SUMMARY "):
                line.update(json.loads(out_line.split(" ", 1)[1]))
        if "wall_s" not in line:
            line["error"] = f"exit status {proc.returncode}: {proc.stderr.strip()[-600:]}"
        line["output_tail"] = proc.stdout.strip().splitlines()[-3:-1]
    return line


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("examples", type=Path, help="Kernel Tuner's examples/cuda folder")
    ap.add_argument("names", nargs="*", default=["vector_add", "matmul", "convolution"])
    ap.add_argument("--timeout", type=float, default=300)
    opts = ap.parse_args()
    failures = 0
    for name in opts.names:
        line = run_example(opts.examples.resolve(), name, opts.timeout)
        failures += line.get("error") is not None
        print(json.dumps(line), flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
