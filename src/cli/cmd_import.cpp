// `tuna import FILE`: a recorded search space (Kernel Tuner cache, T4 results, KTT output) put
// into the store, one run under a context for the recorded kernel and device.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <map>
#include <optional>

#include "backends/sim/sim_backend.hpp"
#include "store/recording_spec.hpp"
#include "cli/common.hpp"
#include "store/import_recording.hpp"
#include "store/import_store.hpp"
#include "tuna/errors.hpp"

namespace tuna::cli {
namespace {

struct ImportFlags {
  std::string file;
  std::string t1;
  std::string write_spec;
  std::string source;
  StoreFlags store;
};

std::string status_counts(const store::Recording& rec) {
  std::map<Status, std::size_t> counts;
  for (const auto& e : rec.entries) ++counts[e.status];
  std::string out;
  for (const auto& [status, n] : counts) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", n, status_name(status));
  }
  return out;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out)
    throw UserError(fmt::format("cannot write {}: check the folder exists and is writable", path));
}

// What the written spec will and will not tell the LLM, so the user can complete it.
void print_spec_notes(const KernelSpec& spec) {
  if (const std::vector<std::string> inferred = sim::recorded_rules_of(spec); !inferred.empty())
    fmt::print("  [constraints]: the recorded configurations are exactly those with {} (inferred "
               "from the recording)\n",
               fmt::join(inferred, ", "));
  if (spec.source.empty())
    fmt::print("  no --source given: the LLM will be told the kernel's source is unavailable\n");
  if (!spec.recorded_device) return;
  if (spec.recorded_device->facts.values().empty())
    fmt::print("  tuna does not know the facts of '{}': add them to the spec's [device] table "
               "(docs/backends/sim.md lists the names) so the LLM sees the device\n",
               spec.recorded_device->name);
  else
    fmt::print("  [device]: {} facts of '{}'\n", spec.recorded_device->facts.values().size(),
               spec.recorded_device->name);
}

void check_source_flag(const ImportFlags& f) {
  if (f.source.empty()) return;
  if (f.write_spec.empty())
    throw UserError("--source names the kernel's source for the spec that --write-spec writes; "
                    "add --write-spec FILE");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(f.source, ec))
    throw UserError(fmt::format("--source {}: no such file. Give the kernel's source file", f.source));
}

int run_import(const ImportFlags& f) {
  check_source_flag(f);
  store::Recording rec = store::read_recording(f.file);
  std::optional<store::T1Space> t1;
  if (!f.t1.empty()) t1 = store::read_t1(f.t1);
  Space space = store::recording_space(rec, t1 ? &*t1 : nullptr);
  Store db(f.store.path());
  store::put_recording(db, rec, space);
  StoreContext ctx = store::recording_context(rec, space);
  fmt::print("imported {} configurations of {} on {} ({} format) into {}\n", rec.entries.size(),
             ctx.kernel_name, ctx.device_name, rec.format, db.path().string());
  fmt::print("  statuses: {}\n", status_counts(rec));
  fmt::print("  search space: {} valid configurations ({} grid points{})\n",
             static_cast<std::size_t>(space.size().count), space.grid_size(),
             t1 ? ", restrictions from " + f.t1 : std::string(", restricted to the recording"));
  if (!f.write_spec.empty()) {
    using Path = std::optional<std::filesystem::path>;
    KernelSpec spec = sim::spec_from_recording(f.file, t1 ? Path(f.t1) : std::nullopt,
                                               f.source.empty() ? std::nullopt : Path(f.source));
    write_text(f.write_spec, spec_to_toml(spec));
    fmt::print("  wrote {}: replay it with `tuna tune {}`\n", f.write_spec, f.write_spec);
    print_spec_notes(spec);
  }
  return kExitOk;
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "import", "load a recorded search space (Kernel Tuner cache, T4, KTT) into the store");
  cmd->footer(
      "Example:\n  tuna import gemm_RTX_3090.json.gz\n"
      "  tuna import conv_A100.json.gz --t1 convolution.T1.json --write-spec conv_sim.toml \\\n"
      "      --source convolution.cu\n"
      "Files ending in .gz are read compressed. docs/simulation.md describes the formats.");
  cmd->add_option("file", flags->file, "the recording (.json or .json.gz)")->required();
  cmd->add_option("--t1", flags->t1, "a T1 input file whose restrictions define the space");
  cmd->add_option("--write-spec", flags->write_spec,
                  "also write a spec.toml that replays the recording on the sim backend");
  cmd->add_option("--source", flags->source,
                  "with --write-spec: the kernel's source file, shown to the LLM (never the "
                  "recording)");
  flags->store.add_to(*cmd);
  cmd->callback([flags, &exit_code] { exit_code = run_import(*flags); });
}

}  // namespace tuna::cli
