// `tuna export SPEC --format header|json`: the best stored config, in a form that ships.
// `tuna export [SPEC | --kernel NAME] --format t4|kt-cache`: every stored result of one context,
// in another tuner's format (imported recordings have no spec: --kernel names them).
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "report/export.hpp"
#include "store/export_recording.hpp"
#include "store/import_store.hpp"
#include "tuna/errors.hpp"

namespace tuna::cli {
namespace {

struct ExportFlags {
  std::string spec_path;
  std::string format = "header";
  std::string output;
  std::string device;
  std::string kernel;
  StoreFlags store;
};

bool is_recording_format(const std::string& format) { return format == "t4" || format == "kt-cache"; }

void write_output(const ExportFlags& f, const std::string& text) {
  if (f.output.empty() || f.output == "-") {
    fmt::print("{}", text);
    return;
  }
  std::ofstream out(f.output);
  out << text;
  if (!out) throw UserError("cannot write " + f.output);
  fmt::print(stderr, "wrote {}\n", f.output);
}

// The one context named by --kernel (and --device), among every context in the store.
StoreContext context_by_kernel(const Store& store, const ExportFlags& f) {
  std::vector<StoreContext> found;
  for (const auto& c : store::all_contexts(store.path()))
    if (c.kernel_name == f.kernel &&
        (f.device.empty() || c.device_name.find(f.device) != std::string::npos ||
         c.device_id.find(f.device) != std::string::npos))
      found.push_back(c);
  if (found.empty())
    throw UserError(fmt::format("no stored results for kernel '{}'{} in {}; `tuna import` a "
                                "recording or `tuna tune` a spec first",
                                f.kernel, f.device.empty() ? "" : " on '" + f.device + "'",
                                store.path().string()));
  if (found.size() > 1) {
    std::string names;
    for (const auto& c : found)
      names += fmt::format("\n  {} ({}), problem {}", c.device_name, c.device_id, c.problem);
    throw UserError(fmt::format("kernel '{}' has results in several contexts; choose one with "
                                "--device TEXT:{}",
                                f.kernel, names));
  }
  return found.front();
}

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

int run_recording_export(const ExportFlags& f) {
  Store store(f.store.path());
  StoreContext context;
  if (!f.kernel.empty()) {
    context = context_by_kernel(store, f);
  } else {
    KernelSpec spec = load_spec(f.spec_path);
    context = pick_context(store, spec, f);
  }
  store::Recording rec = store::recording_from_store(store.path(), context);
  write_output(f, f.format == "t4" ? store::export_t4(rec) : store::export_kernel_tuner_cache(rec));
  return kExitOk;
}

// Every (device, problem) of the spec's kernel: the spec's own results for its problem, and for
// other problems (tuned with other [problem] values, hence other spec hashes) the most recently
// measured spec version whose keys this spec reads. Contexts whose keys it cannot read (another
// kernel of the same name) are left out by Store::results.
std::vector<report::ExportEntry> export_entries(const Store& store, const KernelSpec& spec,
                                                const Space& space) {
  const std::string hash = spec.content_hash(), problem = spec.problem_key();
  std::map<std::pair<std::string, std::string>, report::ExportEntry> chosen;
  for (const StoreContext& c : store.contexts(spec.name)) {
    bool own = c.spec_hash == hash;
    if (c.problem == problem && !own) continue;  // an older version of this very spec
    std::vector<Result> results = store.results(c, space);
    if (results.empty() || !results.front().ok()) continue;
    report::ExportEntry entry{c, results.front(), results.size()};
    auto [it, inserted] = chosen.try_emplace({c.device_name + "\n" + c.device_id, c.problem}, entry);
    if (!inserted && (own || entry.best.finished_at > it->second.best.finished_at))
      it->second = std::move(entry);
  }
  std::vector<report::ExportEntry> out;
  for (auto& [_, e] : chosen) out.push_back(std::move(e));
  return out;
}

int run_export(const ExportFlags& f) {
  if (f.spec_path.empty() && f.kernel.empty())
    throw UserError("name what to export: a spec file, or --kernel NAME for an imported recording");
  if (is_recording_format(f.format)) return run_recording_export(f);
  if (f.spec_path.empty())
    throw UserError(fmt::format("--format {} needs the kernel's spec file; --kernel works with "
                                "--format t4 or kt-cache",
                                f.format));
  KernelSpec spec = load_spec(f.spec_path);
  Store store(f.store.path());
  Space space = key_space(spec);
  report::ExportInput input{spec.name, spec.content_hash(), space, spec.problem_key(),
                            export_entries(store, spec, space), std::nullopt, now_iso8601()};
  if (input.entries.empty())
    throw UserError(fmt::format("no config of {} ran correctly in {}; run `tuna tune {}` first",
                                spec.name, store.path().string(), f.spec_path));
  // The plain constants: this spec's problem on the one device measured (or chosen by --device).
  if (!matching_contexts(store, spec, f.device).empty() || !f.device.empty()) {
    StoreContext primary = pick_context(store, spec, f);
    for (std::size_t i = 0; i < input.entries.size(); ++i)
      if (input.entries[i].context.device_id == primary.device_id &&
          input.entries[i].context.problem == primary.problem)
        input.primary = i;
    if (!input.primary)
      throw UserError(fmt::format("no config of {} ran correctly on {}; nothing to export",
                                  spec.name, primary.device_name));
  }
  write_output(f, f.format == "json" ? report::export_json(input) : report::export_header(input));
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* cmd = app.add_subcommand("export", "write the best stored config as a C++ header "
                                               "or JSON, or every stored result as T4 or a "
                                               "Kernel Tuner cache");
  cmd->footer(
      "Example:\n  tuna export examples/host/matmul/spec.toml --format header -o matmul_tuned.hpp\n"
      "The header defines constexpr values in namespace tuna_tuned::<kernel> for this spec's\n"
      "problem, and a table of every (device, problem) tuned with find(device, problem);\n"
      "json holds the same for tuna::Lookup (docs/deploy.md).\n"
      "  tuna export --kernel convolution_kernel --device A100 --format kt-cache -o conv.json\n"
      "t4 and kt-cache write every stored result (docs/simulation.md).");
  cmd->add_option("spec", flags->spec_path, "the kernel's spec.toml");
  cmd->add_option("--kernel", flags->kernel,
                  "with t4 or kt-cache: the stored kernel to export, instead of a spec");
  cmd->add_option("-f,--format", flags->format, "header, json, t4 or kt-cache")
      ->check(CLI::IsMember({"header", "json", "t4", "kt-cache"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "file to write (default: standard output)");
  cmd->add_option("--device", flags->device, "the device of the plain constants (header) or top-level "
                  "config (json), when this problem was tuned on several");
  flags->store.add_to(*cmd);
  cmd->callback([flags, &exit_code] { exit_code = run_export(*flags); });
}

}  // namespace tuna::cli
