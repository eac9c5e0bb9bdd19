#pragma once
// One run of the LLM-guided search's state machine, in steps: round 0 (the first request in
// flight while the seeds are measured), refinement rounds, and results measured by someone else
// (the hybrid's surrogate) folded in so the next prompt shows them. LlmGuidedSearch runs the
// seed's protocol with it (run()); HybridSearch interleaves its rounds with a model-free search.
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "llm/feedback_challenger.hpp"
#include "llm/transport.hpp"
#include "search/llm_guided.hpp"
#include "tuna/search.hpp"

namespace tuna::search {

class ModelFreeTurns;  // search/model_free_turns.hpp

// How a round ended.
struct RoundOutcome {
  enum class Kind {
    Measured,     // new configs were measured
    NothingNew,   // the reply held no config not seen before
    BudgetSpent,  // the budget ran out before the round
    FellBack,     // the provider failed and the fallback strategy finished the run
  };
  Kind kind = Kind::Measured;
  std::size_t new_configs = 0;
  std::string why;  // for NothingNew and FellBack: the run's closing reason
};

class LlmSession {
 public:
  LlmSession(const LlmGuidedOptions& options, std::shared_ptr<llm::LlmClient> client,
             SearchServices& services);

  // The seed's protocol: round 0, then refinement rounds until a stop rule. Returns why it
  // stopped.
  std::string run();

  // Round 0: the system and first prompts; the request goes out, then the default and the random
  // seeds are measured while it is in flight (then the filler's proposals, fill_with); its new
  // configs are measured after (at most `max_configs` of them, the first the reply lists, when
  // > 0; all of them otherwise, as in the seed); the round ends with re-timing. Throws UserError
  // on a provider failure without a fallback.
  RoundOutcome first_round(std::size_t max_configs = 0);
  // Round `round` >= 1: a refinement prompt from every result so far (`note`, when not empty,
  // is put before it) asking for `max_configs` configs (when > 0; else the options' number), the
  // filler's proposals measured while it is in flight, the reply's new configs (at most that
  // many) measured, re-timing.
  // In the options' challenge round the prompt asks for configs of the challenger family
  // (llm/feedback_challenger.hpp) when one qualifies.
  RoundOutcome next_round(int round, const std::string& note = {}, std::size_t max_configs = 0);
  // Results measured outside the session: they join the prompt's results and the population,
  // and are never proposed again.
  void absorb(const std::vector<Result>& results);
  // While each request is in flight the devices measure what `filler` proposes (null: they wait
  // for the model). It is shown every result the session records, and its results join the
  // prompt's like any other. Never takes the evaluations the LLM's remaining rounds would ask
  // for. The caller keeps it alive for the session's rounds.
  void fill_with(ModelFreeTurns* filler) { filler_ = filler; }
  // True when two rounds in a row (counted by calls to this) improved the best by less than the
  // options' threshold.
  bool stagnant();
  double best_ms() const;

  void log_stats();
  std::vector<Result>& results() { return results_; }
  bool fell_back() const { return fell_back_; }
  int stagnant_rounds() const { return stagnant_rounds_; }

 private:
  // In the options' challenge round, the family it asks for (llm::find_challenger), said in the
  // run log, as is that none qualifies; nullopt in every other round.
  std::optional<llm::Challenger> challenger_for(int round);
  std::vector<Config> seed_configs();
  llm::LlmRequest make_request(std::vector<llm::Message> messages) const;
  std::vector<llm::Message> context_messages() const;
  void record_exchange(const llm::LlmRequest& request, const std::optional<llm::LlmReply>& reply,
                       const std::string& error, double latency_s);
  std::string fall_back_or_abort(int round, const std::string& error);
  // The reply's configs not seen before. `problems`, when given, gets why the reply could not be
  // used when it held nothing usable (no configs object or list, or every config dropped); empty
  // otherwise, including for a reply that proposes nothing ({"configs": []}) or only what was
  // measured.
  std::vector<Config> new_configs(const std::string& reply, int round,
                                  std::vector<std::string>* problems = nullptr);
  // Keeps the first `max_configs` of a round's new configs (all when 0); the rest are forgotten,
  // not measured, so a later round may propose them again.
  void keep_first(std::vector<Config>& proposed, std::size_t max_configs, int round);
  // One exchange of a later round: `prompt` after the context, the filler measuring while it is
  // in flight (leaving `reserve` evaluations), recorded; prompt and reply join the history. The
  // reply's text, or nullopt with `error` set when the provider failed.
  std::optional<std::string> converse(int round, std::string prompt, std::size_t reserve,
                                      std::string& error);
  void measure(const std::vector<Config>& configs, const EvaluationStream& stream = {});
  // The evaluations the LLM's rounds from `round` on would ask for, at `asked` each (what the
  // filler leaves them).
  std::size_t remaining_rounds_need(int round, std::size_t asked) const;
  // Measures `first`, then what the filler proposes until `reply_in()`, leaving `reserve`
  // evaluations of the budget untouched.
  void measure_while_waiting(const std::function<bool()>& reply_in,
                             const std::vector<Config>& first, std::size_t reserve, int round);
  void add_to_population(const Result& r);
  void store_latest(const Result& r);
  void finalize_round(int round);

  const LlmGuidedOptions& options_;
  std::shared_ptr<llm::LlmClient> client_;
  SearchServices& services_;
  const Space& space_;
  Config default_;
  std::vector<llm::Message> messages_;
  std::unordered_set<std::string> seen_;
  std::vector<Result> results_;  // prompt-facing: one latest result per config
  std::unordered_map<std::string, std::size_t> result_index_;
  std::vector<Result> population_;  // the best few, re-timed before each prompt
  std::vector<double> llm_times_, bench_times_;
  std::int64_t tokens_in_ = 0, tokens_out_ = 0;
  double prev_best_ = std::numeric_limits<double>::infinity();
  int stagnant_rounds_ = 0;
  bool fell_back_ = false;
  ModelFreeTurns* filler_ = nullptr;
};

}  // namespace tuna::search
