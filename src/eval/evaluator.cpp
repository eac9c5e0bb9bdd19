#include "tuna/evaluator.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/epoch_seconds.hpp"
#include "base/paths.hpp"
#include "base/usable_cores.hpp"
#include "eval/batch.hpp"
#include "eval/compile_pool.hpp"
#include "eval/device_selection.hpp"
#include "eval/device_worker.hpp"
#include "base/one_line.hpp"
#include "eval/peer.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

// Runs `body` once per item on its own thread and rethrows the first exception once all ended.
template <typename Item, typename Body>
void on_threads(std::vector<Item>& items, Body body) {
  std::vector<std::exception_ptr> errors(items.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < items.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          body(items[i]);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
    }
  }
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

// Devices of several models: say which selector found which model, and what to do.
[[noreturn]] void refuse_mixed(const std::vector<std::unique_ptr<eval::DeviceWorker>>& workers) {
  std::map<std::string, std::vector<std::string>> by_model;
  std::vector<std::string> order;
  for (const auto& w : workers) {
    if (!by_model.contains(w->device().id)) order.push_back(w->device().id);
    by_model[w->device().id].push_back(w->selector());
  }
  std::string list;
  std::vector<std::vector<std::string>> models;
  for (const std::string& id : order) {
    std::vector<std::string> labels;
    for (const auto& w : workers) {
      if (w->device().id == id) labels.push_back(w->label());
    }
    list += fmt::format("\n  {}: {}", fmt::join(labels, ", "), id);
    models.push_back(by_model[id]);
  }
  throw MixedDevicesError(
      fmt::format("the devices asked for are of {} different models, whose timings do not "
                  "compare:{}\nChoose devices of one model with --devices, or pass "
                  "--mixed-devices to tune for each model separately.",
                  order.size(), list),
      std::move(models));
}

}  // namespace

struct Evaluator::Impl {
  KernelSpec spec;
  EvaluatorOptions options;
  eval::EnvList pool_env;  // the environment of compile children (a pinned platform, say)
  std::vector<std::unique_ptr<eval::DeviceWorker>> workers;
  Space space;
  eval::DeviceWorkerSetup setup;
  std::mutex reference_mutex;
  std::optional<Artifact> reference_artifact;
  std::optional<std::string> reference_error;
  std::mutex stats_mutex;
  EvaluatorStats stats;

  Impl(const KernelSpec& s, EvaluatorOptions o) : spec(s), options(std::move(o)) {
    if (options.exe.empty()) options.exe = default_tuna_exe();
    if (options.cache_dir.empty()) options.cache_dir = default_cache_dir();
    if (options.compile_jobs <= 0) {
      options.compile_jobs = static_cast<int>(usable_cores());
    }
    pool_env = options.child_env;
    start_workers(resolve_selectors());
    space = spec.make_space(workers.front()->device());
    check_peers();
    setup.spec = &spec;
    setup.spec_toml = spec_to_toml(spec);
    setup.seed = options.seed;
    setup.run_timeout_s = options.run_timeout_s;
    setup.reference_key = space.key(space.default_config());
    setup.reference = [this] { return reference(); };
  }

  std::unique_ptr<eval::DeviceWorker> make_worker(const std::string& selector, std::size_t n) {
    eval::WorkerOptions w{options.exe, spec.backend,
                          options.cache_dir / "logs" / log_name(selector, n),
                          eval::selector_env(spec.backend, selector, pool_env)};
    return std::make_unique<eval::DeviceWorker>(std::move(w), selector, &spec);
  }

  // Unique across the runs of one process (one per device model runs at once): named after the
  // selector, which no two runs share.
  static std::string log_name(const std::string& selector, std::size_t n) {
    std::string safe;
    for (char c : selector) safe += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (safe.empty()) safe = fmt::format("default{}", n);
    return fmt::format("worker-{}-{}.log", ::getpid(), safe);
  }

  // "all" needs the backend's count of devices, which only a started worker can tell.
  // The worker started to learn what "all" stands for becomes the worker of its own device.
  std::unique_ptr<eval::DeviceWorker> probe;

  std::vector<std::string> resolve_selectors() {
    eval::DeviceRequest request = eval::parse_device_request(options.devices);
    if (!request.all) {
      return request.selectors.empty() ? std::vector<std::string>{""} : request.selectors;
    }
    probe = make_worker("", 0);
    DeviceInfo first = probe->start();
    return eval::expand_all(first, pool_env);
  }

  void start_workers(const std::vector<std::string>& selectors) {
    std::vector<eval::DeviceWorker*> to_start;
    for (std::size_t i = 0; i < selectors.size(); ++i) {
      if (probe && eval::device_label(probe->device(), selectors[i]) == probe->label()) {
        probe->name_selector(selectors[i]);
        workers.push_back(std::move(probe));
        continue;
      }
      workers.push_back(make_worker(selectors[i], i));
      to_start.push_back(workers.back().get());
    }
    probe.reset();
    on_threads(to_start, [](eval::DeviceWorker* w) { w->start(); });
    for (const auto& w : workers) {
      if (w->device().id != workers.front()->device().id) refuse_mixed(workers);
    }
  }

  void check_peers() const {
    const DeviceInfo& mine = workers.front()->device();
    for (const auto& peer : options.peers) {
      for (const DeviceInfo& theirs : peer->devices()) {
        if (theirs.id != mine.id)
          throw UserError(fmt::format(
              "{} measures on '{}', but this run's devices are '{}': timings of different "
              "models do not compare. Start the ranks on hosts with the same devices, or choose "
              "devices of one model with --devices on every rank.",
              peer->name(), theirs.id, mine.id));
      }
    }
  }

  bool overlapping() const {
    switch (options.overlap) {
      case EvaluatorOptions::Overlap::On: return true;
      case EvaluatorOptions::Overlap::Off: return false;
      case EvaluatorOptions::Overlap::Auto: break;
    }
    return spec.backend != "host";
  }

  eval::CompilePoolOptions pool_options() const {
    eval::CompilePoolOptions p;
    p.exe = options.exe;
    p.backend = spec.backend;
    p.spec_toml = setup.spec_toml;
    p.spec_origin = spec.spec_path.string();
    p.device = workers.front()->device();
    p.cache_dir = options.cache_dir;
    p.jobs = options.compile_jobs;
    p.nice = options.compile_nice;
    p.timeout_s = options.compile_timeout_s;
    p.env = pool_env;
    return p;
  }

  // The reference is compiled once, by whichever device needs it first.
  Artifact reference() {
    // Expected outputs are read from files by each worker (DeviceWorker::make_reference).
    TUNA_ASSERT(spec.check.reference != Reference::Expected, "no reference config to compile");
    std::lock_guard lock(reference_mutex);
    if (reference_artifact) return *reference_artifact;
    // A reference that does not compile is compiled once: every device that needs it (each
    // prepares ahead) gets the same error, without another compile (or compile timeout).
    if (reference_error) throw UserError(*reference_error);
    // At tuna's own priority: every device waits for the reference before its first run, while
    // the configs' compiles beside it are niced.
    eval::CompilePoolOptions pool = pool_options();
    pool.nice = 0;
    CompileOutcome outcome = eval::compile_all({{setup.reference_key}}, pool).at(0);
    if (!outcome.ok) {
      reference_error = fmt::format("the default config ({}) does not compile: {}. It is the "
                                    "reference for correctness: fix the kernel or the default.",
                                    setup.reference_key, outcome.message);
      throw UserError(*reference_error);
    }
    reference_artifact = outcome.artifact;
    if (spec.check.reference == Reference::Kernel) reference_artifact->symbol = "tuna_reference";
    return *reference_artifact;
  }

  Result compile_failure(const Config& config, const CompileOutcome& outcome,
                         double started) const {
    Status status = outcome.error_class == "timeout" ? Status::Timeout : Status::CompileError;
    Result r = eval::new_result(space, config, status, outcome.error_class, outcome.message);
    r.started_at = started;
    r.compile_ms = outcome.compile_ms;
    return r;
  }

  Result run_on(eval::DeviceWorker& worker, const Config& config, const CompileOutcome& compiled,
                const eval::BatchSettings& settings) {
    double started = epoch_seconds();
    Result base = eval::new_result(space, config, Status::Ok, "", "");
    Result r = worker.run(std::move(base), compiled, settings.check, settings.timing, setup);
    double busy = epoch_seconds() - started;
    std::map<std::string, double> phases = worker.take_phase_seconds();
    std::lock_guard lock(stats_mutex);
    stats.run_s += busy;
    stats.busy_s_on[worker.label()] += busy;
    for (const auto& [phase, seconds] : phases) stats.worker_phase_s[phase] += seconds;
    ++stats.ran;
    return r;
  }

  void count_compile(double wall_s, std::size_t n) {
    std::lock_guard lock(stats_mutex);
    stats.compile_wall_s += wall_s;
    stats.compiled += n;
  }

  void run_local(const JobSource& take, const std::vector<eval::DeviceWorker*>& devices,
                 const eval::BatchSettings& settings, const JobDone& emit);
  void compile_while_running(const JobSource& take, const std::vector<eval::DeviceWorker*>& devices,
                             const eval::BatchSettings& settings, const JobDone& emit);
  void compile_then_run(const JobSource& take, const std::vector<eval::DeviceWorker*>& devices,
                        const eval::BatchSettings& settings, const JobDone& emit);
  std::vector<Result> measure(const std::vector<Config>& configs, const ResultSink& sink,
                              const BatchRefill& refill, const eval::BatchSettings& settings,
                              bool first_device_only);
};

void Evaluator::Impl::run_local(const JobSource& take,
                                const std::vector<eval::DeviceWorker*>& devices,
                                const eval::BatchSettings& settings, const JobDone& emit) {
  if (overlapping()) {
    compile_while_running(take, devices, settings, emit);
  } else {
    compile_then_run(take, devices, settings, emit);
  }
}

// Runs each config as soon as it is compiled, on whichever device is free, while the pool
// compiles the rest. The pool takes a new config only while fewer than (compile jobs + devices)
// are compiling or waiting for a device, so this host never hoards configs a peer could run.
void Evaluator::Impl::compile_while_running(const JobSource& take,
                                            const std::vector<eval::DeviceWorker*>& devices,
                                            const eval::BatchSettings& settings,
                                            const JobDone& emit) {
  struct Compiled {
    EvaluationJob job;
    CompileOutcome outcome;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Compiled> ready;
  std::map<std::size_t, std::pair<EvaluationJob, double>> compiling;  // by index, with start time
  bool compile_done = false, failed = false;
  std::size_t compiled_count = 0;
  const std::size_t capacity = static_cast<std::size_t>(options.compile_jobs) + devices.size();

  eval::NextCompileJob next = [&]() -> std::optional<std::pair<std::size_t, eval::CompileJob>> {
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return failed || compiling.size() + ready.size() < capacity; });
      if (failed) return std::nullopt;
    }
    std::optional<EvaluationJob> job = take();
    if (!job) return std::nullopt;
    std::lock_guard lock(mutex);
    std::string key = space.key(job->config);
    std::size_t index = job->index;
    compiling.emplace(index, std::pair{std::move(*job), epoch_seconds()});
    return std::pair{index, eval::CompileJob{std::move(key)}};
  };
  auto compiled = [&](std::size_t index, CompileOutcome outcome) {
    std::unique_lock lock(mutex);
    ++compiled_count;
    auto node = compiling.extract(index);
    auto& [job, started] = node.mapped();
    if (!outcome.ok) {
      lock.unlock();
      emit(job.index, compile_failure(job.config, outcome, started));
      lock.lock();
    } else {
      ready.push_back({std::move(job), std::move(outcome)});
    }
    changed.notify_all();
  };
  std::exception_ptr error;
  auto fail = [&](std::exception_ptr e) {
    std::lock_guard lock(mutex);
    if (!error) error = e;
    failed = true;
    changed.notify_all();
  };
  {
    std::jthread compiler([&] {
      double started = epoch_seconds();
      try {
        eval::CompilePoolOptions pool = pool_options();
        pool.timeout_s = settings.compile_timeout_s;
        eval::compile_stream(next, pool, compiled);
      } catch (...) {
        fail(std::current_exception());
      }
      std::lock_guard lock(mutex);
      count_compile(epoch_seconds() - started, compiled_count);
      compile_done = true;
      changed.notify_all();
    });
    std::vector<std::jthread> threads;
    for (eval::DeviceWorker* device : devices) {
      threads.emplace_back([&, device] {
        try {
          device->prepare_ahead(setup);  // while the first configs compile
          while (true) {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return failed || !ready.empty() || compile_done; });
            if (failed || ready.empty()) return;
            Compiled next_run = std::move(ready.front());
            ready.pop_front();
            changed.notify_all();
            lock.unlock();
            emit(next_run.job.index, run_on(*device, next_run.job.config, next_run.outcome, settings));
          }
        } catch (...) {
          fail(std::current_exception());
        }
      });
    }
  }
  if (error) std::rethrow_exception(error);
}

// Compiles a round of configs before running any of it: on the host, compiling next to a
// running kernel would disturb its timing. A round is as many configs as there are compile jobs.
void Evaluator::Impl::compile_then_run(const JobSource& take,
                                       const std::vector<eval::DeviceWorker*>& devices,
                                       const eval::BatchSettings& settings, const JobDone& emit) {
  eval::CompilePoolOptions pool = pool_options();
  pool.timeout_s = settings.compile_timeout_s;
  bool more = true;
  while (more) {
    std::vector<EvaluationJob> round;
    while (round.size() < static_cast<std::size_t>(options.compile_jobs)) {
      std::optional<EvaluationJob> job = take();
      if (!job) {
        more = false;
        break;
      }
      round.push_back(std::move(*job));
    }
    if (round.empty()) return;
    std::vector<eval::CompileJob> jobs;
    for (const EvaluationJob& job : round) jobs.push_back({space.key(job.config)});
    double started = epoch_seconds();
    std::vector<CompileOutcome> outcomes = eval::compile_all(jobs, pool);
    count_compile(epoch_seconds() - started, jobs.size());
    std::vector<std::size_t> to_run;
    for (std::size_t j = 0; j < round.size(); ++j) {
      if (outcomes[j].ok) {
        to_run.push_back(j);
      } else {
        emit(round[j].index, compile_failure(round[j].config, outcomes[j], started));
      }
    }
    std::atomic<std::size_t> next{0};
    std::vector<eval::DeviceWorker*> runners = devices;
    on_threads(runners, [&](eval::DeviceWorker* device) {
      for (std::size_t k = next++; k < to_run.size(); k = next++) {
        std::size_t j = to_run[k];
        emit(round[j].index, run_on(*device, round[j].config, outcomes[j], settings));
      }
    });
  }
}

std::vector<Result> Evaluator::Impl::measure(const std::vector<Config>& configs,
                                             const ResultSink& sink, const BatchRefill& refill,
                                             const eval::BatchSettings& settings,
                                             bool first_device_only) {
  double entered = epoch_seconds();
  eval::Batch batch(space, sink, refill, options.stop_requested);
  batch.add(configs);
  JobSource take = [&] { return batch.take(); };
  JobDone emit = [&](std::size_t i, const Result& r) {
    batch.done(i, r);
    std::lock_guard lock(stats_mutex);
    if (!r.device.empty()) ++stats.ran_on[r.device];
  };
  std::vector<eval::DeviceWorker*> devices;
  for (auto& w : workers) devices.push_back(w.get());
  if (first_device_only) devices.resize(1);
  // This host's devices are one participant; each peer is another, on its own thread.
  std::vector<std::function<void()>> participants;
  participants.push_back([&] { run_local(take, devices, settings, emit); });
  if (!first_device_only) {
    for (const auto& peer : options.peers) {
      participants.push_back([&, peer] { peer->evaluate(take, settings, emit); });
    }
  }
  on_threads(participants, [&](const std::function<void()>& participant) {
    try {
      participant();
    } catch (...) {
      batch.stop();
      throw;
    }
  });
  std::vector<Result> out = batch.results();
  std::lock_guard lock(stats_mutex);
  stats.evaluate_wall_s += epoch_seconds() - entered;
  return out;
}

Evaluator::Evaluator(const KernelSpec& spec, EvaluatorOptions options)
    : impl_(std::make_unique<Impl>(spec, std::move(options))) {}
Evaluator::~Evaluator() = default;

const DeviceInfo& Evaluator::device() const { return impl_->workers.front()->device(); }
std::vector<DeviceInfo> Evaluator::devices() const {
  std::vector<DeviceInfo> out;
  for (const auto& w : impl_->workers) out.push_back(w->device());
  return out;
}
std::vector<std::string> Evaluator::device_labels() const {
  std::vector<std::string> out;
  for (const auto& w : impl_->workers) out.push_back(w->label());
  return out;
}
std::size_t Evaluator::parallelism() const {
  std::size_t n = static_cast<std::size_t>(impl_->options.compile_jobs) + impl_->workers.size();
  for (const auto& peer : impl_->options.peers) n += peer->capacity();
  return n;
}
const Space& Evaluator::space() const { return impl_->space; }
const EvaluatorOptions& Evaluator::options() const { return impl_->options; }
const EvaluatorStats& Evaluator::stats() const { return impl_->stats; }
void Evaluator::set_compile_timeout_s(double seconds) {
  TUNA_ASSERT(seconds > 0, "compile timeout must be positive");
  impl_->options.compile_timeout_s = seconds;
}

std::vector<Result> Evaluator::evaluate(const std::vector<Config>& configs,
                                        const ResultSink& sink, const BatchRefill& refill) {
  eval::BatchSettings settings{true, impl_->options.timing, impl_->options.compile_timeout_s};
  return impl_->measure(configs, sink, refill, settings, /*first_device_only=*/false);
}

std::vector<Result> Evaluator::retime(const std::vector<Config>& configs,
                                      const TimingOptions& timing) {
  eval::BatchSettings settings{false, timing, impl_->options.compile_timeout_s};
  return impl_->measure(configs, {}, {}, settings, /*first_device_only=*/true);
}

void Evaluator::evaluate_stream(const JobSource& next, const TimingOptions& timing,
                                const JobDone& done) {
  std::mutex done_mutex;
  JobDone serialised = [&](std::size_t i, const Result& r) {
    std::lock_guard lock(done_mutex);
    done(i, r);
  };
  // An invalid config is answered at once; the pool only ever sees valid ones.
  JobSource valid_only = [&]() -> std::optional<EvaluationJob> {
    while (std::optional<EvaluationJob> job = next()) {
      if (impl_->space.is_valid(job->config)) return job;
      serialised(job->index, eval::invalid_result(impl_->space, job->config));
    }
    return std::nullopt;
  };
  std::vector<eval::DeviceWorker*> devices;
  for (auto& w : impl_->workers) devices.push_back(w.get());
  eval::BatchSettings settings{true, timing, impl_->options.compile_timeout_s};
  impl_->run_local(valid_only, devices, settings, serialised);
}

}  // namespace tuna
