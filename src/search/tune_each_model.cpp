// tune_each_model (tuna/driver.hpp): devices of several models, when allowed, get one run each,
// at once.
#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/usable_cores.hpp"
#include "tuna/driver.hpp"

namespace tuna {

namespace {

// Several runs report to one observer from their own threads.
class SerialisedObserver final : public TuneObserver {
 public:
  explicit SerialisedObserver(TuneObserver& inner) : inner_(inner) {}
  void on_start(const KernelSpec& spec, const DeviceInfo& device, const Space& space,
                const TuneOptions& options, std::size_t stored) override {
    std::lock_guard lock(mutex_);
    inner_.on_start(spec, device, space, options, stored);
  }
  void on_result(const Result& r, const TuneProgress& p) override {
    std::lock_guard lock(mutex_);
    inner_.on_result(r, p);
  }
  void on_phase(const std::string& line) override {
    std::lock_guard lock(mutex_);
    inner_.on_phase(line);
  }

 private:
  TuneObserver& inner_;
  std::mutex mutex_;
};

// One run per device model, at once, each with its own evaluator, store connection (SQLite
// takes one writer at a time; each Store waits its turn) and share of the compile cores.
std::vector<TuneSummary> tune_models_at_once(const KernelSpec& spec, const TuneOptions& options,
                                             const std::filesystem::path& store_path,
                                             TuneObserver& observer,
                                             const std::vector<std::vector<std::string>>& models) {
  SerialisedObserver serialised(observer);
  int cores = static_cast<int>(usable_cores());
  std::vector<TuneSummary> summaries(models.size());
  std::vector<std::exception_ptr> errors(models.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t m = 0; m < models.size(); ++m) {
      threads.emplace_back([&, m] {
        try {
          TuneOptions own = options;
          own.evaluator.devices = fmt::format("{}", fmt::join(models[m], ","));
          own.evaluator.allow_mixed_devices = false;
          if (own.evaluator.compile_jobs <= 0) {
            own.evaluator.compile_jobs = std::max(1, cores / static_cast<int>(models.size()));
          }
          Store store(store_path);
          summaries[m] = tune(spec, own, store, serialised);
        } catch (...) {
          errors[m] = std::current_exception();
        }
      });
    }
  }
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return summaries;
}

}  // namespace

std::vector<TuneSummary> tune_each_model(const KernelSpec& spec, const TuneOptions& options,
                                         Store& store, TuneObserver& observer) {
  try {
    return {tune(spec, options, store, observer)};
  } catch (const MixedDevicesError& mixed) {
    if (!options.evaluator.allow_mixed_devices) throw;
    observer.on_phase(fmt::format("devices of {} models: one search per model, at once",
                                  mixed.models.size()));
    return tune_models_at_once(spec, options, store.path(), observer, mixed.models);
  }
}

}  // namespace tuna
