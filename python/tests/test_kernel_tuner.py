"""tuna.tune_kernel: Kernel Tuner 1.5's calling convention over tuna.tune. The kernels are C host
code (lang="C"), plus OpenCL on PoCL and CUDA where those devices exist."""
import json
import shutil

import pytest

import tuna
import tuna as kernel_tuner  # the one-line switch a Kernel Tuner script makes
from tuna import kt_expr
from tuna.kernel_tuner import RuntimeFailedConfig

np = pytest.importorskip("numpy")

# c = a + b, UNROLL elements per step; WRONG adds 1, a config that computes a wrong answer.
VECTOR_ADD = r"""
extern "C" void vector_add(float* c, const float* a, const float* b, int n) {
  for (int i = 0; i < n; i += UNROLL)
    for (int u = 0; u < UNROLL && i + u < n; ++u) c[i + u] = a[i + u] + b[i + u] + WRONG;
}
"""
N = 4096


@pytest.fixture(autouse=True)
def private_store(monkeypatch, tmp_path):
    # Without `cache`, tune_kernel keeps its results in tuna's store: the test's own.
    monkeypatch.setenv("TUNA_DB", str(tmp_path / "ambient.db"))


def vector_add_args(seed=1):
    rng = np.random.default_rng(seed)
    a = rng.random(N, dtype=np.float32)
    b = rng.random(N, dtype=np.float32)
    c = np.zeros_like(a)
    return [c, a, b, np.int32(N)], [a + b, None, None, None]


def tune_vector_add(tune_params, **kwargs):
    args, answer = vector_add_args()
    kwargs.setdefault("answer", answer)
    kwargs.setdefault("quiet", True)
    return kernel_tuner.tune_kernel("vector_add", VECTOR_ADD, N, args, tune_params, lang="C",
                                    **kwargs)


def configs_of(results, *names):
    return sorted(tuple(r[n] for n in names) for r in results)


def test_results_have_kernel_tuners_shape_and_the_best_is_the_fastest(capsys):
    results, env = tune_vector_add({"UNROLL": [1, 2, 4], "WRONG": [0]}, iterations=3,
                                   quiet=False)
    assert configs_of(results, "UNROLL") == [(1,), (2,), (4,)]  # brute force: every config
    for r in results:
        for key in ("UNROLL", "WRONG", "time", "times", "compile_time", "verification_time",
                    "benchmark_time", "strategy_time", "framework_time", "timestamp"):
            assert key in r, key
        assert len(r["times"]) == 3  # iterations = exactly the timed runs
        assert r["time"] == pytest.approx(sum(r["times"]) / 3)  # Kernel Tuner's mean
        assert "__error__" not in r
    best = min(results, key=lambda r: r["time"])
    assert env["best_config"] == best
    assert env["iterations"] == 3 and env["kernel_name"] == "vector_add"
    assert env["problem_size"] == N and env["lang"] == "C"
    assert isinstance(env["tuna_run_id"], int) and env["device_name"]
    split = env["tuna_time_split"]  # where the run's time went, as `tuna tune --json` says
    assert split["ran"] == len(results) and split["run_s"] > 0
    assert 0 <= split["device_idle_share"] <= 1
    # The setup before the run's clock (worker start, spec hash) and the run's own wall time.
    assert 0 <= split["setup_s"] < env["tuna_elapsed_s"] + 60
    assert env["tuna_elapsed_s"] > 0
    assert env["total_compile_time"] == pytest.approx(sum(r["compile_time"] for r in results))
    out = capsys.readouterr().out
    assert "Using: " + env["device_name"] in out
    assert "BEST PERFORMING CONFIGURATION FOR OBJECTIVE time:" in out
    assert f"UNROLL={best['UNROLL']}, WRONG=0, time=" in out


def test_answer_marks_a_config_that_computes_a_wrong_result():
    results, env = tune_vector_add({"UNROLL": [1, 4], "WRONG": [0, 1]})
    assert len(results) == 4
    for r in results:
        if r["WRONG"]:
            assert isinstance(r["__error__"], RuntimeFailedConfig)
            assert r["__error__"] == "RuntimeFailedConfig" and str(r["__error__"]) == \
                "RuntimeFailedConfig"
            assert "time" not in r  # as Kernel Tuner 1.5: the marker replaces the time
            assert r["tuna_status"] == "wrong_result" and "expected" in r["tuna_message"]
        else:
            assert "__error__" not in r and r["time"] > 0
    assert env["best_config"]["WRONG"] == 0


def test_without_answer_nothing_is_checked():
    results, _ = tune_vector_add({"UNROLL": [1], "WRONG": [0, 1]}, answer=None)
    assert all("__error__" not in r for r in results) and len(results) == 2


def test_restrictions_as_strings():
    # `**`, chained comparisons and `in` are Python; tuna's language reads them as Python does.
    restrictions = ["UNROLL != 2", "1 <= UNROLL * 2 ** WRONG <= 8", "WRONG in (0, 1)"]
    results, _ = tune_vector_add({"UNROLL": [1, 2, 4, 8], "WRONG": [0, 1]}, answer=None,
                                 restrictions=restrictions)
    assert configs_of(results, "UNROLL", "WRONG") == [(1, 0), (1, 1), (4, 0), (4, 1), (8, 0)]


def test_a_single_string_restriction():
    results, _ = tune_vector_add({"UNROLL": [1, 2, 4], "WRONG": [0]}, answer=None,
                                 restrictions="UNROLL % 4 == 0")
    assert configs_of(results, "UNROLL") == [(4,)]


def test_restrictions_as_functions():
    # A lambda over the parameter dict, read back from its source; a def function and a string
    # tuna cannot translate (a bitwise and), evaluated in Python over the space.
    def small(p):
        return p["UNROLL"] <= 4

    restrictions = [lambda p: p["UNROLL"] != 2, small, "UNROLL & 1 == 0 or WRONG == 0"]
    results, _ = tune_vector_add({"UNROLL": [1, 2, 4, 8], "WRONG": [0, 1]}, answer=None,
                                 restrictions=restrictions)
    assert configs_of(results, "UNROLL", "WRONG") == [(1, 0), (4, 0), (4, 1)]


def test_a_restriction_that_rejects_the_first_values_still_gets_a_valid_default():
    # tuna needs a valid default config; Kernel Tuner has none: the first valid one is taken.
    results, _ = tune_vector_add({"UNROLL": [1, 2, 4], "WRONG": [0]},
                                 restrictions=lambda p: p["UNROLL"] > 1)
    assert configs_of(results, "UNROLL") == [(2,), (4,)]


def test_a_non_numpy_argument_is_an_error_naming_its_index():
    args, _ = vector_add_args()
    args[1] = list(args[1])
    with pytest.raises(tuna.UserError, match=r"arguments\[1\] is a list"):
        kernel_tuner.tune_kernel("vector_add", VECTOR_ADD, N, args, {"UNROLL": [1], "WRONG": [0]},
                                 lang="C", quiet=True)


def test_python_scalars_are_accepted():
    args, answer = vector_add_args()
    args[3] = N  # Kernel Tuner asks for numpy.int32(N); tuna passes a Python int as int32
    results, _ = kernel_tuner.tune_kernel("vector_add", VECTOR_ADD, N, args,
                                          {"UNROLL": [2], "WRONG": [0]}, lang="C", answer=answer,
                                          quiet=True)
    assert "__error__" not in results[0]


def test_the_cache_is_kernel_tuners_format_and_a_second_call_reuses_the_store(tmp_path):
    cache = tmp_path / "vector_add"  # Kernel Tuner appends .json
    tune_params = {"UNROLL": [1, 2], "WRONG": [0, 1]}
    first, env1 = tune_vector_add(tune_params, cache=str(cache))
    path = tmp_path / "vector_add.json"
    doc = json.loads(path.read_text())
    assert doc["kernel_name"] == "vector_add" and doc["problem_size"] == N
    assert doc["tune_params_keys"] == ["UNROLL", "WRONG"]
    assert doc["tune_params"] == tune_params
    assert sorted(doc["cache"]) == ["1,0", "1,1", "2,0", "2,1"]
    assert doc["cache"]["1,1"]["time"] == "RuntimeFailedConfig"
    assert isinstance(doc["cache"]["2,0"]["time"], float) and len(doc["cache"]["2,0"]["times"]) == 7
    assert path.read_text().rstrip().endswith("}\n}")  # closed as Kernel Tuner closes it
    assert env1["tuna_measured"] == 4 and env1["tuna_reused"] == 0
    assert (tmp_path / "vector_add.tuna.db").is_file()

    second, env2 = tune_vector_add(tune_params, cache=str(cache))
    assert env2["tuna_measured"] == 0 and env2["tuna_reused"] == 4  # nothing measured again
    assert configs_of(second, "UNROLL", "WRONG") == configs_of(first, "UNROLL", "WRONG")
    assert all(r["compile_time"] == 0 for r in second)  # as Kernel Tuner reports cached configs
    ran = {(r["UNROLL"], r["WRONG"]): r.get("time") for r in first}
    assert {(r["UNROLL"], r["WRONG"]): r.get("time") for r in second} == ran

    # tuna reads its own export back as a recording.
    imported = tuna.import_recording(path, db=str(tmp_path / "imported.db"))
    assert "imported 4 configurations of vector_add" in imported


def test_a_cache_written_by_kernel_tuner_becomes_a_prior(tmp_path):
    path = tmp_path / "kt.json"
    entries = {f"{u},0": {"UNROLL": u, "WRONG": 0, "time": t, "times": [t] * 7,
                          "compile_time": 100.0, "verification_time": 0, "benchmark_time": 1.0,
                          "strategy_time": 0, "framework_time": 0, "timestamp": "2024"}
               for u, t in ((1, 0.5), (2, 0.25), (4, 0.125))}
    doc = {"device_name": "some GPU", "kernel_name": "vector_add", "problem_size": N,
           "tune_params_keys": ["UNROLL", "WRONG"],
           "tune_params": {"UNROLL": [1, 2, 4], "WRONG": [0]}, "objective": "time",
           "cache": entries}
    # Left open, as an interrupted Kernel Tuner run leaves it.
    path.write_text(json.dumps(doc, indent="")[:-3] + ",")
    with pytest.warns(UserWarning, match="written by Kernel Tuner"):
        results, env = tune_vector_add({"UNROLL": [1, 2, 4], "WRONG": [0]}, cache=str(path),
                                       strategy="random_sample",
                                       strategy_options={"max_fevals": 2})
    assert len(results) == 2
    assert (tmp_path / "kt.kernel_tuner.json").is_file()  # Kernel Tuner's file, kept
    assert json.loads(path.read_text())["device_name"] == env["device_name"]  # tuna's own


def test_a_cache_of_another_kernel_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"device_name": "x", "kernel_name": "other", "problem_size": N,
                                "tune_params_keys": ["UNROLL", "WRONG"], "cache": {}}))
    with pytest.raises(tuna.UserError, match="kernel 'other'"):
        tune_vector_add({"UNROLL": [1], "WRONG": [0]}, cache=str(path))


def test_strategies_map_onto_tunas():
    tune_params = {"UNROLL": [1, 2, 4, 8], "WRONG": [0]}
    results, env = tune_vector_add(tune_params, strategy="random_sample",
                                   strategy_options={"fraction": 0.5})
    assert env["tuna_strategy"] == "random" and len(results) == 2  # half of the 4 configs
    results, env = tune_vector_add(tune_params, strategy="diff_evo",
                                   strategy_options={"max_fevals": 3})
    assert env["tuna_strategy"] == "differential_evolution" and len(results) == 3
    with pytest.warns(UserWarning, match="'pso'.*'auto'"):
        results, env = tune_vector_add(tune_params, strategy="pso",
                                       strategy_options={"max_fevals": 2})
    assert len(results) == 2
    with pytest.warns(UserWarning, match=r"\['popsize'\] are ignored"):
        tune_vector_add(tune_params, strategy="genetic_algorithm",
                        strategy_options={"max_fevals": 1, "popsize": 20})
    with pytest.raises(tuna.UserError, match="unknown strategy 'nonsense'"):
        tune_vector_add(tune_params, strategy="nonsense")


def test_metrics_are_computed_in_order_on_the_configs_that_ran():
    metrics = {"GB/s": lambda p: 3 * 4 * N / 1e6 / p["time"], "half": "time / 2"}
    results, env = tune_vector_add({"UNROLL": [1, 2], "WRONG": [0, 1]}, metrics=metrics)
    for r in results:
        if "__error__" in r:
            assert "GB/s" not in r
        else:
            assert r["GB/s"] == pytest.approx(3 * 4 * N / 1e6 / r["time"])
            assert r["half"] == pytest.approx(r["time"] / 2)
    keys = list(env["best_config"])
    assert keys[-5:] == ["GB/s", "half", "timestamp", "strategy_time", "framework_time"]  # KT's


def test_what_tuna_does_not_support_is_a_clear_error():
    tune_params = {"UNROLL": [1], "WRONG": [0]}
    for kwargs, message in ((dict(verify=lambda a, b, atol=None: True), "verify"),
                            (dict(texmem_args={"t": np.zeros(4)}), "texture"),
                            (dict(observers=[object()]), "observers"),
                            (dict(simulation_mode=True), "tuna import"),
                            (dict(objective="GB/s"), "objective")):
        with pytest.raises(tuna.UserError, match=message):
            tune_vector_add(tune_params, **kwargs)
    args, _ = vector_add_args()
    with pytest.raises(tuna.UserError, match="HIP"):
        kernel_tuner.tune_kernel("vector_add", VECTOR_ADD, N, args, tune_params, lang="HIP")
    with pytest.raises(tuna.UserError, match=r"answer has 2 entries"):
        tune_vector_add(tune_params, answer=[None, None])


def test_kernel_source_as_a_file_a_path_or_a_list_of_files(tmp_path):
    (tmp_path / "offset.h").write_text("#define OFFSET 0\n")
    kernel = tmp_path / "vector_add.cpp"
    kernel.write_text('#include "offset.h"\n' + VECTOR_ADD.replace("+ WRONG", "+ WRONG + OFFSET"))
    args, answer = vector_add_args()
    tune_params = {"UNROLL": [2], "WRONG": [0]}
    for source in (str(kernel), kernel, [str(kernel), str(tmp_path / "offset.h")]):
        results, env = kernel_tuner.tune_kernel("vector_add", source, N, args, tune_params,
                                                lang="C", answer=answer, quiet=True)
        assert "__error__" not in results[0], results[0]
        assert "OFFSET" in env["kernel_string"]
    with pytest.raises(tuna.UserError, match="no such file"):
        kernel_tuner.tune_kernel("vector_add", str(tmp_path / "missing.cpp"), N, args,
                                 tune_params, lang="C", quiet=True)


def test_defines_and_compiler_options_reach_the_compiler():
    guarded = "#ifndef kernel_tuner\n#error Kernel Tuner defines kernel_tuner\n#endif\n" + \
        "#if block_size_x != 256\n#error an untuned block_size_x is 256\n#endif\n" + VECTOR_ADD
    args, answer = vector_add_args()
    tune_params = {"UNROLL": [1, 2], "WRONG": [0]}
    results, _ = kernel_tuner.tune_kernel("vector_add", guarded, N, args, tune_params, lang="C",
                                          answer=answer, compiler_options=["-O2"], quiet=True)
    assert all("__error__" not in r for r in results)
    # With defines, Kernel Tuner defines only those (tuna still defines the parameters).
    offset = VECTOR_ADD.replace("+ WRONG", "+ WRONG + OFFSET")
    results, _ = kernel_tuner.tune_kernel("vector_add", offset, N, args, tune_params, lang="C",
                                          answer=answer, defines={"OFFSET": 0}, quiet=True)
    assert all("__error__" not in r for r in results)
    with pytest.raises(tuna.UserError, match="reads tunable parameters"):
        kernel_tuner.tune_kernel("vector_add", offset, N, args, tune_params, lang="C",
                                 defines={"OFFSET": "UNROLL - UNROLL"}, quiet=True)


def test_launch_geometry_follows_kernel_tuner():
    from tuna.kt_spec import block_names, launch_geometry, problem_dims
    params = {"block_size_x": [32, 64], "tile": [1, 2], "n": [100]}
    names = block_names(None, params, "cuda")
    dims = problem_dims((1000, "n * 2"), params)
    launch, flags = launch_geometry(dims, names, (["block_size_x", "tile"], None, None), params,
                            {"size": "block_size_x * 4"}, "cuda")
    # grid = ceil(problem size / product of the divisors); untuned block sizes are 256, 1, 1
    # and, as Kernel Tuner does, divide nothing.
    assert launch["grid"] == ["ceil(1000 / (int(block_size_x) * int(tile)))",
                              "ceil(int((n * 2)) / (1))", 1]
    assert launch["block"] == ["int(block_size_x)", 1, 1]
    assert launch["shared_memory"] == "int((block_size_x * 4))"
    assert launch["convention"] == "blocks"
    assert flags == ["-Dblock_size_y=1", "-Dblock_size_z=1", "-Dgrid_size_z=1"]
    custom = block_names(["bx"], {"bx": [8]}, "cuda")
    assert custom == ["bx", "block_size_y", "block_size_z"]
    launch, _ = launch_geometry(problem_dims(64, {}), custom, (None, None, None), {"bx": [8]}, None,
                        "cuda")
    assert launch["grid"] == ["ceil(64 / (bx))", 1, 1] and launch["block"] == ["int(bx)", 1, 1]


def test_functions_of_the_parameters_in_launch_geometry_become_expressions():
    # Kernel Tuner calls smem_args['size'] and grid divisors per config; tuna reads a lambda
    # back as an expression, and refuses a function it cannot read.
    from tuna.kt_spec import block_names, launch_geometry, problem_dims
    params = {"block_size_x": [32, 64], "BK": [8, 16]}
    names = block_names(None, params, "cuda")
    launch, _ = launch_geometry(problem_dims(4096, params), names,
                                (["block_size_x", lambda p: p["BK"] // 8], None, None), params,
                                {"size": lambda p: 4 * p["BK"] * (p["block_size_x"] + 1)}, "cuda")
    assert launch["shared_memory"] == "int(((4 * BK) * (block_size_x + 1)))"
    assert launch["grid"][0] == "ceil(4096 / (int(block_size_x) * int((BK // 8))))"
    with pytest.raises(tuna.UserError, match=r"smem_args\[size\].*one-line lambda"):
        launch_geometry(problem_dims(4096, params), names, (None, None, None), params,
                        {"size": len}, "cuda")


def test_importing_tuna_loads_neither_numpy_nor_the_kernel_tuner_layer():
    import subprocess
    import sys
    code = ("import sys, tuna; print('numpy' in sys.modules, 'tuna.kernel_tuner' in sys.modules);"
            " from tuna import tune_kernel; print(tune_kernel.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "tuna.kernel_tuner"]


def test_kernel_tuners_expressions_in_tunas_language():
    names = {"bx", "by", "t"}
    assert kt_expr.translate("32 <= bx * by <= 1024", names)[0] == \
        "((32 <= (bx * by)) and ((bx * by) <= 1024))"
    expr, used = kt_expr.translate("bx ** 2 if t in [1, 2] else -bx // 3", names)
    assert expr == "((t in [1, 2]) ? (bx ** 2) : ((-bx) // 3))" and used == ["t", "bx"]
    assert kt_expr.translate("math.ceil(bx / 3) in range(1, 4)", names)[0] == \
        "(ceil((bx / 3)) in [1, 2, 3])"
    with pytest.raises(kt_expr.Untranslatable):
        kt_expr.translate("bx & 1", names)
    with pytest.raises(kt_expr.Untranslatable, match="'z'"):
        kt_expr.translate("z > 1", names)


def _has_opencl():
    text = tuna.devices()
    return any(line.startswith("opencl") and "unavailable" not in line
               for line in text.splitlines())


OPENCL_VECTOR_ADD = r"""
__kernel void vector_add(__global float* c, __global const float* a, __global const float* b,
                         int n) {
  int i = get_global_id(0);
  if (i < n) c[i] = a[i] + b[i];
}
"""


def test_opencl_grid_and_block_follow_kernel_tuners_convention():
    if not _has_opencl():
        pytest.skip("no OpenCL device")
    args, answer = vector_add_args()
    n = N + 3  # not a multiple of the block: the grid rounds up, the kernel guards
    args[3] = np.int32(n)
    for i in (0, 1, 2):
        args[i] = np.concatenate([args[i], np.zeros(3, np.float32)])
    expected = args[1] + args[2]
    results, env = kernel_tuner.tune_kernel(
        "vector_add", OPENCL_VECTOR_ADD, n, args, {"block_size_x": [32, 64, 1 << 20]},
        answer=[expected, None, None, None], quiet=True)  # lang detected from __kernel
    assert env["lang"] == "OpenCL"
    # 2^20 threads exceed every device's limit: Kernel Tuner's block size restriction drops it.
    assert configs_of(results, "block_size_x") == [(32,), (64,)]
    assert all("__error__" not in r for r in results)


def _has_cuda():
    if shutil.which("nvidia-smi") is None:
        return False
    return any(line.startswith("cuda") and "unavailable" not in line
               for line in tuna.devices().splitlines())


CUDA_VECTOR_ADD = r"""
__global__ void vector_add(float* c, const float* a, const float* b, int n) {
  int i = blockIdx.x * block_size_x + threadIdx.x;
  if (i < n) c[i] = a[i] + b[i];
}
"""


def test_cuda_vector_add():
    if not _has_cuda():
        pytest.skip("no CUDA device")
    args, answer = vector_add_args()
    results, env = kernel_tuner.tune_kernel("vector_add", CUDA_VECTOR_ADD, N, args,
                                            {"block_size_x": [64, 128, 256, 2048]},
                                            answer=answer, quiet=True)
    assert env["lang"] == "CUDA"
    assert configs_of(results, "block_size_x") == [(64,), (128,), (256,)]
    assert all("__error__" not in r and r["time"] > 0 for r in results)


def test_without_a_cache_the_results_are_kept_in_tunas_store(tmp_path):
    # Nothing measured is lost: the store holds every config, and a second call with the same
    # data reuses them instead of measuring again.
    tune_params = {"UNROLL": [1, 2, 4], "WRONG": [0]}
    results, env = tune_vector_add(tune_params)
    assert env["tuna_db"] == str(tmp_path / "ambient.db")
    assert env["tuna_measured"] == len(results) == 3
    _, again = tune_vector_add(tune_params)
    assert again["tuna_measured"] == 0 and again["tuna_reused"] == 3
