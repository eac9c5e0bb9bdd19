"""src/backends/triton/triton_compile.py, run the way tuna's compile child runs it.

The script is given to the interpreter as `python -c TEXT` with one JSON request on stdin and
answers with one JSON line, the last of its stdout. Kernels are compiled for sm_90, which needs
Triton but no GPU. Each test compiles into a Triton cache of this module's own, so that a
compile really happens and nothing is left in the user's cache.
"""
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def _interpreter_with_triton():
    """The interpreter the script runs with, as tuna would (TUNA_PYTHON): $TUNA_TEST_TRITON_PYTHON
    (make test's Triton venv) or this one; with its Triton and Python versions."""
    python = os.environ.get("TUNA_TEST_TRITON_PYTHON") or sys.executable
    probe = subprocess.run(
        [python, "-c", "import sys, triton; print(triton.__version__, sys.version.split()[0])"],
        capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"{python} has no Triton (set TUNA_TEST_TRITON_PYTHON)",
                    allow_module_level=True)
    triton_version, python_version = probe.stdout.split()
    return python, triton_version, python_version


PYTHON, TRITON_VERSION, PYTHON_VERSION = _interpreter_with_triton()

SCRIPT = Path(__file__).resolve().parents[2] / "src" / "backends" / "triton" / "triton_compile.py"
TARGET = {"backend": "cuda", "arch": 90, "warp_size": 32}

KERNELS = textwrap.dedent('''\
    import triton
    import triton.language as tl

    print("the kernel file may print while it is imported")


    @triton.jit
    def add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
        offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        mask = offs < n
        x = tl.load(x_ptr + offs, mask=mask)
        tl.store(out_ptr + offs, x + tl.load(y_ptr + offs, mask=mask), mask=mask)


    @triton.jit
    def times_undefined(x):
        return x * undefined_thing


    @triton.jit
    def undefined_kernel(x_ptr, BLOCK: tl.constexpr):
        offs = tl.arange(0, BLOCK)
        tl.store(x_ptr + offs, times_undefined(tl.load(x_ptr + offs)))


    @triton.jit
    def small_dot_kernel(a_ptr, c_ptr, T: tl.constexpr):
        r = tl.arange(0, T)
        a = tl.load(a_ptr + r[:, None] * T + r[None, :])
        tl.store(c_ptr + r[:, None] * T + r[None, :], tl.dot(a, a))


    @triton.jit
    def annotated_kernel(x_ptr, n: tl.int64, BLOCK: tl.constexpr):
        offs = tl.arange(0, BLOCK)
        tl.store(x_ptr + offs, tl.load(x_ptr + offs, mask=offs < n), mask=offs < n)


    def not_a_kernel():
        pass
    ''')


# In a file of its own: some Triton releases (3.2) import torch in @triton.autotune.
WRAPPED = textwrap.dedent('''\
    import triton
    import triton.language as tl


    @triton.autotune(configs=[triton.Config({"BLOCK": 64})], key=["n"])
    @triton.heuristics({"EVEN": lambda args: args["n"] % args["BLOCK"] == 0})
    @triton.jit
    def wrapped_kernel(x_ptr, n, BLOCK: tl.constexpr, EVEN: tl.constexpr):
        offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        if EVEN:
            tl.store(x_ptr + offs, tl.load(x_ptr + offs) * 2)
        else:
            tl.store(x_ptr + offs, tl.load(x_ptr + offs, mask=offs < n) * 2, mask=offs < n)
    ''')


def line_of(text, needle):
    """1-based line of the first line of KERNELS that contains needle."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kernels")
    (folder / "kern.py").write_text(KERNELS)
    (folder / "wrapped.py").write_text(WRAPPED)
    return folder


@pytest.fixture(scope="module")
def triton_cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("triton-cache"))


def skip_without_torch(answer):
    # Triton 3.2's @triton.autotune imports torch; the wrapped kernel's file then fails to load.
    if answer.get("fatal") and "torch" in answer.get("message", ""):
        pytest.skip("this Triton's @triton.autotune needs torch: " + answer["message"])


def ask(request, triton_cache):
    """Run the script as the C++ side does; return (exit status, last stdout line as JSON)."""
    env = dict(os.environ, TRITON_CACHE_DIR=triton_cache)
    proc = subprocess.run([PYTHON, "-c", SCRIPT.read_text()], input=json.dumps(request),
                          capture_output=True, text=True, env=env, timeout=300)
    lines = proc.stdout.strip().splitlines()
    assert lines, "no answer; stderr:\n" + proc.stderr
    return proc.returncode, json.loads(lines[-1])


def ptr(name, ty):
    return {"name": name, "type": ty, "pointer": True}


def scalar(name, ty, value):
    return {"name": name, "type": ty, "pointer": False, "value": value}


def add_request(kernels, tmp_path, n=4096, **overrides):
    request = {
        "query": "compile",
        "source": str(kernels / "kern.py"),
        "kernel": "add_kernel",
        "args": [ptr("x", "f32"), ptr("y", "f32"), ptr("out", "f32"), scalar("n", "i32", n)],
        "constexprs": {"BLOCK": 1024, "UNRELATED": 7},   # names the kernel lacks are ignored
        "options": {"num_warps": 4, "num_stages": 3},
        "target": TARGET,
        "cubin": str(tmp_path / "add.cubin"),
        "ptx": str(tmp_path / "add.ptx"),
    }
    request.update(overrides)
    return request


def test_version_names_triton_and_the_interpreter(triton_cache):
    rc, answer = ask({"query": "version"}, triton_cache)
    assert rc == 0
    assert answer["ok"] is True and answer["triton_version"] == TRITON_VERSION
    assert answer["python"] == PYTHON_VERSION
    # The interpreter as Python reports it (a venv's python may resolve to another path).
    assert answer["executable"]


def test_compile_writes_a_cubin_and_describes_the_launch(kernels, tmp_path, triton_cache):
    rc, answer = ask(add_request(kernels, tmp_path), triton_cache)
    assert rc == 0
    assert answer["ok"] is True, answer
    assert answer["name"] == "add_kernel"
    assert (tmp_path / "add.cubin").read_bytes()[:4] == b"\x7fELF"
    assert answer["triton_version"] == TRITON_VERSION
    assert answer["num_warps"] == 4 and answer["num_ctas"] == 1
    assert answer["num_stages"] == 3 and answer["warp_size"] == 32
    assert answer["cluster_dims"] == [1, 1, 1]
    assert answer["runtime_args"] == [0, 1, 2, 3]
    for s in answer["scratch"]:
        assert s["kind"] in ("global", "profile")
        assert isinstance(s["size"], int) and s["size"] >= 0
        assert isinstance(s["align"], int) and s["align"] >= 1
    assert [s["kind"] for s in answer["scratch"]] in ([], ["global"], ["global", "profile"])
    assert answer["entry_params"] == len(answer["runtime_args"]) + len(answer["scratch"])
    ptx = (tmp_path / "add.ptx").read_text()
    assert ptx.count(".param") >= answer["entry_params"]
    assert isinstance(answer["shared"], int) and answer["shared"] >= 0
    assert answer["launch_cooperative_grid"] is False and answer["launch_pdl"] is False
    assert answer["tma_descriptors"] is False
    assert answer["compile_ms"] > 0


def test_integers_divisible_by_16_get_the_hint_that_vectorises(kernels, tmp_path, triton_cache):
    # With n % 16 == 0 known, the masks are constant over 4 lanes and the loads go 16 bytes
    # wide, as under Triton's JIT; with n = 4097 they stay scalar.
    widths = {}
    for n in (4096, 4097):
        request = add_request(kernels, tmp_path, n=n, cubin=str(tmp_path / ("%d.cubin" % n)),
                              ptx=str(tmp_path / ("%d.ptx" % n)))
        rc, answer = ask(request, triton_cache)
        assert rc == 0 and answer["ok"], answer
        ptx = (tmp_path / ("%d.ptx" % n)).read_text()
        widths[n] = ("ld.global.v4" in ptx, "ld.global.b32" in ptx)
    assert widths[4096] == (True, False)
    assert widths[4097] == (False, True)


def test_an_integer_equal_to_one_stays_a_runtime_parameter(kernels, tmp_path, triton_cache):
    rc, answer = ask(add_request(kernels, tmp_path, n=1), triton_cache)
    assert rc == 0 and answer["ok"], answer
    assert answer["runtime_args"] == [0, 1, 2, 3]
    assert answer["entry_params"] == 4 + len(answer["scratch"])


def test_a_scalar_named_after_a_constexpr_is_compiled_in(kernels, tmp_path, triton_cache):
    request = add_request(kernels, tmp_path, constexprs={})
    request["args"].append(scalar("BLOCK", "i32", 512))
    rc, answer = ask(request, triton_cache)
    assert rc == 0 and answer["ok"], answer
    assert answer["runtime_args"] == [0, 1, 2, 3]   # BLOCK (index 4) is not passed


def test_wrappers_are_unwrapped_and_heuristics_computed(kernels, tmp_path, triton_cache):
    # EVEN comes from the @triton.heuristics rule: n % BLOCK == 0 for n = 4096, not for 4112
    # (which is still a multiple of 16, so the hints are the same). Only the masked variant
    # predicates its loads.
    predicated = {}
    for n in (4096, 4112):
        request = add_request(kernels, tmp_path, kernel="wrapped_kernel",
                              source=str(kernels / "wrapped.py"), args=[ptr("x", "f32"), scalar("n", "i32", n)],
                              constexprs={"BLOCK": 256}, ptx=str(tmp_path / ("%d.ptx" % n)))
        rc, answer = ask(request, triton_cache)
        skip_without_torch(answer)
        assert rc == 0 and answer["ok"], answer
        assert answer["name"] == "wrapped_kernel"
        ptx = (tmp_path / ("%d.ptx" % n)).read_text()
        predicated[n] = re.search(r"@%p\d+ ld\.global", ptx) is not None
    assert predicated == {4096: False, 4112: True}


def test_a_compile_error_is_one_line_at_the_kernels_line(kernels, tmp_path, triton_cache):
    request = add_request(kernels, tmp_path, kernel="small_dot_kernel",
                          args=[ptr("a", "f16"), ptr("c", "f32")], constexprs={"T": 8})
    rc, answer = ask(request, triton_cache)
    assert rc == 0
    assert answer["ok"] is False and answer["fatal"] is False
    assert answer["error_class"] == "compile_error"
    assert "\n" not in answer["message"]
    assert answer["message"].startswith("kern.py:%d:" % line_of(KERNELS, "tl.dot(a, a)"))
    assert "Traceback" in answer["log"]
    assert not (tmp_path / "add.cubin").exists()


def test_an_undefined_name_in_a_helper_points_at_the_helper(kernels, tmp_path, triton_cache):
    request = add_request(kernels, tmp_path, kernel="undefined_kernel",
                          args=[ptr("x", "f32")], constexprs={"BLOCK": 128})
    rc, answer = ask(request, triton_cache)
    assert rc == 0
    assert answer["error_class"] == "compile_error" and answer["fatal"] is False
    assert "\n" not in answer["message"]
    assert answer["message"].startswith("kern.py:%d:" % line_of(KERNELS, "x * undefined_thing"))
    assert "undefined_thing" in answer["message"]


def test_a_kernel_not_in_the_file_lists_its_jit_functions(kernels, tmp_path, triton_cache):
    for name in ("matmul_kernel", "not_a_kernel"):
        rc, answer = ask(add_request(kernels, tmp_path, kernel=name), triton_cache)
        assert rc == 0
        assert answer["ok"] is False and answer["fatal"] is True
        message = answer["message"]
        assert str(kernels / "kern.py") in message and name in message
        for jit in ("add_kernel", "small_dot_kernel", "undefined_kernel", "annotated_kernel"):
            assert jit in message
        assert "entry" in answer["fix"]
    # Wrapped kernels are listed as such.
    rc, answer = ask(add_request(kernels, tmp_path, source=str(kernels / "wrapped.py")), triton_cache)
    skip_without_torch(answer)
    assert answer["fatal"] is True
    assert "wrapped_kernel (wrapped in Autotuner)" in answer["message"]


def test_an_argument_count_mismatch_lists_both_sides(kernels, tmp_path, triton_cache):
    request = add_request(kernels, tmp_path, args=[ptr("x", "f32"), scalar("n", "i32", 4096)])
    rc, answer = ask(request, triton_cache)
    assert rc == 0 and answer["fatal"] is True
    assert "4 runtime parameters (x_ptr, y_ptr, out_ptr, n)" in answer["message"]
    assert "2 arguments (x, n)" in answer["message"]


def test_a_missing_constexpr_is_named_with_the_fix(kernels, tmp_path, triton_cache):
    rc, answer = ask(add_request(kernels, tmp_path, constexprs={"BLOCK_SIZE": 128}), triton_cache)
    assert rc == 0 and answer["fatal"] is True
    assert "'BLOCK: tl.constexpr'" in answer["message"]
    assert "parameter or a problem constant named 'BLOCK'" in answer["fix"]


def test_a_type_annotation_must_match_the_spec(kernels, tmp_path, triton_cache):
    request = add_request(kernels, tmp_path, kernel="annotated_kernel",
                          args=[ptr("x", "f32"), scalar("n", "i32", 64)], constexprs={"BLOCK": 64})
    rc, answer = ask(request, triton_cache)
    assert rc == 0 and answer["fatal"] is True
    assert "annotated i64" in answer["message"] and "i32" in answer["message"]
    request["args"][1]["type"] = "i64"
    rc, answer = ask(request, triton_cache)
    assert answer["ok"] is True, answer


def test_unknown_options_are_fatal(kernels, tmp_path, triton_cache):
    rc, answer = ask(add_request(kernels, tmp_path, options={"num_wraps": 4}), triton_cache)
    assert rc == 0 and answer["fatal"] is True
    assert "num_wraps" in answer["message"]


def test_too_much_shared_memory_is_out_of_resources(kernels, tmp_path, triton_cache):
    request = add_request(kernels, tmp_path, kernel="small_dot_kernel",
                          args=[ptr("a", "f16"), ptr("c", "f32")], constexprs={"T": 64},
                          target=dict(TARGET, max_shared=1024))
    rc, answer = ask(request, triton_cache)
    assert rc == 0 and answer["ok"] is False and answer["fatal"] is False
    assert answer["error_class"] == "out_of_resources"
    assert "1024" in answer["message"]


def test_broken_sources_are_fatal(tmp_path, triton_cache):
    (tmp_path / "bad.py").write_text("import triton\n\ndef oops(:\n    pass\n")
    rc, answer = ask({"query": "compile", "source": str(tmp_path / "bad.py"), "kernel": "k",
                      "args": [], "constexprs": {}, "options": {}, "target": TARGET,
                      "cubin": str(tmp_path / "k.cubin")}, triton_cache)
    assert rc == 0 and answer["fatal"] is True
    assert answer["message"].startswith(str(tmp_path / "bad.py") + ":3: syntax error")

    (tmp_path / "imports.py").write_text("import triton\nimport no_such_module_here\n")
    rc, answer = ask({"query": "compile", "source": str(tmp_path / "imports.py"), "kernel": "k",
                      "args": [], "constexprs": {}, "options": {}, "target": TARGET,
                      "cubin": str(tmp_path / "k.cubin")}, triton_cache)
    assert rc == 0 and answer["fatal"] is True
    assert "imports.py:2" in answer["message"] and "no_such_module_here" in answer["message"]

    rc, answer = ask({"query": "compile", "source": str(tmp_path / "absent.py"), "kernel": "k",
                      "args": [], "constexprs": {}, "options": {}, "target": TARGET,
                      "cubin": str(tmp_path / "k.cubin")}, triton_cache)
    assert rc == 0 and answer["fatal"] is True and "absent.py" in answer["message"]


def test_a_malformed_request_is_answered(triton_cache):
    proc = subprocess.run([PYTHON, "-c", SCRIPT.read_text()], input="{not json",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["ok"] is False and answer["fatal"] is True


def test_an_interpreter_without_triton_is_named(tmp_path):
    # A `triton` package that fails to import, ahead of the real one on sys.path.
    (tmp_path / "triton").mkdir()
    (tmp_path / "triton" / "__init__.py").write_text("raise ImportError('no triton here')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    proc = subprocess.run([PYTHON, "-c", SCRIPT.read_text()], input='{"query": "version"}',
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["ok"] is False and answer["fatal"] is True
    assert "no triton here" in answer["message"]
    assert "TUNA_PYTHON" in answer["fix"]
