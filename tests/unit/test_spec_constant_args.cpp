// Constant arguments ([[args]] with role = "constant"): a buffer whose data is copied into a named
// global of the compiled code (a CUDA __constant__ symbol, a host global) instead of being passed
// to the kernel. Parsing, the symbol's default, the canonical round trip and hash, and every
// mistake's message (file, line, key, fix).
#include <gtest/gtest.h>

#include "unit/spec_test_support.hpp"

namespace tuna::testing {
namespace {

using ConstantArgs = SpecFolder;

// Kernel Tuner's convolution example in miniature: the filter lives in constant memory.
constexpr std::string_view kConvSpec = R"toml([kernel]
name = "conv"
backend = "cuda"
source = "conv.cu"
entry = "conv"

[problem]
N = 64

[params]
BLOCK = { values = [32, 64], default = 32 }

[[args]]
name = "out"
type = "f32"
count = "N"
role = "output"

[[args]]
name = "in"
type = "f32"
count = "N + 16"

[[args]]
name = "filter"
type = "f32"
count = 17
role = "constant"
symbol = "d_filter"

[launch]
grid = ["ceil_div(N, BLOCK)"]
block = ["BLOCK"]
)toml";

const std::string kBase(kConvSpec);

class ConstantArgsTest : public ConstantArgs {
 protected:
  void SetUp() override {
    ConstantArgs::SetUp();
    write("conv.cu",
          "__constant__ float d_filter[17];\n__global__ void conv(float*, const float*) {}\n");
    write("conv.cl", "__kernel void conv(__global float* o, __global const float* i) {}\n");
    write("conv.py", "import triton\n");
    write("conv.cpp", "float d_filter[17];\nextern \"C\" void conv(float*, const float*) {}\n");
  }
};

std::string with_backend(const std::string& backend, const std::string& source) {
  std::string text = replaced(kBase, "backend = \"cuda\"", "backend = \"" + backend + "\"");
  text = replaced(text, "source = \"conv.cu\"", "source = \"" + source + "\"");
  if (backend == "triton") {  // Triton decides the block
    text = replaced(text, "block = [\"BLOCK\"]\n", "");
  }
  return text;
}

TEST_F(ConstantArgsTest, ParsesAConstantArgumentThatIsNotPassedToTheKernel) {
  const KernelSpec s = load(kBase);
  ASSERT_EQ(s.arguments.size(), 3u);
  const Argument& filter = s.arguments[2];
  EXPECT_EQ(filter.role, ArgRole::Constant);
  EXPECT_TRUE(filter.is_buffer);
  EXPECT_EQ(filter.symbol, "d_filter");
  EXPECT_EQ(constant_symbol(filter), "d_filter");
  EXPECT_EQ(filter.init, InitKind::Random);  // like an input
  EXPECT_FALSE(is_passed_to_kernel(filter));
  EXPECT_TRUE(is_passed_to_kernel(s.arguments[0]));
  EXPECT_TRUE(is_passed_to_kernel(s.arguments[1]));
}

TEST_F(ConstantArgsTest, TheSymbolDefaultsToTheArgumentsName) {
  const std::string text = replaced(kBase, "symbol = \"d_filter\"\n", "");
  const KernelSpec s = load(text);
  EXPECT_EQ(s.arguments[2].symbol, "filter");
  EXPECT_EQ(constant_symbol(s.arguments[2]), "filter");
  // Naming the default symbol or leaving it out is the same spec, with the same hash.
  const KernelSpec named =
      load(replaced(kBase, "symbol = \"d_filter\"", "symbol = \"filter\""), "named.toml");
  EXPECT_EQ(spec_to_toml(s), spec_to_toml(named));
  EXPECT_EQ(s.content_hash(), named.content_hash());
  // Another global is another measurement.
  EXPECT_NE(s.content_hash(), load(kBase, "other.toml").content_hash());
}

TEST_F(ConstantArgsTest, RoundTripsThroughCanonicalToml) {
  const KernelSpec s = load(kBase);
  const std::string text = spec_to_toml(s);
  EXPECT_NE(text.find("role = \"constant\"\nsymbol = \"d_filter\"\n"), std::string::npos) << text;
  const KernelSpec back = parse_spec(text, dir_ / "copy.toml");
  ASSERT_EQ(back.arguments.size(), 3u);
  EXPECT_EQ(back.arguments[2].role, ArgRole::Constant);
  EXPECT_EQ(back.arguments[2].symbol, "d_filter");
  EXPECT_EQ(spec_to_toml(back), text);
  EXPECT_EQ(back.content_hash(), s.content_hash());
}

TEST_F(ConstantArgsTest, TheHostBackendAcceptsThem) {
  EXPECT_NO_THROW(load(with_backend("host", "conv.cpp")));
}

TEST_F(ConstantArgsTest, OpenClRefusesThemAndSaysToPassAnOrdinaryArgument) {
  const std::string text = with_backend("opencl", "conv.cl");
  expect_error(text, line_containing(text, "role = \"constant\""), "args[2].role",
               {"the cuda and host backends support", "the opencl backend does not",
                "ordinary kernel argument", "__constant float* filter", "remove role"});
}

TEST_F(ConstantArgsTest, TritonRefusesThem) {
  const std::string text = with_backend("triton", "conv.py");
  expect_error(text, line_containing(text, "role = \"constant\""), "args[2].role",
               {"the triton backend does not", "no constant-memory globals", "ordinary argument"});
}

TEST_F(ConstantArgsTest, ASymbolNeedsTheConstantRole) {
  const std::string text =
      replaced(kBase, "count = \"N + 16\"", "count = \"N + 16\"\nsymbol = \"x\"");
  expect_error(text, line_containing(text, "symbol = \"x\""), "args[1].symbol",
               {"'in' has role 'input'", "Set role = \"constant\""});
}

TEST_F(ConstantArgsTest, AConstantWithoutCountIsRefusedAsAScalar) {
  const std::string text = replaced(kBase, "count = 17\n", "value = 2.5\n");
  expect_error(text, line_containing(text, "role = \"constant\""), "args[2].role",
               {"'filter' has role = \"constant\" but no count", "global 'd_filter'", "count = 1"});
}

TEST_F(ConstantArgsTest, AConstantHasNoExpectedFile) {
  write("f.npy", "");
  const std::string text =
      replaced(kBase, "symbol = \"d_filter\"", "symbol = \"d_filter\"\nexpected = \"f.npy\"");
  expect_error(text, line_containing(text, "expected ="), "args[2].expected",
               {"never read back", "Remove expected"});
}

TEST_F(ConstantArgsTest, TwoConstantsCannotFillOneGlobal) {
  const std::string text = kBase.substr(0, kBase.find("[launch]")) +
                           "[[args]]\nname = \"filter2\"\ntype = \"f32\"\ncount = 4\n"
                           "role = \"constant\"\nsymbol = \"d_filter\"\n\n" +
                           kBase.substr(kBase.find("[launch]"));
  expect_error(text, line_containing(text, "name = \"filter2\"") + 4, "args[3].symbol",
               {"'filter2' and args[2] ('filter') are both copied into the global 'd_filter'"});
}

// Without a symbol line the global is the argument's name, and the error points at that line.
TEST_F(ConstantArgsTest, AConstantWithoutSymbolClashesThroughItsName) {
  const std::string text = kBase.substr(0, kBase.find("[launch]")) +
                           "[[args]]\nname = \"d_filter\"\ntype = \"f32\"\ncount = 4\n"
                           "role = \"constant\"\n\n" +
                           kBase.substr(kBase.find("[launch]"));
  expect_error(text, line_containing(text, "name = \"d_filter\""), "args[3].name",
               {"'d_filter' and args[2] ('filter') are both copied into the global 'd_filter'"});
}

TEST_F(ConstantArgsTest, TheSymbolMustBeAPlainName) {
  std::string text = replaced(kBase, "symbol = \"d_filter\"", "symbol = \"ns::d_filter\"");
  expect_error(text, line_containing(text, "symbol ="), "args[2].symbol",
               {"'ns::d_filter' is not a valid symbol name", "outside any namespace"});
  text = replaced(kBase, "symbol = \"d_filter\"", "symbol = \"\"");
  expect_error(text, line_containing(text, "symbol ="), "args[2].symbol", {"the symbol is empty"});
}

TEST_F(ConstantArgsTest, AConstantIsNoOutputToCheck) {
  // Only the constant and an input left: nothing for the default reference to compare.
  const std::string text = replaced(kBase, "role = \"output\"", "role = \"input\"");
  expect_error(text, 1, "check.reference", {"no buffer argument is an output"});
}

TEST_F(ConstantArgsTest, HandBuiltSpecsUseTheNameWhenTheSymbolIsEmpty) {
  KernelSpec s = load(replaced(kBase, "symbol = \"d_filter\"\n", ""));
  s.spec_path.clear();
  s.arguments[2].symbol.clear();
  EXPECT_NO_THROW(validate_spec(s));
  EXPECT_EQ(constant_symbol(s.arguments[2]), "filter");
  EXPECT_NE(spec_to_toml(s).find("symbol = \"filter\""), std::string::npos);

  // A scalar cannot be a constant: its value has no bytes to copy.
  Argument scale;
  scale.name = "scale";
  scale.is_buffer = false;
  scale.value = Expr::parse("2");
  scale.role = ArgRole::Constant;
  s.arguments.push_back(scale);
  try {
    validate_spec(s);
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("args[3].role: 'scale' has role = \"constant\" but is a scalar"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("count = 1"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace tuna::testing
