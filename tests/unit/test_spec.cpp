// Kernel specs: loading spec.toml files, the C++ API, the canonical TOML round trip, the
// content hash, and what a spec gives its callers (space, env, entry, launch geometry).
// The mistakes a spec can contain are tested in test_spec_errors.cpp.
#include <gtest/gtest.h>

#include "base/hash.hpp"
#include "unit/spec_test_support.hpp"

namespace tuna::testing {
namespace {

using Spec = SpecFolder;

// A CUDA spec with every feature the format has, for the round trip.
constexpr std::string_view kCudaSpec = R"toml([kernel]
name = "gemm-tiled"
backend = "cuda"
source = "kernels/gemm.cu"
entry = "gemm<{BM},{BN},{USE_LDG}>"
description = """Tiled SGEMM: C = alpha * A * B + beta * C.
Each block computes a "BM x BN" tile."""
flags = ["-lineinfo"]
define_format = "-DTUNA_{name}={value}"

[problem]
M = 1024
N = 1024
K = 512
alpha = 1.5
beta = 0.0
transposed = false
layout = "row"

[params]
BN = { values = [32, 64, 128], default = 64, description = "columns of C per block" }
BM = { values = [32, 64, 128], default = 64 }
TM = { range = [1, 8], step = 1, default = 4 }
VEC = { pow2 = [1, 4], default = 2 }
USE_LDG = { type = "bool", default = true, description = "read A through the texture path" }
SCHED = ["static", "dynamic"]

[constraints]
threads_fit = "(BM / TM) * (BN / VEC) <= device.max_threads_per_block"
tm_divides = "BM % TM == 0"
smem_fits = "4 * (BM + BN) * 16 <= device.shared_memory_per_block"

[[args]]
name = "A"
type = "f32"
count = "M * K"
init = "random"
range = [-0.5, 0.5]

[[args]]
name = "B"
type = "f16"
count = 524288

[[args]]
name = "C"
type = "float"
count = "M * N"
role = "inout"
value = 0.25

[[args]]
name = "idx"
type = "u32"
count = "M"
init = "iota"

[[args]]
name = "alpha"
type = "double"
value = "alpha"

[[args]]
name = "k"
type = "int"
value = 512

[launch]
grid = ["ceil_div(N, BN)", "ceil_div(M, BM)"]
block = ["BN / VEC", "BM / TM"]
shared_memory = "4 * (BM + BN) * 16"

[check]
reference = "kernel"
kernel = "gemm_reference"
atol = 1e-3
rtol = 0.01

[metrics]
flops = "2 * M * N * K"
bytes = "4 * (M * K + K * N + 2 * M * N)"
)toml";

DeviceInfo fake_gpu() {
  DeviceInfo d;
  d.backend = "cuda";
  d.name = "Test GPU";
  d.id = "test-gpu-1";
  d.facts.set("max_threads_per_block", 1024);
  d.facts.set("shared_memory_per_block", 49152);
  d.facts.set("sm_count", 132);
  return d;
}

void expect_same_expr(const Expr& a, const Expr& b, const std::string& what) {
  EXPECT_EQ(a.empty(), b.empty()) << what;
  if (!a.empty() && !b.empty()) EXPECT_EQ(a.text(), b.text()) << what;
}

void expect_same_value(const Value& a, const Value& b, const std::string& what) {
  EXPECT_EQ(a.kind(), b.kind()) << what;
  EXPECT_EQ(a, b) << what;
}

// Field-by-field equality of two specs (KernelSpec has no operator==: Expr compares by text).
void expect_same_spec(const KernelSpec& a, const KernelSpec& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.backend, b.backend);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.entry, b.entry);
  EXPECT_EQ(a.compiler_flags, b.compiler_flags);
  EXPECT_EQ(a.define_format, b.define_format);
  ASSERT_EQ(a.parameters.size(), b.parameters.size());
  for (std::size_t i = 0; i < a.parameters.size(); ++i) {
    const Parameter& p = a.parameters[i].param;
    const Parameter& q = b.parameters[i].param;
    EXPECT_EQ(p.name, q.name);
    EXPECT_EQ(p.kind, q.kind) << p.name;
    ASSERT_EQ(p.values.size(), q.values.size()) << p.name;
    for (std::size_t v = 0; v < p.values.size(); ++v)
      expect_same_value(p.values[v], q.values[v], p.name);
    expect_same_value(p.default_value, q.default_value, p.name + " default");
    EXPECT_EQ(p.description, q.description) << p.name;
    EXPECT_EQ(p.lo, q.lo) << p.name;
    EXPECT_EQ(p.hi, q.hi) << p.name;
    EXPECT_EQ(p.step, q.step) << p.name;
  }
  ASSERT_EQ(a.constraints.size(), b.constraints.size());
  for (std::size_t i = 0; i < a.constraints.size(); ++i) {
    expect_same_expr(a.constraints[i].expr, b.constraints[i].expr, "constraint");
    EXPECT_EQ(a.constraint_name(i), b.constraint_name(i));
  }
  ASSERT_EQ(a.constants.values().size(), b.constants.values().size());
  for (const auto& [name, value] : a.constants.values()) {
    ASSERT_TRUE(b.constants.contains(name)) << name;
    expect_same_value(value, *b.constants.find(name), name);
  }
  ASSERT_EQ(a.arguments.size(), b.arguments.size());
  for (std::size_t i = 0; i < a.arguments.size(); ++i) {
    const Argument& x = a.arguments[i];
    const Argument& y = b.arguments[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.is_buffer, y.is_buffer) << x.name;
    EXPECT_EQ(x.dtype, y.dtype) << x.name;
    expect_same_expr(x.count, y.count, x.name + " count");
    expect_same_expr(x.value, y.value, x.name + " value");
    EXPECT_EQ(x.role, y.role) << x.name;
    EXPECT_EQ(x.init, y.init) << x.name;
    EXPECT_EQ(x.init_value, y.init_value) << x.name;
    EXPECT_EQ(x.random_lo, y.random_lo) << x.name;
    EXPECT_EQ(x.random_hi, y.random_hi) << x.name;
    EXPECT_EQ(x.symbol, y.symbol) << x.name;
  }
  for (std::size_t d = 0; d < 3; ++d) {
    expect_same_expr(a.launch.grid[d], b.launch.grid[d], "grid");
    expect_same_expr(a.launch.block[d], b.launch.block[d], "block");
  }
  expect_same_expr(a.launch.shared_memory_bytes, b.launch.shared_memory_bytes, "shared memory");
  EXPECT_EQ(a.check.reference, b.check.reference);
  EXPECT_EQ(a.check.reference_entry, b.check.reference_entry);
  EXPECT_EQ(a.check.atol, b.check.atol);
  EXPECT_EQ(a.check.rtol, b.check.rtol);
  expect_same_expr(a.metrics.flops, b.metrics.flops, "flops");
  expect_same_expr(a.metrics.bytes, b.metrics.bytes, "bytes");
}

class CudaSpec : public SpecFolder {
 protected:
  void SetUp() override {
    SpecFolder::SetUp();
    write("kernels/gemm.cu", "template <int BM, int BN, bool LDG> __global__ void gemm() {}\n");
  }
};

TEST_F(Spec, LoadsEveryKernelField) {
  const KernelSpec s = load(kMatmulSpec);
  EXPECT_EQ(s.name, "matmul");
  EXPECT_EQ(s.backend, "host");
  EXPECT_EQ(s.entry, "matmul");
  EXPECT_EQ(s.description, "C = A * B for row-major matrices");
  EXPECT_EQ(s.compiler_flags, (std::vector<std::string>{"-O3", "-ffast-math"}));
  EXPECT_EQ(s.define_format, "-D{name}={value}");
  EXPECT_TRUE(s.source.is_absolute());
  EXPECT_EQ(s.source, dir_ / "matmul.cpp");
  EXPECT_EQ(s.spec_path, dir_ / "spec.toml");
  EXPECT_EQ(*s.constants.find("M"), Value(64));
  EXPECT_EQ(*s.constants.find("alpha"), Value(1.5));
  EXPECT_EQ(s.problem_key(), "K=32,M=64,N=64,alpha=1.5");
}

TEST_F(Spec, ParametersKeepTheirDeclarationOrder) {
  const KernelSpec s = load(kMatmulSpec);
  std::vector<std::string> names;
  for (const auto& p : s.parameters) names.push_back(p.param.name);
  // toml++ sorts tables by key; the spec must keep the order of the file.
  EXPECT_EQ(names, (std::vector<std::string>{"BM", "BN", "UNROLL", "LOOP", "PACK"}));
  EXPECT_EQ(s.parameters[0].line, line_containing(kMatmulSpec, "BM = {"));
}

TEST_F(Spec, ParameterKinds) {
  const KernelSpec s = load(kMatmulSpec);
  const Parameter& bm = s.parameters[0].param;
  EXPECT_EQ(bm.kind, ParamKind::List);
  EXPECT_EQ(bm.values, (std::vector<Value>{8, 16, 32}));
  EXPECT_EQ(bm.default_value, Value(16));
  EXPECT_EQ(bm.description, "rows of C per tile");
  const Parameter& bn = s.parameters[1].param;
  EXPECT_EQ(bn.kind, ParamKind::Pow2Range);
  EXPECT_EQ(bn.values, (std::vector<Value>{4, 8, 16, 32}));
  const Parameter& unroll = s.parameters[2].param;
  EXPECT_EQ(unroll.kind, ParamKind::IntRange);
  EXPECT_EQ(unroll.values, (std::vector<Value>{1, 2, 3, 4}));
  EXPECT_EQ(unroll.default_value, Value(2));
  const Parameter& loop = s.parameters[3].param;
  EXPECT_EQ(loop.values, (std::vector<Value>{"ijk", "ikj"}));
  EXPECT_EQ(loop.default_value, Value("ikj"));
  const Parameter& pack = s.parameters[4].param;
  EXPECT_EQ(pack.kind, ParamKind::Bool);
  EXPECT_EQ(pack.default_value, Value(false));
}

TEST_F(Spec, DefaultsWhenKeysAreLeftOut) {
  const std::string text = R"toml([kernel]
name = "scale"
source = "matmul.cpp"
entry = "scale"

[params]
A = { values = [3, 1, 2] }
B = { range = [2, 10], step = 4 }
C = { pow2 = [2, 8] }
D = { type = "bool" }
E = [7, 5]

[[args]]
name = "x"
type = "f64"
count = 100

[[args]]
name = "y"
type = "f64"
count = 100
role = "output"
)toml";
  const KernelSpec s = load(text);
  EXPECT_EQ(s.backend, "host");
  EXPECT_EQ(s.parameters[0].param.default_value, Value(3));  // the first value as written
  EXPECT_EQ(s.parameters[1].param.default_value, Value(2));
  EXPECT_EQ(s.parameters[1].param.values, (std::vector<Value>{2, 6, 10}));
  EXPECT_EQ(s.parameters[2].param.default_value, Value(2));
  EXPECT_EQ(s.parameters[3].param.default_value, Value(false));
  EXPECT_EQ(s.parameters[4].param.default_value, Value(7));
  EXPECT_EQ(s.arguments[0].init, InitKind::Random);
  EXPECT_EQ(s.arguments[0].role, ArgRole::Input);
  EXPECT_EQ(s.arguments[1].init, InitKind::Zeros);
  EXPECT_EQ(s.check.reference, Reference::DefaultConfig);
  EXPECT_TRUE(s.constraints.empty());
  EXPECT_TRUE(s.metrics.flops.empty());
  // Launch geometry is always filled in, so callers never evaluate an empty expression.
  for (const auto& e : s.launch.grid) EXPECT_EQ(e.text(), Expr::constant(1).text());
  EXPECT_EQ(s.launch.shared_memory_bytes.text(), Expr::constant(0).text());
}

TEST_F(Spec, ArgumentsInCallOrder) {
  const KernelSpec s = load(kMatmulSpec);
  ASSERT_EQ(s.arguments.size(), 4u);
  EXPECT_EQ(s.arguments[0].name, "A");
  EXPECT_EQ(s.arguments[0].count.text(), "M * K");
  EXPECT_EQ(s.arguments[0].random_lo, -2.0);
  EXPECT_EQ(s.arguments[0].random_hi, 2.0);
  EXPECT_EQ(s.arguments[1].dtype, Dtype::F32);  // "float"
  EXPECT_EQ(s.arguments[2].role, ArgRole::Output);
  EXPECT_FALSE(s.arguments[3].is_buffer);
  EXPECT_EQ(s.arguments[3].dtype, Dtype::I32);
  EXPECT_EQ(s.arguments[3].value.text(), "M");
}

TEST_F(Spec, NamedConstraintsInFileOrder) {
  const KernelSpec s = load(kMatmulSpec);
  ASSERT_EQ(s.constraints.size(), 2u);
  EXPECT_EQ(s.constraint_name(0), "tile_divides_m");
  EXPECT_EQ(s.constraints[0].expr.text(), "M % BM == 0");
  EXPECT_EQ(s.constraint_name(1), "small_tile");
  const std::string origin = (dir_ / "spec.toml").string() + ":" +
                             std::to_string(line_containing(kMatmulSpec, "small_tile"));
  EXPECT_EQ(s.constraints[1].origin, origin);
}

TEST_F(Spec, ConstraintsMayBeAnUnnamedList) {
  std::string text(kMatmulSpec);
  const auto from = text.find("[constraints]");
  const auto to = text.find("[[args]]");
  text.replace(from, to - from, "");
  text = "constraints = [\"M % BM == 0\", \"BM * BN <= 512\"]\n" + text;
  const KernelSpec s = load(text);
  ASSERT_EQ(s.constraints.size(), 2u);
  EXPECT_EQ(s.constraint_name(1), "constraint_2");
  EXPECT_EQ(s.constraints[1].expr.text(), "BM * BN <= 512");
}

TEST_F(CudaSpec, LoadsLaunchCheckAndMetrics) {
  const KernelSpec s = load(kCudaSpec);
  EXPECT_EQ(s.launch.grid[0].text(), "ceil_div(N, BN)");
  EXPECT_EQ(s.launch.grid[2].text(), Expr::constant(1).text());
  EXPECT_EQ(s.launch.block[1].text(), "BM / TM");
  EXPECT_EQ(s.launch.shared_memory_bytes.text(), "4 * (BM + BN) * 16");
  EXPECT_EQ(s.check.reference, Reference::Kernel);
  EXPECT_EQ(s.check.reference_entry, "gemm_reference");
  EXPECT_DOUBLE_EQ(s.check.atol, 1e-3);
  EXPECT_EQ(s.metrics.bytes.text(), "4 * (M * K + K * N + 2 * M * N)");
  EXPECT_EQ(s.arguments[2].init, InitKind::Constant);
  EXPECT_EQ(s.arguments[2].init_value, 0.25);
  EXPECT_EQ(s.arguments[2].role, ArgRole::InOut);
  EXPECT_EQ(s.arguments[3].init, InitKind::Iota);
  EXPECT_EQ(s.arguments[1].dtype, Dtype::F16);
  EXPECT_EQ(s.source, dir_ / "kernels" / "gemm.cu");
}

TEST_F(CudaSpec, RoundTripsThroughCanonicalToml) {
  const KernelSpec s = load(kCudaSpec);
  const std::string text = spec_to_toml(s);
  const KernelSpec back = parse_spec(text, dir_ / "elsewhere" / "copy.toml");
  expect_same_spec(s, back);
  EXPECT_EQ(spec_to_toml(back), text);  // canonical: a fixed point
  EXPECT_EQ(back.content_hash(), s.content_hash());
}

TEST_F(Spec, RoundTripsTheHostSpec) {
  const KernelSpec s = load(kMatmulSpec);
  const KernelSpec back = parse_spec(spec_to_toml(s), dir_ / "copy.toml");
  expect_same_spec(s, back);
}

TEST(TritonSpec, TheExamplesRoundTripThroughCanonicalToml) {
  // Compile children and bench workers read the spec back from its canonical text, and the
  // Triton parser refuses launch.block: the text must not carry a default block (found on the
  // GPU machine, where every Triton run stopped with "takes no launch.block").
  for (const char* example : {"matmul", "softmax"}) {
    const std::filesystem::path path =
        std::filesystem::path(TUNA_SOURCE_DIR) / "examples" / "triton" / example / "spec.toml";
    const KernelSpec s = load_spec(path);
    const std::string text = spec_to_toml(s);
    EXPECT_EQ(text.find("block ="), std::string::npos) << text;
    const KernelSpec back = parse_spec(text, path);
    EXPECT_EQ(spec_to_toml(back), text) << example;
    EXPECT_EQ(back.content_hash(), s.content_hash()) << example;
    EXPECT_EQ(back.launch.grid[0].text(), s.launch.grid[0].text()) << example;
  }
}

// The C++ API: the matmul spec of kMatmulSpec, built by hand.
KernelSpec hand_built_matmul(const std::filesystem::path& dir) {
  KernelSpec s;
  s.name = "matmul";
  s.source = dir / "matmul.cpp";
  s.entry = "matmul";
  s.description = "C = A * B for row-major matrices";
  s.compiler_flags = {"-O3", "-ffast-math"};
  s.constants.set("M", 64);
  s.constants.set("N", 64);
  s.constants.set("K", 32);
  s.constants.set("alpha", 1.5);
  s.parameters = {
      {Parameter::list("BM", {8, 16, 32}, 16, "rows of C per tile")},
      {Parameter::pow2_range("BN", 4, 32, 8)},
      {Parameter::int_range("UNROLL", 1, 4, 1, 2)},
      {Parameter::list("LOOP", {"ijk", "ikj"}, "ikj")},
      {Parameter::boolean("PACK", false)},
  };
  s.constraints = {{Expr::parse("M % BM == 0"), ""}, {Expr::parse("BM * BN <= 512"), ""}};
  s.constraint_names = {"tile_divides_m", "small_tile"};
  Argument a;
  a.name = "A";
  a.count = Expr::parse("M * K");
  a.random_lo = -2.0;
  a.random_hi = 2.0;
  Argument b;
  b.name = "B";
  b.count = Expr::parse("K * N");
  Argument c;
  c.name = "C";
  c.count = Expr::parse("M * N");
  c.role = ArgRole::Output;
  c.init = InitKind::Zeros;
  Argument n;
  n.name = "n";
  n.is_buffer = false;
  n.dtype = Dtype::I32;
  n.value = Expr::parse("M");
  s.arguments = {a, b, c, n};
  s.check.atol = 1e-5;
  s.check.rtol = 1e-4;
  s.metrics.flops = Expr::parse("2 * M * N * K");
  s.metrics.bytes = Expr::parse("4 * (M * K + K * N + M * N)");
  return s;
}

TEST_F(Spec, HandBuiltSpecEqualsTheParsedOne) {
  const KernelSpec built = hand_built_matmul(dir_);
  EXPECT_NO_THROW(validate_spec(built));
  const KernelSpec parsed = load(kMatmulSpec);
  EXPECT_EQ(built.content_hash(), parsed.content_hash());
  EXPECT_EQ(spec_to_toml(built), spec_to_toml(parsed));
}

TEST_F(Spec, ValidateSpecReportsMistakesByKey) {
  KernelSpec s = hand_built_matmul(dir_);
  s.parameters[0].param.default_value = 48;
  try {
    validate_spec(s);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("kernel spec 'matmul': params.BM.default: default 48", 0),
              0u)
        << e.what();
  }
  s = hand_built_matmul(dir_);
  s.arguments[3].count = Expr::parse("4");
  EXPECT_THROW(validate_spec(s), UserError);
  s = hand_built_matmul(dir_);
  s.arguments[3].role = ArgRole::Output;
  try {
    validate_spec(s);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("args[3].role: scalar 'n' is passed by value"),
              std::string::npos)
        << e.what();
  }
  s = hand_built_matmul(dir_);
  s.source = dir_ / "missing.cpp";
  EXPECT_THROW(validate_spec(s), UserError);
}

TEST_F(Spec, ContentHashFollowsTheSourceAndTheSpecNotTheFolder) {
  const KernelSpec s = load(kMatmulSpec);
  const std::string h = s.content_hash();
  EXPECT_EQ(h.size(), 32u);
  EXPECT_EQ(h, load(kMatmulSpec).content_hash());

  KernelSpec changed = s;
  changed.parameters[0].param = Parameter::list("BM", {8, 16, 32, 64}, 16);
  EXPECT_NE(changed.content_hash(), h);

  // The same files in another folder: same hash.
  const std::string source_text =
      "extern \"C\" void matmul(const float*, const float*, float*, int) {}\n";
  write("moved/matmul.cpp", source_text);
  EXPECT_EQ(load_spec(write("moved/spec.toml", kMatmulSpec)).content_hash(), h);

  write("matmul.cpp", source_text + "// edited\n");
  EXPECT_NE(s.content_hash(), h);
}

TEST_F(Spec, EntryForSubstitutesParameterValues) {
  KernelSpec s = load(kMatmulSpec);
  s.entry = "matmul<{BM},{PACK},{LOOP}>";
  const Space space = s.make_space(DeviceInfo{});
  EXPECT_EQ(s.entry_for(space, space.default_config()), "matmul<16,0,ikj>");
  s.entry = "plain";
  EXPECT_EQ(s.entry_for(space, space.default_config()), "plain");
}

TEST_F(CudaSpec, MakeSpaceReadsDeviceFactsAndProblemConstants) {
  const KernelSpec s = load(kCudaSpec);
  const DeviceInfo gpu = fake_gpu();
  const Space space = s.make_space(gpu);
  EXPECT_EQ(space.params().size(), 6u);
  EXPECT_EQ(space.params()[0].name, "BN");
  ASSERT_NE(space.constants().find("device.max_threads_per_block"), nullptr);
  EXPECT_EQ(*space.constants().find("M"), Value(1024));
  EXPECT_TRUE(space.is_valid(space.default_config()));
  EXPECT_EQ(s.entry_for(space, space.default_config()), "gemm<64,64,1>");

  const Env env = s.env_for(space, space.default_config(), gpu);
  EXPECT_EQ(*env.find("BM"), Value(64));
  EXPECT_EQ(*env.find("K"), Value(512));
  EXPECT_EQ(*env.find("device.sm_count"), Value(132));
  const LaunchDims dims = launch_dims(s.launch, env);
  EXPECT_EQ(dims.grid, (std::array<std::int64_t, 3>{16, 16, 1}));
  EXPECT_EQ(dims.block, (std::array<std::int64_t, 3>{32, 16, 1}));
  EXPECT_EQ(dims.shared_memory_bytes, 4 * 128 * 16);
  EXPECT_EQ(buffer_elements(s.arguments[0], env), 1024 * 512);
  EXPECT_EQ(buffer_elements(s.arguments[1], env), 524288);
}

TEST_F(CudaSpec, MakeSpaceRejectsADefaultThatTheDeviceCannotRun) {
  const KernelSpec s = load(kCudaSpec);
  DeviceInfo small = fake_gpu();
  small.facts.set("max_threads_per_block", 256);  // default: (64/4) * (64/2) = 512 threads
  try {
    s.make_space(small);
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string m = e.what();
    const std::string where = (dir_ / "spec.toml").string() + ":" +
                              std::to_string(line_containing(kCudaSpec, "threads_fit")) +
                              ": constraints.threads_fit: the default configuration (";
    EXPECT_EQ(m.rfind(where, 0), 0u) << m;
    EXPECT_NE(m.find("BM=64"), std::string::npos) << m;
    EXPECT_NE(m.find("Change the default"), std::string::npos) << m;
  }
}

TEST_F(CudaSpec, MakeSpaceRejectsASpaceTheDeviceRulesOut) {
  const KernelSpec s = load(kCudaSpec);
  DeviceInfo tiny = fake_gpu();
  tiny.facts.set("shared_memory_per_block", 1024);
  try {
    s.make_space(tiny);
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("constraints.smem_fits: no configuration satisfies all constraints: "
                     "'4 * (BM + BN) * 16 <= device.shared_memory_per_block' alone rejects every"),
              std::string::npos)
        << m;
  }
}

TEST_F(CudaSpec, MakeSpaceNamesAnUnknownDeviceFact) {
  const KernelSpec s = load(kCudaSpec);
  DeviceInfo cpu;
  cpu.name = "cpu";
  cpu.facts.set("cores", 8);
  try {
    s.make_space(cpu);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("'device.max_threads_per_block' is not a fact of this "
                                         "device"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("device.cores"), std::string::npos) << e.what();
  }
}

TEST(Device, FactsBecomeDeviceNames) {
  DeviceInfo d;
  d.facts.set("cores", 16);
  d.facts.set("name_hint", "epyc");
  const Env env = d.as_env();
  EXPECT_EQ(env.values().size(), 2u);
  EXPECT_EQ(*env.find("device.cores"), Value(16));
  EXPECT_EQ(*env.find("device.name_hint"), Value("epyc"));
}

TEST(Dtype, NamesSizesAndCAliases) {
  for (Dtype d : {Dtype::F16, Dtype::F32, Dtype::F64, Dtype::I8, Dtype::I16, Dtype::I32, Dtype::I64,
                  Dtype::U8, Dtype::U16, Dtype::U32, Dtype::U64}) {
    EXPECT_EQ(dtype_from_name(dtype_name(d)), d) << dtype_name(d);
  }
  EXPECT_EQ(dtype_size(Dtype::F16), 2u);
  EXPECT_EQ(dtype_size(Dtype::F64), 8u);
  EXPECT_EQ(dtype_size(Dtype::U8), 1u);
  EXPECT_EQ(dtype_from_name("float"), Dtype::F32);
  EXPECT_EQ(dtype_from_name("double"), Dtype::F64);
  EXPECT_EQ(dtype_from_name("int"), Dtype::I32);
  EXPECT_EQ(dtype_from_name("unsigned char"), Dtype::U8);
  EXPECT_EQ(dtype_from_name("half"), Dtype::F16);
  EXPECT_FALSE(dtype_from_name("f23").has_value());
}

TEST(SpecEnums, RoundTripThroughTheirNames) {
  for (ArgRole r : {ArgRole::Input, ArgRole::Output, ArgRole::InOut, ArgRole::Constant})
    EXPECT_EQ(arg_role_from_name(arg_role_name(r)), r);
  for (InitKind k :
       {InitKind::Random, InitKind::Zeros, InitKind::Ones, InitKind::Iota, InitKind::Constant})
    EXPECT_EQ(init_kind_from_name(init_kind_name(k)), k);
  for (Reference r : {Reference::DefaultConfig, Reference::Kernel, Reference::None})
    EXPECT_EQ(reference_from_name(reference_name(r)), r);
  EXPECT_STREQ(reference_name(Reference::DefaultConfig), "default");
  EXPECT_FALSE(arg_role_from_name("out").has_value());
  EXPECT_STREQ(arg_role_name(ArgRole::Constant), "constant");
}

TEST(LaunchDims, EmptyExpressionsAreDefaultsAndBadValuesAreErrors) {
  LaunchGeometry g;
  g.grid[0] = Expr::parse("N / 4");
  Env env;
  env.set("N", 64);
  const LaunchDims dims = launch_dims(g, env);
  EXPECT_EQ(dims.grid, (std::array<std::int64_t, 3>{16, 1, 1}));
  EXPECT_EQ(dims.block, (std::array<std::int64_t, 3>{1, 1, 1}));
  EXPECT_EQ(dims.shared_memory_bytes, 0);
  env.set("N", 2);
  try {
    launch_dims(g, env);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("launch.grid[0] 'N / 4'"), std::string::npos) << e.what();
  }
}

TEST(ContentHash, IsTheFnv1a128OfTheData) {
  // Published FNV-1a 128-bit test vectors.
  EXPECT_EQ(content_hash_hex(""), "6c62272e07bb014262b821756295c58d");
  EXPECT_EQ(content_hash_hex("a"), "d228cb696f1a8caf78912b704e4a8964");
}

TEST(ContentHash, IncrementalEqualsWholeAndFieldsAreSeparated) {
  ContentHasher h;
  h.update("hello ").update("world");
  EXPECT_EQ(h.hex(), content_hash_hex("hello world"));
  EXPECT_NE(ContentHasher().field("ab").field("c").hex(),
            ContentHasher().field("a").field("bc").hex());
  EXPECT_NE(ContentHasher().field(std::int64_t{1}).hex(),
            ContentHasher().field(std::int64_t{2}).hex());
}

}  // namespace
}  // namespace tuna::testing
