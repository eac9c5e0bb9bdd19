// Reference figures for the CUDA examples, measured on the current GPU: what cuBLAS reaches on
// SGEMM and on HGEMM (fp16 inputs, fp32 accumulation), and the device-to-device copy bandwidth
// that the memory-bound examples are judged against (docs/benchmarking.md, bench/results/).
//
//   bench_cuda_refs [--sizes 4096,8192] [--hgemm-out fp16|fp32] [--copy-mib 1024]
//                   [--reps 50] [--warmup 5] [--json]
//
// Each figure: warm-up runs, then --reps runs each timed with a pair of CUDA events; the
// median is printed. Inputs are random (never zeros). Without a GPU it prints why and
// "skipped", and exits 0.
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

void check_cuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorName(status) + " (" +
                             cudaGetErrorString(status) + ")");
  }
}

void check_cublas(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw std::runtime_error(std::string(what) + ": cuBLAS status " +
                             std::to_string(static_cast<int>(status)));
  }
}

// Device memory, freed on scope exit.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
    check_cuda(cudaMalloc(&ptr_, bytes), "cudaMalloc");
  }
  ~DeviceBuffer() { cudaFree(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return ptr_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_;
};

class Event {
 public:
  Event() { check_cuda(cudaEventCreate(&event_), "cudaEventCreate"); }
  ~Event() { cudaEventDestroy(event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

class Stream {
 public:
  Stream() { check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate"); }
  ~Stream() { cudaStreamDestroy(stream_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
};

class Cublas {
 public:
  explicit Cublas(cudaStream_t stream) {
    check_cublas(cublasCreate(&handle_), "cublasCreate");
    check_cublas(cublasSetStream(handle_, stream), "cublasSetStream");
    // Plain fp32 for SGEMM (no TF32 tensor cores): the SGEMM example is compared with it.
    check_cublas(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
  }
  ~Cublas() { cublasDestroy(handle_); }
  Cublas(const Cublas&) = delete;
  Cublas& operator=(const Cublas&) = delete;
  cublasHandle_t get() const { return handle_; }

 private:
  cublasHandle_t handle_ = nullptr;
};

// Uniform floats in [-1, 1) from a seeded xorshift: fast enough to fill a GiB on the host.
std::vector<float> random_floats(std::size_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& x : v) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    x = static_cast<float>((s >> 40) * (1.0 / (1ull << 24))) * 2.0f - 1.0f;
  }
  return v;
}

void upload_floats(const DeviceBuffer& dst, std::size_t n, std::uint64_t seed) {
  std::vector<float> host = random_floats(n, seed);
  check_cuda(cudaMemcpy(dst.get(), host.data(), n * sizeof(float), cudaMemcpyHostToDevice),
             "cudaMemcpy to device");
}

void upload_halves(const DeviceBuffer& dst, std::size_t n, std::uint64_t seed) {
  std::vector<float> f = random_floats(n, seed);
  std::vector<__half> host(n);
  for (std::size_t i = 0; i < n; ++i) host[i] = __float2half(f[i]);
  check_cuda(cudaMemcpy(dst.get(), host.data(), n * sizeof(__half), cudaMemcpyHostToDevice),
             "cudaMemcpy to device");
}

struct Options {
  std::vector<long> sizes{4096};
  bool hgemm_out_fp16 = true;
  long copy_mib = 1024;
  int reps = 50;
  int warmup = 5;
  bool json = false;
};

struct Figure {
  std::string name;
  std::string size;
  double median_ms = 0;
  double rate = 0;
  std::string unit;  // "TFLOP/s" or "GB/s"
};

// Median time of `reps` runs of `work` on `stream`, after `warmup` untimed ones.
template <class Work>
double median_ms(cudaStream_t stream, const Options& opt, Work work) {
  for (int i = 0; i < opt.warmup; ++i) work();
  check_cuda(cudaStreamSynchronize(stream), "warm-up");
  Event start, stop;
  std::vector<double> times;
  for (int i = 0; i < opt.reps; ++i) {
    check_cuda(cudaEventRecord(start.get(), stream), "cudaEventRecord");
    work();
    check_cuda(cudaEventRecord(stop.get(), stream), "cudaEventRecord");
    check_cuda(cudaEventSynchronize(stop.get()), "cudaEventSynchronize");
    float ms = 0;
    check_cuda(cudaEventElapsedTime(&ms, start.get(), stop.get()), "cudaEventElapsedTime");
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  std::size_t n = times.size();
  return n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
}

Figure sgemm(const Cublas& blas, cudaStream_t stream, const Options& opt, long n) {
  std::size_t elems = static_cast<std::size_t>(n) * n;
  DeviceBuffer a(elems * 4), b(elems * 4), c(elems * 4);
  upload_floats(a, elems, 1);
  upload_floats(b, elems, 2);
  const float alpha = 1.0f, beta = 0.0f;
  const int ni = static_cast<int>(n);
  double ms = median_ms(stream, opt, [&] {
    check_cublas(cublasSgemm(blas.get(), CUBLAS_OP_N, CUBLAS_OP_N, ni, ni, ni, &alpha,
                             static_cast<const float*>(a.get()), ni,
                             static_cast<const float*>(b.get()), ni, &beta,
                             static_cast<float*>(c.get()), ni),
                 "cublasSgemm");
  });
  double flops = 2.0 * n * n * n;
  std::string size = std::to_string(n) + "^3";
  return {"cublas_sgemm", size, ms, flops / (ms * 1e-3) / 1e12, "TFLOP/s"};
}

Figure hgemm(const Cublas& blas, cudaStream_t stream, const Options& opt, long n) {
  std::size_t elems = static_cast<std::size_t>(n) * n;
  DeviceBuffer a(elems * 2), b(elems * 2), c(elems * (opt.hgemm_out_fp16 ? 2 : 4));
  upload_halves(a, elems, 3);
  upload_halves(b, elems, 4);
  const float alpha = 1.0f, beta = 0.0f;
  const int ni = static_cast<int>(n);
  const cudaDataType_t c_type = opt.hgemm_out_fp16 ? CUDA_R_16F : CUDA_R_32F;
  double ms = median_ms(stream, opt, [&] {
    check_cublas(cublasGemmEx(blas.get(), CUBLAS_OP_N, CUBLAS_OP_N, ni, ni, ni, &alpha, a.get(),
                              CUDA_R_16F, ni, b.get(), CUDA_R_16F, ni, &beta, c.get(), c_type, ni,
                              CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                 "cublasGemmEx");
  });
  double flops = 2.0 * n * n * n;
  std::string name = opt.hgemm_out_fp16 ? "cublas_hgemm_f16out" : "cublas_hgemm_f32out";
  return {name, std::to_string(n) + "^3", ms, flops / (ms * 1e-3) / 1e12, "TFLOP/s"};
}

Figure copy_bandwidth(cudaStream_t stream, const Options& opt) {
  std::size_t bytes = static_cast<std::size_t>(opt.copy_mib) * 1024 * 1024;
  DeviceBuffer src(bytes), dst(bytes);
  upload_floats(src, bytes / 4, 5);
  double ms = median_ms(stream, opt, [&] {
    check_cuda(cudaMemcpyAsync(dst.get(), src.get(), bytes, cudaMemcpyDeviceToDevice, stream),
               "cudaMemcpyAsync");
  });
  // Bytes read plus bytes written, as the examples' [metrics] bytes count them.
  double moved = 2.0 * static_cast<double>(bytes);
  char size[64];
  std::snprintf(size, sizeof size, "%.3g GiB", static_cast<double>(bytes) / kGiB);
  return {"d2d_copy", size, ms, moved / (ms * 1e-3) / 1e9, "GB/s"};
}

std::vector<long> parse_sizes(std::string_view text) {
  std::vector<long> sizes;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    std::string item(text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos));
    char* end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0 || v > 65536) {
      throw std::invalid_argument("--sizes: '" + item +
                                  "' is not a size; give positive integers separated by commas, "
                                  "e.g. --sizes 2048,4096,8192");
    }
    sizes.push_back(v);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return sizes;
}

int parse_positive(std::string_view flag, const char* text) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (*end != '\0' || v <= 0 || v > 1000000) {
    throw std::invalid_argument(std::string(flag) + ": '" + text + "' is not a positive integer");
  }
  return static_cast<int>(v);
}

Options parse_options(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--sizes") {
      opt.sizes = parse_sizes(value());
    } else if (arg == "--hgemm-out") {
      std::string_view v = value();
      if (v != "fp16" && v != "fp32") {
        throw std::invalid_argument("--hgemm-out: '" + std::string(v) + "'; use fp16 or fp32");
      }
      opt.hgemm_out_fp16 = v == "fp16";
    } else if (arg == "--copy-mib") {
      opt.copy_mib = parse_positive(arg, value());
    } else if (arg == "--reps") {
      opt.reps = parse_positive(arg, value());
    } else if (arg == "--warmup") {
      opt.warmup = parse_positive(arg, value());
    } else if (arg == "--json") {
      opt.json = true;
    } else if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: bench_cuda_refs [--sizes N[,N...]] [--hgemm-out fp16|fp32] [--copy-mib M]\n"
          "                       [--reps R] [--warmup W] [--json]\n"
          "cuBLAS SGEMM and HGEMM (fp16 in, fp32 compute) at N^3 (default 4096), and the\n"
          "device-to-device copy bandwidth of M MiB (default 1024, read + written bytes).\n");
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument '" + std::string(arg) + "'; see --help");
    }
  }
  return opt;
}

void print_json(const cudaDeviceProp& prop, const Options& opt, const std::vector<Figure>& figs) {
  std::printf("{\n  \"device\": \"%s\",\n  \"compute_capability\": \"%d.%d\",\n", prop.name,
              prop.major, prop.minor);
  std::printf("  \"reps\": %d,\n  \"warmup\": %d,\n  \"figures\": [\n", opt.reps, opt.warmup);
  for (std::size_t i = 0; i < figs.size(); ++i) {
    const Figure& f = figs[i];
    std::printf("    {\"name\": \"%s\", \"size\": \"%s\", \"median_ms\": %.6f, \"rate\": %.4f, "
                "\"unit\": \"%s\"}%s\n",
                f.name.c_str(), f.size.c_str(), f.median_ms, f.rate, f.unit.c_str(),
                i + 1 < figs.size() ? "," : "");
  }
  std::printf("  ]\n}\n");
}

int run(int argc, char** argv) {
  Options opt = parse_options(argc, argv);
  int devices = 0;
  cudaError_t status = cudaGetDeviceCount(&devices);
  if (status != cudaSuccess || devices == 0) {
    std::printf("bench_cuda_refs: no CUDA device (%s): skipped\n",
                status != cudaSuccess ? cudaGetErrorString(status) : "none found");
    return 0;
  }
  int device = 0;
  check_cuda(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp prop{};
  check_cuda(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  if (!opt.json) {
    std::printf("device: %s (sm_%d%d, %d SMs), median of %d runs after %d warm-up\n", prop.name,
                prop.major, prop.minor, prop.multiProcessorCount, opt.reps, opt.warmup);
  }

  Stream stream;
  Cublas blas(stream.get());
  std::vector<Figure> figures;
  auto report = [&](Figure f) {
    if (!opt.json) {
      std::printf("%-22s %-10s %10.4f ms %10.2f %s\n", f.name.c_str(), f.size.c_str(),
                  f.median_ms, f.rate, f.unit.c_str());
      std::fflush(stdout);
    }
    figures.push_back(std::move(f));
  };
  report(copy_bandwidth(stream.get(), opt));
  for (long n : opt.sizes) report(sgemm(blas, stream.get(), opt, n));
  for (long n : opt.sizes) report(hgemm(blas, stream.get(), opt, n));
  if (opt.json) print_json(prop, opt, figures);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "bench_cuda_refs: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_cuda_refs: failed: %s\n", e.what());
    return 1;
  }
}
