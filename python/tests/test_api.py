"""The Python entry points against the real C++ core: tune, run, show, export, report, compare,
import, and errors as exceptions."""
import json
import os
import subprocess
import sys

import pytest

import tuna


def test_import_does_not_load_the_core():
    # What keeps `import tuna` fast: the C++ extension loads on first use.
    code = "import sys, tuna; print('tuna._core' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tune_a_dict_spec_finds_a_correct_config_and_records_the_wrong_ones(scale_spec, db,
                                                                              tmp_path):
    result = tuna.tune(scale_spec, strategy="exhaustive", max_evals=0, db=db, quiet=True,
                       base_dir=tmp_path)
    assert isinstance(result.run_id, int) and result.run_id > 0
    assert result.best["WRONG"] == 0
    assert result.best["UNROLL"] in (1, 2, 4, 8)
    assert result.best_ms > 0
    statuses = {}
    for r in result.results:
        statuses[(r["config"]["UNROLL"], r["config"]["WRONG"])] = r["status"]
    assert len(statuses) == 8  # every config of the space, each stored once
    assert all(s == "wrong_result" for (u, w), s in statuses.items() if w == 1)
    assert all(s == "ok" for (u, w), s in statuses.items() if w == 0)


def test_tune_a_spec_file_with_flags(scale_spec, db, tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(tuna.spec_file.to_toml(scale_spec))
    result = tuna.tune(path, strategy="random", max_evals=3, seed=7, db=db, quiet=True)
    assert result.summary["considered"] == 3
    assert result.strategy == "random"
    doc = tuna.show(path, db=db, limit=0, failures=True)
    assert sum(c["total"] for c in doc["contexts"]) == 3


def test_run_one_config(scale_spec, db, tmp_path):
    doc = tuna.run(scale_spec, {"UNROLL": 4, "WRONG": 1}, db=db, quiet=True, base_dir=tmp_path)
    assert doc["result"]["status"] == "wrong_result"
    assert doc["result"]["config"] == {"UNROLL": 4, "WRONG": 1}


def test_user_errors_are_python_exceptions_with_the_command_lines_message(scale_spec, db,
                                                                          tmp_path):
    bad = dict(scale_spec, constraints={"fits": "UNROL <= 4"})
    with pytest.raises(tuna.UserError) as e:
        tuna.tune(bad, db=db, base_dir=tmp_path)
    assert "UNROL" in str(e.value) and "UNROLL" in str(e.value)  # names it, suggests the fix
    with pytest.raises(tuna.UserError, match="max-evals"):
        tuna.tune(scale_spec, max_evals=-5, db=db, base_dir=tmp_path)
    with pytest.raises(tuna.UserError, match="no-such-flag"):
        tuna.tune(scale_spec, no_such_flag=True, db=db, base_dir=tmp_path)
    with pytest.raises(tuna.UserError, match="no such spec file"):
        tuna.tune(tmp_path / "missing.toml", db=db)
    assert issubclass(tuna.UserError, ValueError)


def test_a_spec_dict_with_a_value_toml_cannot_hold_is_a_user_error(scale_spec):
    with pytest.raises(tuna.UserError, match=r"params\.UNROLL\.values\[0\] is a object"):
        tuna.spec_file.to_toml(dict(scale_spec, params={"UNROLL": {"values": [object()]}}))


def test_export_and_report_after_tuning(scale_spec, db, tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(tuna.spec_file.to_toml(scale_spec))
    tuna.tune(spec, max_evals=4, db=db, quiet=True)
    header = tuna.export(spec, format="header", db=db)
    assert "namespace" in header and "scale" in header
    lookup = tuna.export(spec, format="json", output=tmp_path / "tuned.json", db=db)
    assert json.loads(open(lookup).read())["kernel"] == "scale"
    html = tuna.report(spec, output=tmp_path / "report.html", db=db)
    assert open(html).read().lstrip().lower().startswith("<!doctype html")


def test_import_a_recording_and_compare_strategies_on_it(repo, db, tmp_path):
    recording = repo / "tests" / "data" / "kt_small.json"
    sim_spec = tmp_path / "sim.toml"
    tuna.import_recording(recording, write_spec=sim_spec, db=db)
    assert sim_spec.is_file()
    result = tuna.tune(sim_spec, strategy="exhaustive", max_evals=0, db=db, quiet=True)
    recorded = json.loads(recording.read_text())["cache"].values()
    optimum = min(r["time"] for r in recorded if isinstance(r.get("time"), (int, float)))
    assert result.best_ms == pytest.approx(optimum, rel=0.05)
    doc = tuna.compare(recording, strategies=["random", "surrogate"], runs=2, budgets=[3, 5])
    names = [s["strategy"] for s in doc["spaces"][0]["strategies"]]
    assert names[:2] == ["random", "surrogate"]


def test_the_console_script_runs_the_bundled_binary():
    exe = tuna._native.bundled_tuna_exe()
    assert exe.is_file(), "the package must carry the tuna binary (workers, the CLI)"
    out = subprocess.run([sys.executable, "-c", "from tuna._cli import main; main()",
                          "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == tuna.__version__


def test_a_spec_built_with_dataclasses_is_the_same_spec_as_its_dict(scale_spec, db, tmp_path):
    spec = tuna.Spec(name="scale", backend="host", source="scale.cpp", entry="scale",
                     flags=["-O1"], problem={"N": 4096},
                     params={"UNROLL": tuna.Param([1, 2, 4, 8], default=1),
                             "WRONG": {"values": [0, 1], "default": 0}},
                     args=[tuna.Arg("out", "f32", count="N", role="output"),
                           tuna.Arg("in", "f32", count="N"),
                           tuna.Arg("n", "i32", value="N")])
    assert spec.to_dict() == scale_spec
    assert tuna.Spec(name="k", params={"A": [1, 2]}).to_dict()["params"] == {"A": {"values": [1, 2]}}
    result = tuna.tune(spec, strategy="exhaustive", max_evals=0, db=db, quiet=True,
                       base_dir=tmp_path)
    assert result.best["WRONG"] == 0 and len(result.results) == 8
    # The same spec given as a dict is the same kernel: every result is reused, none measured.
    again = tuna.tune(scale_spec, strategy="exhaustive", max_evals=0, db=db, quiet=True,
                      base_dir=tmp_path)
    assert again.summary["measured"] == 0 and again.summary["reused"] == 8
    assert [r["key"] for r in again.run_results] == again.summary["considered_keys"]
    assert len(again.run_results) == 8


def test_a_spec_of_another_type_is_a_user_error():
    with pytest.raises(tuna.UserError, match="tuna.Spec"):
        tuna.tune(42)


def _triton_gpu_available():
    try:
        import triton  # noqa: F401  (the interpreter tuna compiles Triton kernels with)
    except ImportError:
        return False
    return any(line.startswith("triton") and "unavailable" not in line
               for line in tuna.devices().splitlines())


def test_tune_a_triton_kernel_with_this_interpreters_triton(repo, db):
    # TUNA_PYTHON is set to this interpreter on first use of the core, so the compile children
    # use the Triton that this environment has.
    if not _triton_gpu_available():
        pytest.skip("needs Triton in this interpreter and a CUDA GPU")
    result = tuna.tune(repo / "examples/triton/softmax/spec.toml", strategy="random",
                       max_evals=3, db=db)
    assert os.environ["TUNA_PYTHON"] == sys.executable
    assert result.best is not None and result.best_ms > 0
    assert all(r["status"] != "wrong_result" for r in result.results)


def test_the_core_makes_this_interpreter_the_one_triton_kernels_compile_with():
    # In a fresh interpreter without TUNA_PYTHON: the first use of the core sets it to this
    # interpreter (the one whose Triton the user has), and a value already set is kept.
    code = ("import os, sys, tuna; tuna.devices(); "
            "print(os.environ['TUNA_PYTHON'] == sys.executable)")
    env = {k: v for k, v in os.environ.items() if k != "TUNA_PYTHON"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "True"
    env["TUNA_PYTHON"] = "/opt/other/python3"
    code = "import os, tuna; tuna.devices(); print(os.environ['TUNA_PYTHON'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "/opt/other/python3"
