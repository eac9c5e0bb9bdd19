"""tune_kernel's cmem_args (Kernel Tuner's constant-memory arguments): each {symbol: data} becomes
an [[args]] entry with role = "constant" and that symbol, its data a .npy file, after the
ordinary arguments. The CUDA specs are checked as generated (and loaded by tuna's own parser);
C code runs for real, its globals filled the same way."""
import copy

import pytest

import tuna
import tuna as kernel_tuner

np = pytest.importorskip("numpy")


@pytest.fixture(autouse=True)
def private_store(monkeypatch, tmp_path):
    monkeypatch.setenv("TUNA_DB", str(tmp_path / "ambient.db"))


# Kernel Tuner's convolution example, abridged: the filter is read from constant memory (the
# `filter` argument is passed too, as the example passes it).
CONVOLUTION = r"""
#define image_height 4096
#define image_width 4096
__constant__ float d_filter[17 * 17];

__global__ void convolution_kernel(float* output, float* input, float* filter) {
  int x = blockIdx.x * block_size_x + threadIdx.x;
  int y = blockIdx.y * block_size_y + threadIdx.y;
  float sum = 0.0f;
  for (int j = 0; j < 17; j++)
    for (int i = 0; i < 17; i++)
      sum += input[(y + j) * (image_width + 16) + x + i] * d_filter[j * 17 + i];
  output[y * image_width + x] = sum;
}
"""


class Stop(Exception):
    """Raised by the stand-in for tuna.tune once it has seen the spec."""


@pytest.fixture
def generated(monkeypatch, tmp_path):
    """What tune_kernel hands tuna.tune: the spec, the contents of its data files by argument
    name, and whether tuna's own spec parser accepts it (tuna.show loads it, no device needed)."""
    seen = {}

    def stand_in(spec, **options):
        seen["spec"] = copy.deepcopy(spec)
        seen["data"] = {a["name"]: np.load(a["file"]) for a in spec.get("args", [])
                        if "file" in a}
        seen["shown"] = tuna.show(spec, db=str(tmp_path / "show.db"))
        raise Stop

    monkeypatch.setattr("tuna.kernel_tuner.tune", stand_in)
    return seen


def test_kernel_tuners_convolution_example_puts_the_filter_in_constant_memory(generated):
    problem_size = (4096, 4096)
    size = int(np.prod(problem_size))
    input_size = (problem_size[0] + 16) * (problem_size[1] + 16)
    output = np.zeros(size).astype(np.float32)
    input = np.random.randn(input_size).astype(np.float32)
    filter = np.random.randn(17 * 17).astype(np.float32)
    cmem_args = {'d_filter': filter}
    args = [output, input, filter]
    tune_params = {"block_size_x": [16 * i for i in range(1, 9)],
                   "block_size_y": [2 ** i for i in range(6)]}
    with pytest.raises(Stop):
        kernel_tuner.tune_kernel("convolution_kernel", CONVOLUTION, problem_size, args,
                                 tune_params, grid_div_y=["block_size_y"],
                                 grid_div_x=["block_size_x"], verbose=True, cmem_args=cmem_args)
    spec = generated["spec"]
    assert spec["kernel"]["backend"] == "cuda"
    # The ordinary arguments stay the kernel's parameters, in order; the constant comes after.
    assert [a["name"] for a in spec["args"]] == ["arg0", "arg1", "arg2", "d_filter"]
    assert all("role" not in a or a["role"] != "constant" for a in spec["args"][:3])
    constant = spec["args"][3]
    assert constant["role"] == "constant" and constant["symbol"] == "d_filter"
    assert constant["type"] == "f32" and constant["init"] == "file"
    assert constant["file"].endswith(".npy")
    np.testing.assert_array_equal(generated["data"]["d_filter"], filter)
    assert generated["shown"] is not None  # tuna's parser took the spec as it is


def test_scalars_and_names_taken_by_arguments(generated):
    args = [np.zeros(64, np.float32), np.int32(64)]
    cmem_args = {"arg0": np.int32(5), "scale": 2.5, "table": np.arange(6, dtype=np.uint16)
                 .reshape(2, 3), "flags": np.array([True, False])}
    with pytest.raises(Stop):
        kernel_tuner.tune_kernel("k", "__global__ void k(float* x, int n) {}", 64, args,
                                 {"block_size_x": [32]}, cmem_args=cmem_args, quiet=True)
    constants = {a["symbol"]: a for a in generated["spec"]["args"] if a.get("role") == "constant"}
    assert list(constants) == ["arg0", "scale", "table", "flags"]
    # A symbol named like an ordinary argument keeps its symbol under another argument name.
    assert constants["arg0"]["name"] == "cmem_arg0" and constants["arg0"]["type"] == "i32"
    np.testing.assert_array_equal(generated["data"]["cmem_arg0"], [5])
    assert constants["scale"]["type"] == "f32"  # a Python float, as in `arguments`
    np.testing.assert_array_equal(generated["data"]["scale"], [2.5])
    assert constants["table"]["type"] == "u16"
    np.testing.assert_array_equal(generated["data"]["table"], np.arange(6))
    assert constants["flags"]["type"] == "u8"
    np.testing.assert_array_equal(generated["data"]["flags"], [1, 0])


def test_mistakes_in_cmem_args_are_clear_errors():
    args = [np.zeros(64, np.float32), np.int32(64)]
    code = "__global__ void k(float* x, int n) {}"
    for cmem_args, message in (([np.zeros(4)], "must be a dict"),
                               ({"d-filter": np.zeros(4)}, "not the name of a symbol"),
                               ({"d_filter": [1.0, 2.0]}, r"cmem_args\['d_filter'\] is a list"),
                               ({"d_filter": np.zeros(0)}, "empty array"),
                               ({"d_filter": np.zeros(2, complex)}, "dtype complex128")):
        with pytest.raises(tuna.UserError, match=message):
            kernel_tuner.tune_kernel("k", code, 64, args, {"block_size_x": [32]},
                                     cmem_args=cmem_args, quiet=True)
    opencl = "__kernel void k(__global float* x, int n) {}"
    with pytest.raises(tuna.UserError, match="ordinary kernel argument"):
        kernel_tuner.tune_kernel("k", opencl, 64, args, {"block_size_x": [32]},
                                 cmem_args={"d_filter": np.zeros(4, np.float32)}, quiet=True)


# C code: tuna copies cmem_args into the globals of that name (Kernel Tuner takes cmem_args for
# CUDA only). The kernel scales by its global coefficients.
SCALE_BY_GLOBALS = r"""
float coeffs[4];
int offset;
extern "C" void scale(float* y, const float* x, int n) {
  for (int i = 0; i < n; i += UNROLL)
    for (int u = 0; u < UNROLL; ++u) y[i + u] = coeffs[(i + u) % 4] * x[i + u] + offset;
}
"""


def test_c_code_reads_cmem_args_from_its_globals():
    n = 1024
    x = np.random.default_rng(3).random(n, dtype=np.float32)
    coeffs = np.array([0.5, -1.0, 2.0, 4.0], np.float32)
    expected = coeffs[np.arange(n) % 4] * x + 7
    results, _ = kernel_tuner.tune_kernel(
        "scale", SCALE_BY_GLOBALS, n, [np.zeros(n, np.float32), x, np.int32(n)],
        {"UNROLL": [1, 2, 4]}, lang="C", answer=[expected, None, None],
        cmem_args={"coeffs": coeffs, "offset": np.int32(7)}, quiet=True)
    assert len(results) == 3
    assert all("__error__" not in r and r["time"] > 0 for r in results), results
