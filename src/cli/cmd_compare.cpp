// `tuna compare FILE...`: model-free strategies side by side on recorded search spaces,
// replayed in-process (no device, no bench worker).
#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "backends/sim/recorded_space.hpp"
#include "cli/common.hpp"
#include "report/json_output.hpp"
#include "search/compare.hpp"
#include "search/compare_report.hpp"
#include "tuna/errors.hpp"
#include "tuna/strategy.hpp"

namespace tuna::cli {

void add_compare_command(CLI::App& app, int& exit_code);

namespace {

struct CompareFlags {
  std::vector<std::string> files;
  std::vector<std::string> strategies;
  std::vector<std::size_t> budgets = {20, 50, 100, 200};
  std::vector<double> targets = {0.95, 0.98};
  std::size_t runs = 20;
  std::uint64_t seed = 1;
  std::string noise = "median";
  unsigned threads = 0;
  std::size_t batch = 1;
  std::string csv = "compare.csv";
  std::string svg = "compare.svg";
  bool quiet = false;
  bool json = false;
};

std::vector<sim::RecordedSpace> load_all(const std::vector<std::string>& files,
                                         unsigned threads) {
  std::vector<sim::RecordedSpace> spaces(files.size());
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto worker = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      try {
        spaces[i] = sim::load_recorded_space(files[i]);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::max(1u, std::min<unsigned>(threads, files.size())); ++t)
    pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return spaces;
}

void check_flags(const CompareFlags& f, const search::CompareOptions& o) {
  if (f.runs == 0) throw UserError("--runs must be at least 1");
  for (std::size_t b : o.budgets)
    if (b == 0) throw UserError("--budgets: every budget must be at least 1 evaluation");
  for (double t : o.targets)
    if (!(t > 0 && t <= 1)) throw UserError(fmt::format("--targets: {} is not in (0, 1]", t));
  for (const std::string& name : o.strategies) {
    bool known = false;
    for (const auto& [n, _] : strategy_names()) known = known || n == name;
    if (!known || name == "llm" || name == "hybrid" || name == "exhaustive") {
      throw UserError(fmt::format(
          "--strategies: '{}' cannot be compared; use model-free strategies: auto, random, "
          "pattern, differential_evolution, simulated_annealing, genetic_algorithm, surrogate",
          name));
    }
  }
}

int run_compare_command(const CompareFlags& f) {
  search::CompareOptions o;
  if (!f.strategies.empty()) o.strategies = f.strategies;
  o.budgets = f.budgets;
  o.targets = f.targets;
  o.runs = f.runs;
  o.seed = f.seed;
  o.noise = f.noise == "one-repetition" ? sim::ReplayNoise::OneRepetition
                                        : sim::ReplayNoise::Median;
  o.threads = f.threads ? f.threads : std::max(1u, std::thread::hardware_concurrency());
  o.batch_size = f.batch;
  check_flags(f, o);

  std::vector<sim::RecordedSpace> spaces = load_all(f.files, o.threads);
  std::size_t last_shown = 0;
  search::CompareReport report = search::run_compare(
      spaces, o, [&](std::size_t done, std::size_t total) {
        // About twenty progress lines on stderr, so a long comparison shows it is alive.
        if (f.quiet || (done * 20 / total == last_shown && done != total)) return;
        last_shown = done * 20 / total;
        fmt::print(stderr, "\rcompare: {}/{} runs", done, total);
        if (done == total) fmt::print(stderr, "\n");
      });
  // With --json, stdout holds the document only; the files' notices go to stderr.
  std::FILE* notes = f.json ? stderr : stdout;
  const bool show_notes = !f.json || !f.quiet;
  if (f.json)
    report::print_json(report::compare_json(report, f.noise));
  else
    fmt::print("{}", search::format_compare_table(report));
  if (show_notes)
    fmt::print(notes, "\n{} strategies x {} spaces x {} runs in {:.1f} s on {} threads (noise: {}, batch "
             "{}, seeds {}..{})\n",
             o.strategies.size(), spaces.size(), o.runs, report.seconds, o.threads, f.noise,
             o.batch_size, o.seed, o.seed + o.runs - 1);
  if (!f.csv.empty()) {
    search::write_text_file(f.csv, search::compare_csv(report));
    if (show_notes) fmt::print(notes, "wrote {}\n", f.csv);
  }
  if (!f.svg.empty()) {
    search::write_text_file(f.svg, search::compare_svg(report));
    if (show_notes) fmt::print(notes, "wrote {}\n", f.svg);
  }
  return kExitOk;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<CompareFlags>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "compare search strategies on recorded search spaces (simulation)");
  cmd->footer(
      "Each strategy runs --runs times (seeds --seed, --seed+1, ...) on each recording, which "
      "answers every config from its recorded time. Budgets count unique evaluations; failed "
      "configs count. Example:\n  tuna compare ../shared/datasets/*.json.gz --runs 20");
  cmd->add_option("files", flags->files,
                  "recorded spaces: Kernel Tuner caches, T4 results, KTT output (.gz read "
                  "directly)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--strategies", flags->strategies,
                  "comma-separated strategies (default: every model-free one)")
      ->delimiter(',');
  cmd->add_option("--runs", flags->runs, "seeded runs per strategy and space")
      ->capture_default_str();
  cmd->add_option("--budgets", flags->budgets, "budgets in evaluations, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--targets", flags->targets,
                  "fractions of the optimum whose evaluations-to-reach are reported")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "seed of the first run")->capture_default_str();
  cmd->add_option("--noise", flags->noise,
                  "median: replay each config's median time; one-repetition: one recorded "
                  "repetition drawn at random (noisy evaluation)")
      ->check(CLI::IsMember({"median", "one-repetition"}))
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "worker threads (0: one per core)")
      ->capture_default_str();
  cmd->add_option("--batch", flags->batch, "configs asked of a strategy at a time")
      ->capture_default_str();
  cmd->add_option("--csv", flags->csv, "CSV output ('' to skip)")->capture_default_str();
  cmd->add_option("--svg", flags->svg, "SVG plot of mean score against evaluations ('' to skip)")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", flags->quiet, "no progress on stderr");
  cmd->add_flag("--json", flags->json,
                "print one JSON document on stdout instead of the table (schema: docs/json.md)");
  cmd->callback([flags, &exit_code] { exit_code = run_compare_command(*flags); });
}

}  // namespace tuna::cli
