// An application that ships a tuned kernel: it looks up the config tuna measured for this
// machine and this problem in an exported JSON file, falls back to the defaults when there is
// none, builds examples/host/matmul with those values and calls it (docs/deploy.md).
//
//   tuna tune examples/host/matmul/spec.toml
//   tuna export examples/host/matmul/spec.toml --format json -o matmul_tuned.json
//   build/examples/deploy/tuna_deploy_matmul matmul_tuned.json
//
// The kernel's parameters are compile-time macros, so the application builds it once at start-up
// with the looked-up values, as a CUDA application would with NVRTC.
#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/errors.hpp"
#include "tuna/lookup.hpp"

namespace {

namespace fs = std::filesystem;
using MatmulFn = void (*)(const float*, const float*, float*, int, int, int);

constexpr int kM = 512, kN = 512, kK = 512;

// The spec's defaults: what the application runs when nothing was tuned for this machine.
const tuna::TunedValues kDefaults = {
    {"BM", tuna::Value(16)},    {"BN", tuna::Value(32)},         {"BK", tuna::Value(64)},
    {"UNROLL", tuna::Value(1)}, {"VEC", tuna::Value(8)},         {"LOOP_ORDER", tuna::Value(0)},
    {"PACK_B", tuna::Value(false)}};

// A scratch folder and the kernel library loaded from it, released in reverse order.
class BuiltKernel {
 public:
  explicit BuiltKernel(const tuna::TunedValues& values) {
    // A fresh folder per build: dlopen hands back an already loaded library for a path it has
    // seen, so two configs must never share a file name.
    std::string pattern = (fs::temp_directory_path() / "tuna-deploy-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw tuna::UserError("cannot create a folder in " + pattern);
    dir_ = pattern;
    fs::path wrapper = dir_ / "entry.cpp", library = dir_ / "libmatmul.so";
    std::ofstream(wrapper) << "#include \"" << TUNA_MATMUL_SOURCE << "\"\n"
                           << "extern \"C\" void deploy_matmul(const float* a, const float* b, "
                              "float* c, int m, int n, int k) { matmul(a, b, c, m, n, k); }\n";
    std::string command = "c++ -std=c++17 -O3 -march=native -shared -fPIC";
    for (const auto& [name, value] : values) command += " -D" + name + "=" + value.to_define();
    command += " -o '" + library.string() + "' '" + wrapper.string() + "'";
    if (std::system(command.c_str()) != 0)
      throw tuna::UserError("could not build the kernel: " + command);
    handle_ = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw tuna::UserError(std::string("dlopen: ") + ::dlerror());
    fn_ = reinterpret_cast<MatmulFn>(::dlsym(handle_, "deploy_matmul"));
    if (!fn_) throw tuna::UserError("the kernel library lacks deploy_matmul");
  }
  ~BuiltKernel() {
    if (handle_) ::dlclose(handle_);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  BuiltKernel(const BuiltKernel&) = delete;
  BuiltKernel& operator=(const BuiltKernel&) = delete;
  MatmulFn fn() const { return fn_; }

 private:
  fs::path dir_;
  void* handle_ = nullptr;
  MatmulFn fn_ = nullptr;
};

double best_of_three_ms(MatmulFn fn, const std::vector<float>& a, const std::vector<float>& b,
                        std::vector<float>& c) {
  double best = INFINITY;
  for (int rep = 0; rep < 3; ++rep) {
    auto start = std::chrono::steady_clock::now();
    fn(a.data(), b.data(), c.data(), kM, kN, kK);
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

// Largest difference from a plain triple loop over a sample of rows.
double max_error(const std::vector<float>& a, const std::vector<float>& b,
                 const std::vector<float>& c) {
  double worst = 0;
  for (int i = 0; i < kM; i += 37)
    for (int j = 0; j < kN; ++j) {
      double sum = 0;
      for (int k = 0; k < kK; ++k) sum += double(a[i * kK + k]) * b[k * kN + j];
      worst = std::max(worst, std::abs(sum - c[i * kN + j]));
    }
  return worst;
}

std::string describe(const tuna::TunedValues& values) {
  std::string out;
  for (const auto& [name, value] : values) out += (out.empty() ? "" : ",") + name + "=" + value.to_string();
  return out;
}

int run(const fs::path& exported) {
  // The identity tuna gave this machine when it tuned here (name plus compiler version).
  tuna::DeviceInfo device = tuna::make_backend("host")->device_info();
  std::string problem = tuna::problem_key({{"M", kM}, {"N", kN}, {"K", kK}});
  tuna::Lookup table;  // kept for the program's life; find() may be called from any thread
  if (fs::exists(exported)) {
    table = tuna::Lookup::from_json_file(exported);
  } else {
    std::fprintf(stderr, "note: %s not found; running the defaults\n", exported.c_str());
  }
  tuna::LookupResult tuned = table.find("matmul", problem, device.id, kDefaults);
  std::printf("device:  %s\nproblem: %s\nmatch:   %s\nconfig:  %s\n", device.name.c_str(),
              problem.c_str(), tuna::lookup_match_name(tuned.match), describe(tuned.values).c_str());

  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(std::size_t{kM} * kK), b(std::size_t{kK} * kN), c(std::size_t{kM} * kN);
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);

  BuiltKernel kernel(tuned.values);
  double tuned_ms = best_of_three_ms(kernel.fn(), a, b, c);
  double error = max_error(a, b, c);
  std::printf("time:    %.3f ms (best of 3), max abs error %.2g\n", tuned_ms, error);
  if (tuned.match != tuna::LookupMatch::Default) {
    BuiltKernel fallback(kDefaults);
    std::printf("default: %.3f ms\n", best_of_three_ms(fallback.fn(), a, b, c));
  }
  return error < 1e-2 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc > 1 ? argv[1] : "matmul_tuned.json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tuna_deploy_matmul: %s\n", e.what());
    return 2;
  }
}
