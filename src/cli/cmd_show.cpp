// `tuna show SPEC`: the stored results of a kernel, best first, per device.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "cli/common.hpp"
#include "report/console.hpp"
#include "report/json_output.hpp"

namespace tuna::cli {
namespace {

struct ShowFlags {
  std::string spec_path;
  std::string device;
  std::size_t limit = 20;
  bool failures = false;
  bool json = false;
  StoreFlags store;
};

void show_context(const Store& store, const StoreContext& ctx, const Space& space,
                  const ShowFlags& f) {
  std::vector<Result> results = store.results(ctx, space);
  std::size_t ok = 0;
  for (const Result& r : results) ok += r.ok();
  fmt::print("== {} on {} ({}), problem {}: {} results, {} ok\n", ctx.kernel_name,
             ctx.device_name, ctx.backend, ctx.problem.empty() ? "-" : ctx.problem,
             results.size(), ok);
  // Which GPU measured each result matters once several did (--devices, MPI ranks).
  std::set<std::string> devices;
  for (const Result& r : results) {
    if (!r.device.empty()) devices.insert(r.device);
  }
  const bool device_column = devices.size() > 1;
  std::size_t device_width = 6;
  for (const std::string& d : devices) device_width = std::max(device_width, d.size());
  auto device_cell = [&](const std::string& d) {
    return device_column ? fmt::format("{:<{}}  ", d, device_width) : std::string();
  };
  fmt::print("{:>4}  {:>12}  {:>7}  {:<14}  {}{}\n", "rank", "median", "spread", "status",
             device_cell("device"), "config");
  std::size_t shown = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    if (!r.ok() && !f.failures) continue;
    if (f.limit && shown++ >= f.limit) break;
    std::string median = r.ok() ? report::format_ms(r.median_ms) : "-";
    std::string spread = r.ok() ? fmt::format("{:.1f}%", r.spread() * 100) : "-";
    fmt::print("{:>4}  {:>12}  {:>7}  {:<14}  {}{}{}\n", i + 1, median, spread,
               status_name(r.status), device_cell(r.device.empty() ? "-" : r.device), r.key,
               r.ok() ? "" : "  # " + r.message);
  }
  if (!f.failures && ok < results.size()) {
    fmt::print("({} failed configs not shown; --failures shows them)\n", results.size() - ok);
  }
}

int run_show(const ShowFlags& f) {
  KernelSpec spec = load_spec(f.spec_path);
  Store store(f.store.path());
  std::vector<StoreContext> contexts = matching_contexts(store, spec, f.device);
  Space space = key_space(spec);
  if (f.json) {
    std::vector<report::ShownContext> shown;
    for (const StoreContext& ctx : contexts) shown.push_back({ctx, store.results(ctx, space)});
    report::print_json(report::show_json(spec.name, shown, space, f.limit, f.failures));
    return contexts.empty() ? kExitNoCorrectConfig : kExitOk;
  }
  if (contexts.empty()) {
    fmt::print("no stored results for {} (this version of its spec{}) in {}.\nRun `tuna tune "
               "{}` first.\n",
               spec.name, f.device.empty() ? "" : ", device matching '" + f.device + "'",
               store.path().string(), f.spec_path);
    return kExitNoCorrectConfig;
  }
  for (const StoreContext& ctx : contexts) show_context(store, ctx, space, f);
  return kExitOk;
}

}  // namespace

void add_show_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ShowFlags>();
  CLI::App* cmd = app.add_subcommand("show", "show stored results of a kernel, best first");
  cmd->footer("Example:\n  tuna show examples/host/matmul/spec.toml --limit 10 --failures");
  cmd->add_option("spec", flags->spec_path, "the kernel's spec.toml")->required();
  cmd->add_option("--device", flags->device, "only devices whose name contains this text");
  cmd->add_option("--limit", flags->limit, "rows per device (0: all)")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_flag("--failures", flags->failures, "include failed configs");
  cmd->add_flag("--json", flags->json,
                "print one JSON document on stdout instead of text (schema: docs/json.md)");
  flags->store.add_to(*cmd);
  cmd->callback([flags, &exit_code] { exit_code = run_show(*flags); });
}

}  // namespace tuna::cli
