// Constant arguments on CUDA, the compile side (NVRTC, no GPU): the cubin of a kernel that reads
// a __constant__ array, as Kernel Tuner's convolution example declares it, holds that array under
// its plain name and with its size, which is what the bench worker looks up with
// cuModuleGetGlobal before copying the argument in. A __constant__ inside a namespace is there
// only under its mangled name, which is why docs/spec.md asks for globals outside namespaces.
// Skips when NVRTC cannot be loaded.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "support/temp_dir.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

#if defined(TUNA_HAVE_CUDA)
#include "backends/cuda/cuda_compiler.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSource = R"(
__constant__ float d_filter[filter_width * filter_height];
namespace taps {
__constant__ float weights[4];
}

extern "C" __global__ void convolution_kernel(float* output, const float* input,
                                              const float* filter) {
  const int x = blockIdx.x * block_size_x + threadIdx.x;
  float sum = 0.0f;
  for (int i = 0; i < filter_width * filter_height; ++i)
    sum += d_filter[i] * input[x + i] + taps::weights[i % 4];
  output[x] = sum + filter[0];
}
)";

constexpr const char* kSpec = R"toml([kernel]
name = "convolution"
backend = "cuda"
source = "convolution.cu"
entry = "convolution_kernel"

[problem]
N = 4096

[params]
block_size_x = { values = [32, 64], default = 32 }
filter_width = [17]
filter_height = [17]

[[args]]
name = "output"
type = "f32"
count = "N"
role = "output"

[[args]]
name = "input"
type = "f32"
count = "N + 17 * 17"

[[args]]
name = "filter"
type = "f32"
count = "17 * 17"

[[args]]
name = "cmem_filter"
type = "f32"
count = "17 * 17"
role = "constant"
symbol = "d_filter"

[launch]
grid = ["N / block_size_x"]
block = ["block_size_x"]
)toml";

// The object symbols of an ELF64 file (a cubin): name -> size in bytes.
std::map<std::string, std::uint64_t> object_symbols(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::map<std::string, std::uint64_t> symbols;
  if (bytes.size() < sizeof(Elf64_Ehdr) || bytes.compare(0, 4, ELFMAG) != 0) return symbols;
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  auto section = [&](std::size_t i) {
    Elf64_Shdr s;
    std::memcpy(&s, bytes.data() + header.e_shoff + i * header.e_shentsize, sizeof s);
    return s;
  };
  for (std::size_t i = 0; i < header.e_shnum; ++i) {
    const Elf64_Shdr table = section(i);
    if (table.sh_type != SHT_SYMTAB) continue;
    const Elf64_Shdr names = section(table.sh_link);
    for (std::size_t at = 0; at + sizeof(Elf64_Sym) <= table.sh_size; at += sizeof(Elf64_Sym)) {
      Elf64_Sym symbol;
      std::memcpy(&symbol, bytes.data() + table.sh_offset + at, sizeof symbol);
      if (ELF64_ST_TYPE(symbol.st_info) != STT_OBJECT) continue;
      symbols[std::string(bytes.data() + names.sh_offset + symbol.st_name)] = symbol.st_size;
    }
  }
  return symbols;
}

TEST(CudaConstantCompile, TheCubinHoldsTheConstantSymbolUnderItsPlainName) {
  std::unique_ptr<cuda::CudaCompiler> compiler;
  try {
    compiler = std::make_unique<cuda::CudaCompiler>();
  } catch (const UserError& e) {
    GTEST_SKIP() << "NVRTC cannot be loaded here: " << e.what();
  }
  testing::TempDir dir("tuna_cuda_constant");
  std::ofstream(dir.path() / "convolution.cu") << kSource;
  std::ofstream(dir.path() / "spec.toml") << kSpec;
  const KernelSpec spec = load_spec(dir.path() / "spec.toml");
  ASSERT_EQ(constant_symbol(spec.arguments[3]), "d_filter");

  DeviceInfo device;
  device.backend = "cuda";
  device.name = device.id = "compile-only sm_90";
  device.facts.set("compute_capability", std::int64_t{90});
  const Space space = spec.make_space(device);
  const CompileOutcome out =
      compiler->compile(spec, space, space.default_config(), device, dir.path() / "cache");
  ASSERT_TRUE(out.ok) << out.message << "\n" << out.log;

  const std::map<std::string, std::uint64_t> symbols = object_symbols(out.artifact.path);
  ASSERT_TRUE(symbols.count("d_filter")) << "object symbols: " << symbols.size();
  EXPECT_EQ(symbols.at("d_filter"), 17u * 17u * sizeof(float));
  EXPECT_FALSE(symbols.count("weights"));
  ASSERT_TRUE(symbols.count("_ZN4taps7weightsE"));
  EXPECT_EQ(symbols.at("_ZN4taps7weightsE"), 4u * sizeof(float));
}

}  // namespace
}  // namespace tuna

#endif  // TUNA_HAVE_CUDA
