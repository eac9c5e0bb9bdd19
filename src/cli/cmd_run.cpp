// `tuna run SPEC --config K=V,...`: compile, check and time one config, and store the result.
#include <fmt/format.h>

#include "cli/common.hpp"
#include "report/console.hpp"
#include "report/json_output.hpp"
#include "tuna/driver.hpp"
#include "tuna/evaluator.hpp"

namespace tuna::cli {
namespace {

struct RunFlags {
  std::string spec_path;
  std::string config;
  OutputFlags output;
  StoreFlags store;
  EvaluatorFlags evaluator;
};

void print_result(const Result& r, const KernelSpec& spec, const Space& space,
                  const DeviceInfo& device) {
  fmt::print("config:  {}\n", r.key);
  fmt::print("status:  {}{}\n", status_name(r.status),
             r.ok() ? "" : fmt::format(" ({}): {}", r.error_class, r.message));
  if (r.compile_ms > 0) fmt::print("compile: {:.0f} ms\n", r.compile_ms);
  if (r.ok()) {
    fmt::print("time:    {} median over {} runs (min {}, max {}, spread {:.1f}%)\n",
               report::format_ms(r.median_ms), r.times_ms.size(), report::format_ms(r.min_ms()),
               report::format_ms(r.max_ms()), r.spread() * 100);
    Throughput t = throughput_of(spec, space, device, r);
    if (t.gflops) fmt::print("         {:.2f} GFLOP/s\n", *t.gflops);
    if (t.gbps) fmt::print("         {:.2f} GB/s\n", *t.gbps);
    if (spec.check.reference != Reference::None) {
      fmt::print("check:   passed (max abs error {:.3g})\n", r.max_abs_error);
    }
  }
  for (const auto& [name, value] : r.resources) fmt::print("         {} = {:g}\n", name, value);
}

int run_one(const RunFlags& f) {
  KernelSpec spec = load_spec(f.spec_path);
  Evaluator evaluator(spec, f.evaluator.options());
  const Space& space = evaluator.space();
  Config config = f.config.empty() ? space.default_config() : space.parse_key(f.config);
  Store store(f.store.path());
  StoreContext context = store_context(spec, evaluator.device());
  std::int64_t run_id = store.begin_run(context, "run", R"({"command":"run"})");
  Result result = evaluator.evaluate({config}, [&](const Result& r) {
    store.put_result(run_id, context, r);
  }).at(0);
  store.end_run(run_id, "completed");
  if (f.output.json)
    report::print_json(report::run_json(result, spec, space, evaluator.device(), run_id,
                                        store.path().string()));
  else
    print_result(result, spec, space, evaluator.device());
  return result.ok() ? kExitOk : kExitNoCorrectConfig;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "compile, check and time one config");
  cmd->footer(
      "Example:\n  tuna run examples/host/matmul/spec.toml --config BM=64,BN=64\n"
      "Parameters not named keep their default. Exit code 1 when the config fails.");
  cmd->add_option("spec", flags->spec_path, "the kernel's spec.toml")->required();
  cmd->add_option("-c,--config", flags->config, "NAME=VALUE,... (default: the default config)");
  flags->output.add_to(*cmd, /*verbosity_flags=*/false);
  flags->store.add_to(*cmd);
  flags->evaluator.add_to(*cmd);
  cmd->callback([flags, &exit_code] { exit_code = run_one(*flags); });
}

}  // namespace tuna::cli
