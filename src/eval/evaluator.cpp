#include "tuna/evaluator.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "eval/bench_worker.hpp"
#include "eval/codec.hpp"
#include "eval/compile_pool.hpp"
#include "eval/one_line.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

milliseconds to_ms(double seconds) { return milliseconds(static_cast<long long>(seconds * 1000)); }

Result make_result(const Space& space, const Config& config, Status status,
                   std::string error_class, std::string message) {
  Result r;
  r.config = config;
  r.key = space.key(config);
  r.status = status;
  r.error_class = std::move(error_class);
  r.message = eval::one_line(message);
  r.started_at = r.finished_at = now_seconds();
  return r;
}

std::string describe_invalid(const Space& space, const Config& config) {
  for (std::size_t p : space.out_of_range(config)) {
    const Parameter& param = space.params()[p];
    return fmt::format("{}={} is not one of the allowed values of {}", param.name,
                       config[p].to_string(), param.name);
  }
  for (std::size_t c : space.violations(config)) {
    const Constraint& constraint = space.constraints()[c];
    return fmt::format("violates constraint '{}' ({})", constraint.expr.text(), constraint.origin);
  }
  return "invalid";
}

}  // namespace

struct Evaluator::Impl {
  KernelSpec spec;
  EvaluatorOptions options;
  std::string spec_toml;
  eval::BenchWorker worker;
  DeviceInfo device;
  Space space;
  bool worker_prepared = false;
  std::optional<Artifact> reference_artifact;
  std::string reference_key;
  EvaluatorStats stats;

  Impl(const KernelSpec& s, EvaluatorOptions o)
      : spec(s),
        options(std::move(o)),
        spec_toml(spec_to_toml(spec)),
        worker({options.exe, spec.backend,
                options.cache_dir / "logs" / fmt::format("worker-{}.log", ::getpid()),
                options.child_env}) {
    if (options.compile_jobs <= 0) {
      options.compile_jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    device = worker.start(milliseconds(60000));
    space = spec.make_space(device);
  }

  bool checking() const { return spec.check.reference != Reference::None; }

  eval::CompilePoolOptions pool_options() const {
    eval::CompilePoolOptions p;
    p.exe = options.exe;
    p.backend = spec.backend;
    p.spec_toml = spec_toml;
    p.spec_origin = spec.spec_path.string();
    p.device = device;
    p.cache_dir = options.cache_dir;
    p.jobs = options.compile_jobs;
    p.timeout_s = options.compile_timeout_s;
    p.env = options.child_env;
    return p;
  }

  // Prepares a fresh worker: buffers, then the reference outputs.
  void ensure_worker() {
    if (worker.running() && worker_prepared) return;
    worker_prepared = false;
    if (!worker.running()) worker.start(milliseconds(60000));
    json prepare = {{"cmd", "prepare"},
                    {"spec_toml", spec_toml},
                    {"origin", spec.spec_path.string()},
                    {"seed", options.seed}};
    eval::WorkerReply reply = worker.call(prepare, to_ms(options.run_timeout_s + 60));
    expect_ok(reply, "preparing the kernel's arguments");
    if (checking()) make_reference();
    worker_prepared = true;
  }

  void make_reference() {
    if (!reference_artifact) compile_reference();
    json request = {{"cmd", "reference"},
                    {"artifact", codec::to_json(*reference_artifact)},
                    {"config_key", reference_key}};
    eval::WorkerReply reply = worker.call(request, to_ms(options.run_timeout_s));
    std::string what = spec.check.reference == Reference::Kernel
                           ? "the reference kernel '" + spec.check.reference_entry + "'"
                           : "the default config (the reference for correctness)";
    if (reply.kind != eval::WorkerReply::Kind::Reply) {
      throw UserError(fmt::format("{} failed: {}. Nothing can be checked without a reference: "
                                  "fix it, or set [check] reference = \"none\".",
                                  what, reply.detail));
    }
    expect_ok(reply, "running " + what);
  }

  void compile_reference() {
    Config config = space.default_config();
    reference_key = space.key(config);
    CompileOutcome outcome = eval::compile_all({{reference_key}}, pool_options()).at(0);
    if (!outcome.ok) {
      throw UserError(fmt::format("the default config ({}) does not compile: {}. It is the "
                                  "reference for correctness: fix the kernel or the default.",
                                  reference_key, outcome.message));
    }
    reference_artifact = outcome.artifact;
    if (spec.check.reference == Reference::Kernel) reference_artifact->symbol = "tuna_reference";
  }

  // A reply that is not {ok: true} while setting up is fatal: a user error or a bug.
  void expect_ok(const eval::WorkerReply& reply, const std::string& doing) {
    if (reply.kind != eval::WorkerReply::Kind::Reply) {
      throw UserError(fmt::format("the bench worker failed while {}: {}", doing, reply.detail));
    }
    if (reply.message.value("ok", false)) return;
    std::string error = reply.message.value("error", reply.message.value("message", std::string()));
    if (reply.message.value("user_error", true)) {
      throw UserError(fmt::format("while {}: {}", doing, error));
    }
    throw InternalError(fmt::format("bench worker, while {}: {}", doing, error));
  }

  Result run_one(const Config& config, const CompileOutcome& compiled, bool check,
                 const TimingOptions& timing) {
    Result result = make_result(space, config, Status::Ok, "", "");
    result.compile_ms = compiled.cached ? 0 : compiled.compile_ms;
    result.resources = compiled.artifact.resources;
    ensure_worker();
    json request = {{"cmd", "run"},
                    {"artifact", codec::to_json(compiled.artifact)},
                    {"config_key", result.key},
                    {"timing", codec::to_json(timing)},
                    {"check", check && checking()}};
    eval::WorkerReply reply = worker.call(request, to_ms(options.run_timeout_s));
    result.finished_at = now_seconds();
    switch (reply.kind) {
      case eval::WorkerReply::Kind::TimedOut:
        result.status = Status::Timeout;
        result.error_class = "timeout";
        result.message = fmt::format("did not finish within {:g} s; the bench worker was killed",
                                     options.run_timeout_s);
        return result;
      case eval::WorkerReply::Kind::Died:
        result.status = Status::RuntimeError;
        result.error_class = reply.error_class;
        result.message = eval::one_line(reply.detail);
        return result;
      case eval::WorkerReply::Kind::Reply:
        break;
    }
    // The config broke the device context and the worker is exiting (worker_protocol.hpp):
    // reap it now so the next config starts in a fresh one.
    if (reply.message.value("fatal", false)) worker.stop();
    return fill_from_reply(std::move(result), reply.message);
  }

  static Result fill_from_reply(Result result, const json& reply) {
    if (!reply.contains("status")) {
      if (!reply.value("user_error", false)) {
        throw InternalError("bench worker: " + reply.value("error", reply.dump()));
      }
      result.status = Status::RuntimeError;
      result.error_class = "runtime_error";
      result.message = eval::one_line(reply.value("error", std::string()));
      return result;
    }
    result.status = *status_from_name(reply.at("status").get<std::string>());
    result.error_class = reply.at("error_class").get<std::string>();
    result.message = eval::one_line(reply.at("message").get<std::string>());
    result.times_ms = reply.at("times_ms").get<std::vector<double>>();
    // JSON has no infinity: an error of inf (a NaN where a number was expected) arrives as null.
    const json& error = reply.at("max_abs_error");
    result.max_abs_error = error.is_number() ? error.get<double>() : INFINITY;
    for (auto& [name, value] : reply.at("resources").items()) result.resources[name] = value;
    if (result.ok()) result.median_ms = median_of(result.times_ms);
    return result;
  }

  bool overlapping() const {
    switch (options.overlap) {
      case EvaluatorOptions::Overlap::On: return true;
      case EvaluatorOptions::Overlap::Off: return false;
      case EvaluatorOptions::Overlap::Auto: break;
    }
    return spec.backend != "host";
  }

  Result compile_failure(const Config& config, const CompileOutcome& outcome,
                         double started) const {
    Status status = outcome.error_class == "timeout" ? Status::Timeout : Status::CompileError;
    Result r = make_result(space, config, status, outcome.error_class, outcome.message);
    r.started_at = started;
    r.compile_ms = outcome.compile_ms;
    return r;
  }

  // Runs a compiled config, or records its compile failure.
  Result finish_one(const Config& config, const CompileOutcome& outcome, bool check,
                    const TimingOptions& timing, double compile_started) {
    if (!outcome.ok) return compile_failure(config, outcome, compile_started);
    double run_started = now_seconds();
    Result r = run_one(config, outcome, check, timing);
    stats.run_s += now_seconds() - run_started;
    ++stats.ran;
    return r;
  }

  // Compiles the whole batch before running any of it: on the host, compiling next to a
  // running kernel would disturb its timing.
  void compile_then_run(const std::vector<Config>& configs, const std::vector<std::size_t>& valid,
                        const std::vector<eval::CompileJob>& jobs, bool check,
                        const TimingOptions& timing,
                        const std::function<void(std::size_t, Result)>& emit) {
    double compile_started = now_seconds();
    std::vector<CompileOutcome> compiled = eval::compile_all(jobs, pool_options());
    stats.compile_wall_s += now_seconds() - compile_started;
    stats.compiled += jobs.size();
    for (std::size_t j = 0; j < valid.size(); ++j) {
      if (!compiled[j].ok) emit(valid[j], compile_failure(configs[valid[j]], compiled[j],
                                                         compile_started));
    }
    for (std::size_t j = 0; j < valid.size(); ++j) {
      if (compiled[j].ok) {
        emit(valid[j], finish_one(configs[valid[j]], compiled[j], check, timing, compile_started));
      }
    }
  }

  // Runs each config as soon as its compile ends, while the pool compiles the rest, so the
  // device is rarely idle. Outcomes arrive from the pool's threads through a queue; runs stay on
  // this thread (the bench worker is not shared).
  void compile_while_running(const std::vector<Config>& configs,
                             const std::vector<std::size_t>& valid,
                             const std::vector<eval::CompileJob>& jobs, bool check,
                             const TimingOptions& timing,
                             const std::function<void(std::size_t, Result)>& emit) {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::pair<std::size_t, CompileOutcome>> queue;
    bool compiling = true;
    std::exception_ptr compile_error;
    double compile_started = now_seconds();
    std::jthread compiler([&] {
      try {
        eval::compile_each(jobs, pool_options(), [&](std::size_t j, CompileOutcome outcome) {
          std::lock_guard lock(mutex);
          queue.emplace_back(j, std::move(outcome));
          ready.notify_one();
        });
      } catch (...) {
        compile_error = std::current_exception();
      }
      std::lock_guard lock(mutex);
      compiling = false;
      stats.compile_wall_s += now_seconds() - compile_started;
      ready.notify_one();
    });
    stats.compiled += jobs.size();
    while (true) {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return !queue.empty() || !compiling; });
      if (queue.empty()) break;
      auto [j, outcome] = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      emit(valid[j], finish_one(configs[valid[j]], outcome, check, timing, compile_started));
    }
    compiler.join();
    if (compile_error) std::rethrow_exception(compile_error);
  }

  std::vector<Result> measure(const std::vector<Config>& configs, const ResultSink& sink,
                              bool check, const TimingOptions& timing) {
    double entered = now_seconds();
    std::vector<std::optional<Result>> results(configs.size());
    auto emit = [&](std::size_t i, Result r) {
      if (sink) sink(r);
      results[i] = std::move(r);
    };
    std::vector<std::size_t> valid;
    std::vector<eval::CompileJob> jobs;
    for (std::size_t i = 0; i < configs.size(); ++i) {
      if (space.is_valid(configs[i])) {
        valid.push_back(i);
        jobs.push_back({space.key(configs[i])});
      } else {
        std::string why = describe_invalid(space, configs[i]);
        emit(i, make_result(space, configs[i], Status::Invalid, "constraint", why));
      }
    }
    if (overlapping()) {
      compile_while_running(configs, valid, jobs, check, timing, emit);
    } else {
      compile_then_run(configs, valid, jobs, check, timing, emit);
    }
    std::vector<Result> out;
    out.reserve(results.size());
    for (auto& r : results) out.push_back(std::move(*r));
    stats.evaluate_wall_s += now_seconds() - entered;
    return out;
  }
};

Evaluator::Evaluator(const KernelSpec& spec, EvaluatorOptions options)
    : impl_(std::make_unique<Impl>(spec, std::move(options))) {}
Evaluator::~Evaluator() = default;

const DeviceInfo& Evaluator::device() const { return impl_->device; }
const Space& Evaluator::space() const { return impl_->space; }
const EvaluatorOptions& Evaluator::options() const { return impl_->options; }
const EvaluatorStats& Evaluator::stats() const { return impl_->stats; }
void Evaluator::set_compile_timeout_s(double seconds) {
  TUNA_ASSERT(seconds > 0, "compile timeout must be positive");
  impl_->options.compile_timeout_s = seconds;
}

std::vector<Result> Evaluator::evaluate(const std::vector<Config>& configs,
                                        const ResultSink& sink) {
  return impl_->measure(configs, sink, /*check=*/true, impl_->options.timing);
}

std::vector<Result> Evaluator::retime(const std::vector<Config>& configs,
                                      const TimingOptions& timing) {
  return impl_->measure(configs, {}, /*check=*/false, timing);
}

std::filesystem::path default_tuna_exe() {
  if (const char* env = std::getenv("TUNA_EXE"); env && *env) return env;
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (self.filename() == "tuna") return self;
    for (auto dir : {self.parent_path(), self.parent_path().parent_path()}) {
      if (std::filesystem::exists(dir / "tuna")) return dir / "tuna";
    }
  }
  throw UserError("cannot find the tuna binary to start child processes; set TUNA_EXE to its path");
}

std::filesystem::path default_cache_dir() {
  if (const char* env = std::getenv("TUNA_CACHE_DIR"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "tuna";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : "/tmp") / ".cache" / "tuna";
}

}  // namespace tuna
