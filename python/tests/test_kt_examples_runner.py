"""bench/python/kt_examples.py, the runner of Kernel Tuner's published examples, end to end on a
script of the same shape (C code, so no GPU): its import switched and nothing else, run as
`__main__` in its own folder (it reads its kernel by a relative name), and what tune_kernel
returned summarised."""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("numpy")

# A Kernel Tuner script as its examples are written: `import kernel_tuner`, the kernel read from
# a file beside it, tune_kernel called at module level.
SCRIPT = '''#!/usr/bin/env python
import numpy
import kernel_tuner

with open("scale.c") as f:
    kernel_string = f.read()

n = 4096
out = numpy.zeros(n, dtype=numpy.float32)
x = numpy.arange(n, dtype=numpy.float32)
tune_params = {"UNROLL": [1, 2, 4, 8]}
kernel_tuner.tune_kernel("scale", kernel_string, n, [out, x, numpy.int32(n)], tune_params,
                         lang="C", answer=[2 * x, None, None], verbose=True)
'''
KERNEL = r"""
extern "C" void scale(float* out, const float* x, int n) {
  for (int i = 0; i < n; i += UNROLL)
    for (int u = 0; u < UNROLL && i + u < n; ++u) out[i + u] = 2.0f * x[i + u];
}
"""


def load_runner(repo):
    spec = importlib.util.spec_from_file_location(
        "kt_examples", repo / "bench" / "python" / "kt_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def examples(tmp_path):
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "scale.py").write_text(SCRIPT)
    (folder / "scale.c").write_text(KERNEL)
    return folder


def test_an_example_runs_with_only_its_import_switched(repo, examples, tmp_path, monkeypatch):
    monkeypatch.setenv("TUNA_DB", str(tmp_path / "tuna.db"))
    line = load_runner(repo).run_example(examples, "scale", timeout=300)
    assert line.get("error") is None, line
    assert line["changed_lines"] == ["import kernel_tuner  ->  import tuna as kernel_tuner"]
    assert line["tune_kernel_calls"] == 1
    assert line["configs"] == 4 and line["ran"] == 4
    assert set(line["best"]) == {"UNROLL"} and line["best_ms"] > 0
    # The user's folder is untouched: the switch happens in a copy.
    assert "import kernel_tuner\n" in (examples / "scale.py").read_text()


def test_a_script_without_exactly_one_import_to_switch_is_refused(repo, examples):
    (examples / "twice.py").write_text("import kernel_tuner\nfrom kernel_tuner import util\n")
    (examples / "none.py").write_text("import numpy\n")
    runner = load_runner(repo)
    for name in ("twice", "none"):
        line = runner.run_example(examples, name, timeout=60)
        assert "exactly one Kernel Tuner import" in line["error"], line
    assert "does not exist" in runner.run_example(examples, "missing", timeout=60)["error"]


def test_the_command_line_prints_one_json_line_per_example_and_fails_on_an_error(
        repo, examples, tmp_path):
    env = dict(os.environ, TUNA_DB=str(tmp_path / "tuna.db"))
    proc = subprocess.run([sys.executable, str(repo / "bench" / "python" / "kt_examples.py"),
                           str(examples), "scale", "missing"], capture_output=True, text=True,
                          env=env, timeout=300)
    lines = [json.loads(l) for l in proc.stdout.splitlines()]
    assert [l["example"] for l in lines] == ["scale", "missing"]
    assert lines[0].get("error") is None and lines[1]["error"]
    assert proc.returncode == 1
