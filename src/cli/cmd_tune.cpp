// `tuna tune SPEC`: one tuning run, with progress on stderr and the summary on stdout.
#include <unistd.h>

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>

#include "cli/common.hpp"
#include "cluster/cluster_protocol.hpp"
#include "cluster/follower.hpp"
#include "cluster/leader.hpp"
#include "cluster/mpi_session.hpp"
#include "cluster/rank_share.hpp"
#include "cli/interrupt.hpp"
#include "cli/llm_flags.hpp"
#include "report/console.hpp"
#include "report/json_output.hpp"
#include "search/registry.hpp"
#include "store/prior_source.hpp"
#include "tuna/driver.hpp"

namespace tuna::cli {
namespace {

struct TuneFlags {
  std::string spec_path;
  std::string strategy = "auto";
  std::uint64_t seed = 0;
  std::size_t max_evals = 100;
  double time_budget_s = 0;
  std::size_t batch_size = 0;
  bool fresh = false;
  bool sync_batches = false;
  int finalists = 5;
  double finalists_within = 1.5;
  int shootout_rounds = 5;
  std::vector<std::string> priors;  // --prior FILE, repeatable
  bool no_store_prior = false;
  OutputFlags output;
  StoreFlags store;
  EvaluatorFlags evaluator;
  LlmFlags llm;
};

// One summary per device model; several only with --mixed-devices (JSON: {"models": [...]}).
void print_summaries(const std::vector<TuneSummary>& summaries, const KernelSpec& spec,
                     const Store& store, bool json) {
  Space space = key_space(spec);
  if (json) {
    if (summaries.size() == 1) {
      report::print_json(report::tune_json(summaries.front(), spec, space, store.path().string()));
      return;
    }
    report::Json models = report::Json::array();
    for (const TuneSummary& s : summaries) {
      models.push_back(report::tune_json(s, spec, space, store.path().string()));
    }
    report::print_json({{"models", models}});
    return;
  }
  for (const TuneSummary& s : summaries) {
    report::print_summary(stdout, s, space);
    fmt::print("results: {}\nrun: {}\n", store.path().string(), s.run_id);
  }
}

int tune_and_report(const TuneFlags& f, const KernelSpec& spec,
                    std::vector<std::shared_ptr<eval::Peer>> peers);

int run_tune_in_cluster(const TuneFlags& f);

int run_tune(const TuneFlags& f) {
  if (cluster::launcher_world_size() > 1) return run_tune_in_cluster(f);
  return tune_and_report(f, load_spec(f.spec_path), {});
}

// Under mpirun (docs/scale.md): rank 0 leads the run, every other rank serves it. A failure on
// the leader once batches have begun ends every rank at once (MPI_Abort): a follower in the
// middle of a batch could not otherwise learn of it.
int run_tune_in_cluster(const TuneFlags& f) {
  cluster::MpiSession session;
  cluster::RankShare share = cluster::rank_share();
  if (auto warning = cluster::binding_warning(share, session.rank(), session.host())) {
    fmt::print(stderr, "{}\n", *warning);
  }
  TuneFlags flags = f;
  if (flags.evaluator.compile_jobs == 0) {
    flags.evaluator.compile_jobs = cluster::default_compile_jobs(share);
  }
  if (session.rank() != cluster::kLeader) {
    // The leader decides when to stop; a Ctrl-C that mpirun forwards to every rank reaches it.
    std::signal(SIGINT, SIG_IGN);
    return cluster::serve_leader(
        session, [&] { return load_spec(flags.spec_path); },
        [&] { return flags.evaluator.options(); });
  }
  std::optional<KernelSpec> loaded;
  try {
    loaded = load_spec(flags.spec_path);
  } catch (const UserError&) {
    cluster::release_followers(session);  // they wait for the leader's word before exiting
    throw;
  }
  const KernelSpec& spec = *loaded;
  std::vector<std::shared_ptr<eval::Peer>> peers = cluster::gather_followers(session, spec);
  try {
    int code = tune_and_report(flags, spec, std::move(peers));
    cluster::release_followers(session);
    return code;
  } catch (const UserError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "tuna: error: {}\n", e.what());
    session.abort(kExitUserError);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "tuna: {}\nThis is a bug in tuna; please report it with the command "
                       "you ran.\n", e.what());
    session.abort(kExitInternalError);
  }
}

// Each --prior file in the spec's parameters. The device's constraints are not known yet (the
// bench worker learns them), so the run drops what they rule out (TuneOptions::strategy).
std::vector<std::shared_ptr<const Prior>> load_priors(const std::vector<std::string>& files,
                                                      const KernelSpec& spec) {
  std::vector<std::shared_ptr<const Prior>> priors;
  if (files.empty()) return priors;
  Space space = key_space(spec);
  for (const std::string& file : files) {
    try {
      priors.push_back(std::make_shared<const Prior>(store::prior_from_file(file, space)));
    } catch (const UserError& e) {
      throw UserError(fmt::format("--prior {}", e.what()));
    }
  }
  return priors;
}

int tune_and_report(const TuneFlags& f, const KernelSpec& spec,
                    std::vector<std::shared_ptr<eval::Peer>> peers) {
  std::vector<std::shared_ptr<const Prior>> priors = load_priors(f.priors, spec);
  Store store(f.store.path());
  GetEnv getenv = [](const char* name) { return std::getenv(name); };
  TuneOptions options;
  std::string strategy = search::resolve_strategy_name(f.strategy, f.llm.configured(getenv));
  options.strategy = {strategy, f.seed, std::move(priors)};
  options.priors_from_store = !f.no_store_prior;
  if (search::is_guided_strategy(strategy)) {
    options.search = search::make_guided_search(strategy, f.llm.resolve(store, getenv));
  }
  options.max_evals = f.max_evals;
  options.time_budget_s = f.time_budget_s;
  options.batch_size = f.batch_size;
  options.fresh = f.fresh;
  options.lookahead = !f.sync_batches;
  options.finalists = f.finalists;
  options.finalists_within = f.finalists_within;
  options.shootout_rounds = f.shootout_rounds;
  options.evaluator = f.evaluator.options();
  options.evaluator.peers = std::move(peers);
  options.stop_requested = &install_interrupt_handler();

  report::ConsoleProgress progress({.live = ::isatty(2) != 0,
                                    .verbosity = f.output.verbosity,
                                    .quiet = f.output.quiet});
  std::vector<TuneSummary> summaries = tune_each_model(spec, options, store, progress);
  progress.on_phase("");
  print_summaries(summaries, spec, store, f.output.json);
  bool interrupted = false, all_found = true;
  for (const TuneSummary& s : summaries) {
    interrupted = interrupted || s.interrupted;
    all_found = all_found && s.best.has_value();
  }
  if (interrupted) return kExitInterrupted;
  return all_found ? kExitOk : kExitNoCorrectConfig;
}

}  // namespace

void add_tune_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<TuneFlags>();
  CLI::App* cmd = app.add_subcommand("tune", "tune a kernel: search its space for the fastest "
                                             "correct config");
  cmd->footer(
      "Example:\n  tuna tune examples/host/matmul/spec.toml --max-evals 50\n"
      "  tuna tune spec.toml --strategy exhaustive --max-evals 0   # every valid config\n"
      "  tuna tune spec.toml --strategy llm --llm-model gpt-5-mini   # key in $OPENAI_API_KEY\n"
      "Results go to the store as they arrive; a second run reuses them (--fresh re-measures).");
  cmd->add_option("spec", flags->spec_path, "the kernel's spec.toml")->required();
  std::string names;
  for (const auto& [name, _] : strategy_names()) names += (names.empty() ? "" : ", ") + name;
  cmd->add_option("-s,--strategy", flags->strategy,
                  names + " (auto: hybrid when an LLM provider is configured, else surrogate; "
                          "docs/strategies.md)")
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "seed of the strategy")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("-n,--max-evals", flags->max_evals, "configs to consider (0: no limit)")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("-t,--time", flags->time_budget_s, "wall-clock budget in seconds (0: none)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch", flags->batch_size,
                  "configs per batch (default: compile jobs + devices)")
      ->check(not_negative());
  cmd->add_flag("--fresh", flags->fresh, "re-measure configs already in the store");
  cmd->add_flag("--sync-batches", flags->sync_batches,
                "wait for each batch to end before proposing the next (default: random, "
                "exhaustive and surrogate propose more while a batch's last configs run)");
  cmd->add_option("--finalists-within", flags->finalists_within,
                  "only configs within this factor of the best time enter the shootout")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  cmd->add_option("--finalists", flags->finalists, "configs in the final shootout")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("--shootout-rounds", flags->shootout_rounds,
                  "interleaved re-timing rounds of the finalists (0: none)")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("--prior", flags->priors,
                  "a recording (Kernel Tuner cache, T4, KTT; .gz or not) or tuna store of this "
                  "kernel measured elsewhere: the search tries what was fast there first and "
                  "learns how far to trust it (docs/priors.md); repeatable")
      ->allow_extra_args(false);  // one file per --prior, so the spec after it stays the spec
  cmd->add_flag("--no-store-prior", flags->no_store_prior,
                "do not use the store's results of this kernel on other devices, problems or "
                "spec versions as priors");
  flags->output.add_to(*cmd, /*verbosity_flags=*/true);
  flags->store.add_to(*cmd);
  flags->evaluator.add_to(*cmd);
  flags->llm.add_to(*cmd);
  cmd->callback([flags, &exit_code] { exit_code = run_tune(*flags); });
}

}  // namespace tuna::cli
