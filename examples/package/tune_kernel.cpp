// Tunes a kernel through tuna's C++ API, as a program that tunes at install time or on first run
// would. Links tuna::tuna; the umbrella header brings the whole public API.
//
//   tune_kernel SPEC DB [MAX_EVALS]
//
// SPEC is a kernel's spec.toml (examples/host/rowsum/spec.toml), DB the store the results go to
// (read back later by tuna::Lookup, or by `tuna export`). The evaluator starts child processes
// of the tuna binary installed with the package; $TUNA_EXE overrides it.
#include <cstdio>
#include <exception>
#include <string>

#include <tuna/tuna.hpp>

namespace {

// One line per config measured.
class PrintResults : public tuna::TuneObserver {
 public:
  void on_result(const tuna::Result& r, const tuna::TuneProgress& p) override {
    std::printf("  [%zu] %s %s", p.considered, tuna::status_name(r.status), r.key.c_str());
    if (r.ok()) std::printf(" %.4f ms", r.median_ms);
    std::printf("\n");
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SPEC DB [MAX_EVALS]\n", argv[0]);
    return 2;
  }
  try {
    const tuna::KernelSpec spec = tuna::load_spec(argv[1]);
    tuna::Store store(argv[2]);

    tuna::TuneOptions options;
    options.strategy.name = "random";
    options.strategy.seed = 1;
    options.max_evals = argc > 3 ? std::stoul(argv[3]) : 8;
    options.finalists = 3;
    options.shootout_rounds = 2;
    options.evaluator.timing.budget_ms = 20;  // a quick look, not a careful measurement
    // options.evaluator.exe left empty: the installed tuna binary.

    PrintResults observer;
    const tuna::TuneSummary s = tuna::tune(spec, options, store, observer);
    std::printf("kernel: %s\ndevice: %s\nstrategy: %s\nmeasured: %zu\nstop: %s\n",
                s.kernel_name.c_str(), s.device.id.c_str(), s.strategy.c_str(),
                s.progress.measured, s.stop_reason.c_str());
    if (s.default_result && s.default_result->ok()) {
      std::printf("default: %s %.4f ms\n", s.default_result->key.c_str(),
                  s.default_result->median_ms);
    }
    if (!s.best) {
      std::fprintf(stderr, "tune_kernel: no config passed the check\n");
      return 1;
    }
    std::printf("best: %s %.4f ms\n", s.best->key.c_str(), s.best->median_ms);
    return 0;
  } catch (const tuna::UserError& e) {
    std::fprintf(stderr, "tune_kernel: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tune_kernel: %s\n", e.what());
    return 1;
  }
}
