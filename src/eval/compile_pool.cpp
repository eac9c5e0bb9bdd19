#include "eval/compile_pool.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "core/codec.hpp"
#include "base/process.hpp"
#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace tuna::eval {
namespace {

using nlohmann::json;

CompileOutcome failed(std::string error_class, std::string message, std::string log = {}) {
  CompileOutcome c;
  c.ok = false;
  c.error_class = std::move(error_class);
  c.message = std::move(message);
  c.log = std::move(log);
  return c;
}

// A result file no other job uses: compiles of different batches (the reference's, a batch's)
// may run at once in one process, so the name comes from mkstemps, not from the job's index.
std::filesystem::path result_path(const std::filesystem::path& cache_dir) {
  std::string pattern = (cache_dir / "tmp" / "compile-XXXXXX.json").string();
  int fd = ::mkstemps(pattern.data(), 5);
  if (fd < 0) {
    throw UserError(fmt::format("cannot create a file in {}: {}", (cache_dir / "tmp").string(),
                                std::strerror(errno)));
  }
  ::close(fd);
  return pattern;
}

CompileOutcome compile_one(const CompileJob& job,
                           const CompilePoolOptions& options) {
  json request = {{"backend", options.backend},       {"spec_toml", options.spec_toml},
                  {"origin", options.spec_origin},     {"device", codec::to_json(options.device)},
                  {"config_key", job.config_key},      {"cache_dir", options.cache_dir.string()},
                  {"nice", options.nice}};
  std::filesystem::path out = result_path(options.cache_dir);
  RunProcessOptions run;
  run.timeout_s = options.timeout_s;
  run.stdin_text = request.dump();
  run.extra_env = options.env;
  ProcessResult process = run_process({options.exe.string(), "__compile", out.string()}, run);
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::error_code ignored;
  std::filesystem::remove(out, ignored);
  if (process.timed_out) {
    return failed("timeout", fmt::format("compilation did not finish within {:g} s", options.timeout_s),
                  process.output);
  }
  json reply = json::parse(text, nullptr, false);
  if (!process.ok() || reply.is_discarded()) {
    return failed("compiler_crashed", "the compile process failed: " + process.describe(),
                  process.output);
  }
  if (reply.contains("internal_error")) {
    throw InternalError("compile child: " + reply.at("internal_error").get<std::string>());
  }
  if (reply.contains("user_error")) throw UserError(reply.at("user_error").get<std::string>());
  return codec::compile_outcome_from_json(reply);
}

// A compile child gives way to the bench workers: they run the kernels, and a device waits
// whenever its worker waits for a core. Niceness is a hint: a failure to change it is no error.
void lower_priority(int increment) {
  if (increment <= 0) return;
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, 0);
  if (errno != 0) return;
  ::setpriority(PRIO_PROCESS, 0, std::min(19, current + increment));
}

}  // namespace

void compile_stream(const NextCompileJob& next, const CompilePoolOptions& options,
                    const CompileDone& on_done) {
  std::filesystem::create_directories(options.cache_dir / "tmp");
  std::mutex mutex;  // serialises on_done and guards first_error
  std::exception_ptr first_error;
  auto work = [&] {
    while (true) {
      std::optional<std::pair<std::size_t, CompileJob>> job;
      {
        // After an error nothing more is taken: the caller will see the error, not a result.
        std::lock_guard lock(mutex);
        if (first_error) return;
      }
      job = next();
      if (!job) return;
      try {
        CompileOutcome outcome = compile_one(job->second, options);
        std::lock_guard lock(mutex);
        on_done(job->first, std::move(outcome));
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
      }
    }
  };
  std::vector<std::jthread> pool;
  for (int t = 0; t < std::max(1, options.jobs); ++t) pool.emplace_back(work);
  pool.clear();  // joins
  if (first_error) std::rethrow_exception(first_error);
}

void compile_each(const std::vector<CompileJob>& jobs, const CompilePoolOptions& options,
                  const CompileDone& on_done) {
  if (jobs.empty()) return;
  std::atomic<std::size_t> taken{0};
  CompilePoolOptions bounded = options;
  bounded.jobs = static_cast<int>(std::min<std::size_t>(std::max(1, options.jobs), jobs.size()));
  compile_stream(
      [&]() -> std::optional<std::pair<std::size_t, CompileJob>> {
        std::size_t i = taken++;
        if (i >= jobs.size()) return std::nullopt;
        return std::pair{i, jobs[i]};
      },
      bounded, on_done);
}

std::vector<CompileOutcome> compile_all(const std::vector<CompileJob>& jobs,
                                        const CompilePoolOptions& options) {
  std::vector<CompileOutcome> outcomes(jobs.size());
  compile_each(jobs, options,
               [&](std::size_t i, CompileOutcome outcome) { outcomes[i] = std::move(outcome); });
  return outcomes;
}

int compile_child_main(const std::filesystem::path& result_file) {
  json reply;
  try {
    json request = json::parse(std::cin);
    lower_priority(request.value("nice", 0));
    KernelSpec spec = parse_spec(request.at("spec_toml").get<std::string>(),
                                 request.at("origin").get<std::string>());
    DeviceInfo device = codec::device_from_json(request.at("device"));
    Space space = spec.make_space(device);
    Config config = space.parse_key(request.at("config_key").get<std::string>());
    auto backend = make_backend(request.at("backend").get<std::string>());
    CompileOutcome outcome =
        backend->compile(spec, space, config, device, request.at("cache_dir").get<std::string>());
    reply = codec::to_json(outcome);
  } catch (const UserError& e) {
    reply = {{"user_error", e.what()}};
  } catch (const std::exception& e) {
    reply = {{"internal_error", e.what()}};
  }
  std::ofstream out(result_file);
  out << reply.dump();
  return out.good() ? 0 : 3;
}

}  // namespace tuna::eval
