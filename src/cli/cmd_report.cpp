// `tuna report [SPEC] [--run ID] [-o FILE]`: one tuning run as a self-contained HTML page.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "cli/common.hpp"
#include "report/html_report.hpp"
#include "tuna/errors.hpp"

namespace tuna::cli {
namespace {

struct ReportFlags {
  std::string spec_path;
  std::int64_t run_id = 0;
  std::string output = "report.html";
  StoreFlags store;
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  if (!out || !out.flush())
    throw UserError(fmt::format("cannot write the report to {}: {}; choose another file with -o",
                                path, std::strerror(errno)));
}

int run_report(const ReportFlags& f) {
  if (f.spec_path.empty() && f.run_id == 0)
    throw UserError("tuna report needs a spec (its latest run is reported) or --run ID; for "
                    "example `tuna report examples/host/rowsum/spec.toml -o report.html`");
  std::optional<KernelSpec> spec;
  if (!f.spec_path.empty()) spec = load_spec(f.spec_path);
  Store store(f.store.path());
  std::int64_t run_id = f.run_id != 0 ? f.run_id : report::latest_run_of(store, *spec);
  report::RunReport data = report::load_run_report(store, run_id, spec ? &*spec : nullptr);
  write_file(f.output, report::render_html_report(data));
  std::size_t ok = 0;
  for (const Result& r : data.results) ok += r.ok();
  fmt::print("wrote {}: run {} of {} ({}), {} results, {} ok{}\n", f.output, run_id,
             data.context.kernel_name, data.run.strategy, data.results.size(), ok,
             data.rounds.empty() ? "" : fmt::format(", {} LLM rounds", data.rounds.size()));
  return kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "report", "write an HTML report of a tuning run (plots, best config, failures, LLM rounds)");
  cmd->footer(
      "Examples:\n  tuna report examples/host/rowsum/spec.toml -o report.html   # its latest run\n"
      "  tuna report --run 12 -o run12.html\nDocs: docs/report.md");
  cmd->add_option("spec", flags->spec_path,
                  "the kernel's spec.toml (optional with --run: gives the default config, "
                  "metrics and the LLM's proposals)");
  cmd->add_option("--run", flags->run_id, "the run to report (default: the spec's latest run)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("-o,--output", flags->output, "the HTML file to write")->capture_default_str();
  flags->store.add_to(*cmd);
  cmd->callback([flags, &exit_code] { exit_code = run_report(*flags); });
}

}  // namespace tuna::cli
