// `tuna export SPEC --format header|json`: the best stored config, in a form that ships.
#include <chrono>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "report/export.hpp"
#include "tuna/errors.hpp"

namespace tuna::cli {
namespace {

struct ExportFlags {
  std::string spec_path;
  std::string format = "header";
  std::string output;
  std::string device;
  StoreFlags store;
};

std::string now_iso8601() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

StoreContext pick_context(const Store& store, const KernelSpec& spec, const ExportFlags& f) {
  std::vector<StoreContext> contexts = matching_contexts(store, spec, f.device);
  if (contexts.empty()) {
    throw UserError(fmt::format("no stored results for {} in {}; run `tuna tune {}` first",
                                spec.name, store.path().string(), f.spec_path));
  }
  if (contexts.size() > 1) {
    std::string names;
    for (const auto& c : contexts) names += "\n  " + c.device_name + " (" + c.device_id + ")";
    throw UserError(fmt::format("{} has results on several devices; choose one with --device "
                                "TEXT:{}",
                                spec.name, names));
  }
  return contexts.front();
}

int run_export(const ExportFlags& f) {
  KernelSpec spec = load_spec(f.spec_path);
  Store store(f.store.path());
  StoreContext context = pick_context(store, spec, f);
  Space space = key_space(spec);
  std::vector<Result> results = store.results(context, space);
  if (results.empty() || !results.front().ok()) {
    throw UserError(fmt::format("no config of {} ran correctly on {}; nothing to export",
                                spec.name, context.device_name));
  }
  report::ExportInput input{context, space, results.front(), results.size(), now_iso8601()};
  std::string text = f.format == "json" ? report::export_json(input) : report::export_header(input);
  if (f.output.empty() || f.output == "-") {
    fmt::print("{}", text);
  } else {
    std::ofstream out(f.output);
    out << text;
    if (!out) throw UserError("cannot write " + f.output);
    fmt::print(stderr, "wrote {}\n", f.output);
  }
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* cmd = app.add_subcommand("export", "write the best stored config as a C++ header "
                                               "or JSON");
  cmd->footer(
      "Example:\n  tuna export examples/host/matmul/spec.toml --format header -o matmul_tuned.hpp\n"
      "The header defines constexpr values in namespace tuna_tuned::<kernel>.");
  cmd->add_option("spec", flags->spec_path, "the kernel's spec.toml")->required();
  cmd->add_option("-f,--format", flags->format, "header or json")
      ->check(CLI::IsMember({"header", "json"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "file to write (default: standard output)");
  cmd->add_option("--device", flags->device, "the device, when results exist for several");
  flags->store.add_to(*cmd);
  cmd->callback([flags, &exit_code] { exit_code = run_export(*flags); });
}

}  // namespace tuna::cli
