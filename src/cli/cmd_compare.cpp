// `tuna compare FILE...`: strategies side by side on recorded search spaces, replayed
// in-process (no device, no bench worker). The LLM strategies (llm, hybrid) run on the same
// replay through search/compare_guided.hpp, live or from a transcript.
#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "store/recorded_space.hpp"
#include "backends/sim/sim_backend.hpp"
#include "store/recording_spec.hpp"
#include "cli/common.hpp"
#include "cli/llm_flags.hpp"
#include "report/json_output.hpp"
#include "search/compare.hpp"
#include "search/compare_guided.hpp"
#include "search/compare_report.hpp"
#include "search/compare_transcript.hpp"
#include "store/prior_source.hpp"
#include "tuna/prior.hpp"
#include "search/registry.hpp"
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
  bool batch_given = false;       // else, with --pipeline, a batch is the pipeline's capacity
  std::size_t pipeline_jobs = 0;  // compile jobs of the modelled evaluator; 0: no model
  std::size_t pipeline_devices = 1;
  bool sync_batches = false;
  std::string csv, svg;  // empty: no file (written only when asked)
  std::vector<std::string> priors;  // recordings whose times every space's search may use
  bool prior_shuffle = false;       // shuffle the priors' times (a misleading prior)
  bool quiet = false;
  bool verbose = false;
  bool json = false;
  // LLM strategies.
  LlmFlags llm;
  std::size_t llm_runs = 0;
  unsigned llm_threads = 1;
  std::string llm_transcript, llm_replay, db;
  std::size_t llm_replay_calls = 0;  // with --llm-replay: replay only these first calls, then live
};

struct Inputs {
  std::vector<sim::RecordedSpace> spaces;
  std::vector<KernelSpec> specs;  // one per space: what the LLM is told about the kernel
};

bool is_spec_file(const std::string& file) { return file.ends_with(".toml"); }

bool same_parameters(const Space& a, const Space& b) {
  if (a.params().size() != b.params().size()) return false;
  for (std::size_t i = 0; i < a.params().size(); ++i)
    if (a.params()[i].name != b.params()[i].name ||
        a.params()[i].values.size() != b.params()[i].values.size())
      return false;
  return true;
}

// The spec's parameters (their descriptions) and constraints (T1 restrictions, a library's rules)
// on top of the recording's list, so the LLM reads what each parameter does and why configs are
// excluded, not only that they were never recorded. A spec without constraints needs this too:
// the recording's own parameters carry no descriptions.
void with_spec_parameters(const KernelSpec& spec, sim::RecordedSpace& recorded) {
  DeviceInfo simulated;
  simulated.backend = "sim";
  Space space = spec.make_space(device_for_spec(spec, simulated));
  if (!same_parameters(space, recorded.space)) return;  // a hand-made spec: keep the recording's
  std::vector<Config> allowed;
  for (const sim::RecordedConfig& rc : recorded.configs)
    if (rc.status != Status::Invalid && space.is_valid(rc.config)) allowed.push_back(rc.config);
  space.restrict_to(allowed);
  recorded.space = std::move(space);
}

// Scores are optimum / found: a recording in which nothing ran correctly has no optimum, and
// every search on it would score 0 and pull the mean over spaces down with it.
void require_an_optimum(const std::string& file, const sim::RecordedSpace& space) {
  if (std::isfinite(space.optimum_ms())) return;
  throw UserError(fmt::format(
      "{}: no configuration of this recording ran correctly ({} recorded, every one a failure "
      "or outside the space's restrictions), so there is no optimum to score a search against; "
      "compare recordings that hold at least one correct time",
      file, space.configs.size()));
}

// A recording, or a sim spec (`tuna import --write-spec`) whose recording is loaded: the spec
// adds what the LLM needs, the kernel's real source and the recorded device's facts.
void load_input(const std::string& file, sim::RecordedSpace& space, KernelSpec& spec) {
  if (!is_spec_file(file)) {
    space = sim::load_recorded_space(file);
    require_an_optimum(file, space);
    spec = sim::spec_from_recorded_space(space);
    return;
  }
  spec = load_spec(file);
  if (spec.backend != "sim") {
    throw UserError(fmt::format(
        "{}: a spec compared here must replay a recording ([kernel] backend = \"sim\", "
        "recording = \"...\"), not run on '{}'; write one with `tuna import RECORDING "
        "--write-spec {}`, or give the recording itself",
        file, spec.backend, file));
  }
  space = sim::load_recorded_space(spec.recording);
  require_an_optimum(spec.recording, space);
  with_spec_parameters(spec, space);
}

Inputs load_all(const std::vector<std::string>& files, unsigned threads) {
  Inputs in;
  in.spaces.resize(files.size());
  in.specs.resize(files.size());
  std::vector<sim::RecordedSpace>& spaces = in.spaces;
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto worker = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      try {
        load_input(files[i], spaces[i], in.specs[i]);
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
  return in;
}

bool any_guided(const search::CompareOptions& o) {
  for (const std::string& name : o.strategies)
    if (search::is_guided_strategy(name)) return true;
  return false;
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
    if (!known || name == "exhaustive") {
      throw UserError(fmt::format(
          "--strategies: '{}' cannot be compared; use auto, random, pattern, "
          "differential_evolution, simulated_annealing, genetic_algorithm, surrogate, or the LLM "
          "strategies llm and hybrid",
          name));
    }
  }
  if (f.pipeline_devices == 0) throw UserError("--pipeline-devices must be at least 1");
  if (f.sync_batches && !o.pipeline) {
    throw UserError("--sync-batches needs --pipeline JOBS: without a modelled evaluator every "
                    "config is measured at once and nothing is in flight to look ahead of");
  }
  if (f.llm_replay_calls > 0 && f.llm_replay.empty()) {
    throw UserError("--llm-replay-calls N continues the runs of a transcript: give the transcript "
                    "with --llm-replay FILE.jsonl");
  }
  if (!f.llm_transcript.empty() && !f.llm_replay.empty() && f.llm_replay_calls == 0) {
    throw UserError("--llm-transcript writes the exchanges of a live comparison and --llm-replay "
                    "reads them back: give one of them (or --llm-replay-calls N as well, to "
                    "continue the replayed runs live after their first N calls)");
  }
}

// A transcript and a store run are keyed by the space's name, so two spaces may not share one.
void check_unique_names(const std::vector<std::string>& files, const Inputs& in) {
  std::map<std::string, std::size_t> first;
  for (std::size_t i = 0; i < in.spaces.size(); ++i) {
    auto [it, inserted] = first.emplace(in.spaces[i].name, i);
    if (!inserted) {
      throw UserError(fmt::format(
          "{} and {} are both called '{}'; LLM runs are told apart by the space's name (in the "
          "transcript and the store): rename one of the recordings",
          files[it->second], files[i], in.spaces[i].name));
    }
  }
}

std::vector<search::CompareRunKey> guided_runs(const Inputs& in, const search::CompareOptions& o) {
  std::vector<search::CompareRunKey> keys;
  for (const sim::RecordedSpace& space : in.spaces)
    for (const std::string& name : o.strategies)
      if (search::is_guided_strategy(name))
        for (std::size_t r = 0; r < o.runs_of(name); ++r) keys.push_back({space.name, name, o.seed + r});
  return keys;
}

llm::ProviderSettings provider_for(const search::GuidedSearchSettings& settings) {
  llm::ProviderSettings p = settings.provider;
  p.request_timeout_s = settings.llm.request_timeout_s;
  p.structured_output = settings.llm.structured_output;
  return p;
}

// Where the LLM strategies' replies come from: a live provider (each exchange appended to the
// transcript when one is asked for) or a transcript. Throws UserError before anything runs when
// neither is configured or the transcript lacks a run.
struct GuidedSetup {
  search::GuidedSearchSettings settings;
  std::optional<search::Transcript> replay;
  std::shared_ptr<search::TranscriptWriter> writer;
};

GuidedSetup setup_guided(const CompareFlags& f, const Inputs& in, search::CompareOptions& o) {
  GetEnv getenv = [](const char* name) { return std::getenv(name); };
  GuidedSetup g;
  const bool live = f.llm_replay.empty() || f.llm_replay_calls > 0;
  if (f.llm_replay_calls > 0 && !f.llm.configured(getenv)) {
    throw UserError(fmt::format(
        "--llm-replay-calls {} asks a model from call {} of each run on: give the provider as "
        "for a live comparison (--llm-model, --llm-provider, --llm-command ...)",
        f.llm_replay_calls, f.llm_replay_calls));
  }
  if (f.llm_replay.empty() && !f.llm.configured(getenv)) {
    throw UserError(
        "the llm and hybrid strategies need an LLM provider: give a model (--llm-model NAME, "
        "with OPENAI_API_KEY or ANTHROPIC_API_KEY set), a local server (--llm-provider "
        "openai-chat --llm-base-url URL --llm-model NAME) or a program (--llm-provider command "
        "--llm-command \"...\"), or answer from a transcript of an earlier comparison with "
        "--llm-replay FILE.jsonl (docs/llm.md, \"Comparing LLM strategies offline\")");
  }
  g.settings = f.llm.resolve(getenv);
  if (!f.llm_replay.empty()) {
    g.replay = search::Transcript::load(f.llm_replay);
    std::vector<std::string> missing = g.replay->missing_runs(guided_runs(in, o));
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size() && i < 10; ++i) list += "\n  " + missing[i];
      if (missing.size() > 10) list += fmt::format("\n  ... and {} more", missing.size() - 10);
      throw UserError(fmt::format(
          "--llm-replay {}: {} LLM run{} of this comparison {} no line in the transcript:{}\n"
          "Replay with the spaces, strategies, --seed and --runs/--llm-runs of the live "
          "comparison that wrote it",
          f.llm_replay, missing.size(), missing.size() == 1 ? "" : "s",
          missing.size() == 1 ? "has" : "have", list));
    }
  }
  if (live) {
    // Made once now so that a missing key or command fails before any run starts.
    std::shared_ptr<llm::LlmClient> probe = llm::make_llm_client(provider_for(g.settings));
    for (const std::string& name : o.strategies)
      if (search::is_guided_strategy(name)) search::make_guided_search(name, g.settings, probe);
    if (!f.llm_transcript.empty())
      g.writer = std::make_shared<search::TranscriptWriter>(f.llm_transcript);
  }
  o.make_guided = [g, calls = f.llm_replay_calls](
                      const search::CompareRunKey& key,
                      const std::function<void(const std::string&)>& log) {
    std::shared_ptr<llm::LlmClient> client;
    if (g.replay && calls == 0) {
      client = g.replay->client_for(key, log);
    } else {
      client = llm::make_llm_client(provider_for(g.settings));
      if (g.replay)
        client = g.replay->continuation_for(key, calls, std::move(client), g.writer, log);
      else if (g.writer)
        client = search::transcribing_client(std::move(client), g.writer, key);
    }
    return search::make_guided_search(key.strategy, g.settings, std::move(client));
  };
  return g;
}

void print_guided_notes(const CompareFlags& f, const GuidedSetup& g, std::FILE* notes) {
  if (g.writer) fmt::print(notes, "appended the LLM exchanges to {}\n", f.llm_transcript);
  if (!f.db.empty()) fmt::print(notes, "stored the LLM exchanges in {}\n", f.db);
  if (g.replay && g.replay->prompt_mismatches() > 0) {
    fmt::print(notes,
               "note: {} replayed LLM request{} differed from the recorded prompt "
               "(prompt_hash): the settings, the spaces or tuna's prompts changed since the "
               "transcript was written, so those runs may not reproduce it (-v shows where)\n",
               g.replay->prompt_mismatches(), g.replay->prompt_mismatches() == 1 ? "" : "s");
  }
}

// Each --prior file, expressed in the space's parameters (store::prior_from_file).
std::function<std::vector<std::shared_ptr<const Prior>>(const sim::RecordedSpace&)>
priors_loader(const CompareFlags& f) {
  return [files = f.priors](const sim::RecordedSpace& recorded) {
    std::vector<std::shared_ptr<const Prior>> priors;
    for (const std::string& file : files)
      priors.push_back(std::make_shared<const Prior>(store::prior_from_file(file, recorded.space)));
    return priors;
  };
}

search::CompareOptions compare_options(const CompareFlags& f) {
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
  if (f.pipeline_jobs > 0) {
    o.pipeline = search::PipelineShape{f.pipeline_jobs, f.pipeline_devices};
    // A tuning run's batches hold what the evaluator can hold at once (Evaluator::parallelism).
    if (!f.batch_given) o.batch_size = o.pipeline->capacity();
  }
  o.lookahead = !f.sync_batches;
  o.guided_runs = f.llm_runs;
  o.guided_threads = std::max(1u, f.llm_threads);
  o.store = f.db;
  if (!f.priors.empty()) o.priors_for = priors_loader(f);
  o.shuffle_priors = f.prior_shuffle;
  if (f.verbose) {
    o.on_guided_log = [](const search::CompareRunKey& key, const std::string& line) {
      fmt::print(stderr, "[{} {} seed {}] {}\n", key.space, key.strategy, key.seed, line);
    };
  }
  return o;
}

std::string runs_note(const search::CompareOptions& o) {
  std::size_t most = o.runs;
  for (const std::string& name : o.strategies) most = std::max(most, o.runs_of(name));
  std::string runs = fmt::format("{} runs", o.runs);
  if (any_guided(o) && o.guided_runs > 0) runs += fmt::format(" ({} for LLM strategies)", o.guided_runs);
  return fmt::format("{}, seeds {}..{}", runs, o.seed, o.seed + most - 1);
}

int run_compare_command(const CompareFlags& f) {
  search::CompareOptions o = compare_options(f);
  check_flags(f, o);

  Inputs in = load_all(f.files, o.threads);
  std::optional<GuidedSetup> guided;
  if (any_guided(o)) {
    check_unique_names(f.files, in);
    guided = setup_guided(f, in, o);
  }
  std::size_t last_shown = 0;
  search::CompareReport report = search::run_compare(
      in.spaces, o,
      [&](std::size_t done, std::size_t total) {
        // About twenty progress lines on stderr, so a long comparison shows it is alive. With
        // -v the LLM runs' logs come in between, so each gets a line of its own.
        if (f.quiet || (done * 20 / total == last_shown && done != total)) return;
        last_shown = done * 20 / total;
        fmt::print(stderr, "{}compare: {}/{} runs", f.verbose ? "" : "\r", done, total);
        if (done == total || f.verbose) fmt::print(stderr, "\n");
      },
      in.specs);
  // With --json, stdout holds the document only; the files' notices go to stderr.
  std::FILE* notes = f.json ? stderr : stdout;
  const bool show_notes = !f.json || !f.quiet;
  if (f.json) {
    report::Json document = report::compare_json(report, f.noise);
    search::add_llm_usage_json(document, report);
    report::print_json(document);
  } else {
    fmt::print("{}", search::format_compare_table(report));
    if (f.verbose && guided) fmt::print("\nLLM runs\n{}", search::format_guided_runs(report));
  }
  if (show_notes)
    fmt::print(notes, "\n{} strategies x {} spaces, {} in {:.1f} s on {} threads{} (noise: {}, "
                      "batch {})\n",
               o.strategies.size(), in.spaces.size(), runs_note(o), report.seconds, o.threads,
               guided ? fmt::format(" + {} for LLM runs", o.guided_threads) : "", f.noise,
               o.batch_size);
  if (guided && show_notes) print_guided_notes(f, *guided, notes);
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
      "configs count. Examples:\n  tuna compare ../shared/datasets/*.json.gz --runs 20\n"
      "  tuna compare conv_A100.toml --strategies llm,hybrid,surrogate --llm-runs 3 \\\n"
      "      --llm-model gpt-5-mini --llm-transcript panel.jsonl\n"
      "  tuna compare conv_A100.toml --strategies llm,hybrid,surrogate --llm-runs 3 "
      "--llm-replay panel.jsonl\n"
      "LLM strategies: docs/llm.md, \"Comparing LLM strategies offline\".");
  cmd->add_option("files", flags->files,
                  "recorded spaces: Kernel Tuner caches, T4 results, KTT output (.gz read "
                  "directly), or sim specs (.toml, `tuna import --write-spec`) whose kernel "
                  "source and device the LLM strategies are told about")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--strategies", flags->strategies,
                  "comma-separated strategies (default: every model-free one); llm and hybrid "
                  "need an LLM provider or --llm-replay")
      ->delimiter(',');
  cmd->add_option("--runs", flags->runs, "seeded runs per strategy and space")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("--budgets", flags->budgets, "budgets in evaluations, comma-separated")
      ->delimiter(',')
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("--targets", flags->targets,
                  "fractions of the optimum whose evaluations-to-reach are reported")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "seed of the first run")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("--noise", flags->noise,
                  "median: replay each config's median time; one-repetition: one recorded "
                  "repetition drawn at random (noisy evaluation)")
      ->check(CLI::IsMember({"median", "one-repetition"}))
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "worker threads (0: one per core)")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("--batch", flags->batch,
                  "configs asked of a strategy at a time (with --pipeline: compile jobs + "
                  "devices, as in a tuning run)")
      ->check(not_negative())
      ->each([flags](const std::string&) { flags->batch_given = true; })
      ->capture_default_str();
  cmd->add_option("--pipeline", flags->pipeline_jobs,
                  "model a tuning run's evaluator with this many compile jobs: each config costs "
                  "its recorded compile and run time, results arrive when that evaluator would "
                  "have them, strategies are asked for more while configs are in flight, and "
                  "the table adds the device's idle share (docs/strategies.md)")
      ->check(not_negative());
  cmd->add_option("--pipeline-devices", flags->pipeline_devices,
                  "devices of the modelled evaluator")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_flag("--sync-batches", flags->sync_batches,
                "with --pipeline: wait for each batch to end before asking for the next, as "
                "`tuna tune --sync-batches` does");
  cmd->add_option("--csv", flags->csv, "write the scores as CSV to this file (default: no file)");
  cmd->add_option("--svg", flags->svg,
                  "write an SVG plot of mean score against evaluations to this file (default: "
                  "no file)");
  cmd->add_option("--prior", flags->priors,
                  "a recording (or tuna store) of the same kernel measured elsewhere, given to "
                  "every strategy as a prior (the LLM strategies see it in their first prompt; "
                  "docs/priors.md); repeatable")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--prior-shuffle", flags->prior_shuffle,
                "shuffle the priors' times among their configs, afresh for each run (by its "
                "seed): what a prior that misleads costs");
  cmd->add_flag("-q,--quiet", flags->quiet, "no progress on stderr");
  cmd->add_flag("-v,--verbose", flags->verbose,
                "print the LLM runs' logs on stderr as they run, and one line per LLM run after "
                "the table");
  const char* group = "LLM strategies in compare (docs/llm.md)";
  cmd->add_option("--llm-runs", flags->llm_runs,
                  "seeded runs per LLM strategy and space (default: --runs)")
      ->check(not_negative())
      ->group(group);
  cmd->add_option("--llm-threads", flags->llm_threads,
                  "LLM runs at once, beside the --threads of the model-free runs (a relay "
                  "model answers one request at a time)")
      ->check(not_negative())
      ->group(group)
      ->capture_default_str();
  cmd->add_option("--llm-transcript", flags->llm_transcript,
                  "append one JSON line per LLM exchange to this file (for --llm-replay)")
      ->group(group);
  cmd->add_option("--llm-replay", flags->llm_replay,
                  "answer the LLM runs from a transcript written by --llm-transcript, without a "
                  "model")
      ->group(group)
      ->check(CLI::ExistingFile);
  cmd->add_option("--llm-replay-calls", flags->llm_replay_calls,
                  "with --llm-replay: answer only the first N calls of each run from the "
                  "transcript and ask the live provider from call N on (a change that acts "
                  "from round N, compared from the same state); --llm-transcript then gets "
                  "every exchange, the replayed ones included")
      ->check(not_negative())
      ->group(group);
  cmd->add_option("--db", flags->db,
                  "also store each LLM run's exchanges in this tuna store, one run per space, "
                  "strategy and seed")
      ->group(group);
  flags->llm.add_to(*cmd, /*with_replay_run=*/false);
  cmd->add_flag("--json", flags->json,
                "print one JSON document on stdout instead of the table (schema: docs/json.md)");
  cmd->callback([flags, &exit_code] { exit_code = run_compare_command(*flags); });
}

}  // namespace tuna::cli
