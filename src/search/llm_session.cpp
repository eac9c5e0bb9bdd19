#include "search/llm_session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <future>
#include <limits>
#include <optional>
#include <random>
#include <thread>

#include "llm/configs.hpp"
#include "llm/kernel_source.hpp"
#include "llm/prompting.hpp"
#include "search/ask_tell_loop.hpp"
#include "search/model_free_turns.hpp"
#include "search/prior_first.hpp"
#include "tuna/errors.hpp"
#include "tuna/strategy.hpp"

namespace tuna::search {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One request and what became of it. A provider failure (LlmError) is data here: the search
// decides between aborting and falling back. Anything else is rethrown where it is awaited.
struct CallOutcome {
  llm::LlmRequest request;
  std::optional<llm::LlmReply> reply;
  std::string error;
  double latency_s = 0;
};

CallOutcome call_llm(llm::LlmClient& client, llm::LlmRequest request) {
  CallOutcome out;
  out.request = std::move(request);
  Clock::time_point t0 = Clock::now();
  try {
    out.reply = client.complete(out.request);
  } catch (const llm::LlmError& e) {
    out.error = e.what();
  }
  out.latency_s = seconds_since(t0);
  return out;
}

// Round 0's request, in flight on its own thread while the seeds are measured. The thread owns
// everything it touches (the client through a shared_ptr, the promise), so if measuring the
// seeds throws, the thread is detached and finishes on its own instead of holding the error
// back for up to a request timeout.
class InFlightCall {
 public:
  InFlightCall(std::shared_ptr<llm::LlmClient> client, llm::LlmRequest request) {
    auto promise = std::make_shared<std::promise<CallOutcome>>();
    future_ = promise->get_future();
    thread_ =
        std::thread([client = std::move(client), promise, request = std::move(request)]() mutable {
          try {
            promise->set_value(call_llm(*client, std::move(request)));
          } catch (...) {
            promise->set_exception(std::current_exception());
          }
        });
  }
  InFlightCall(const InFlightCall&) = delete;
  InFlightCall& operator=(const InFlightCall&) = delete;
  ~InFlightCall() {
    if (thread_.joinable()) thread_.detach();
  }
  // Whether the reply (or the failure) is in, without waiting.
  bool ready() const {
    return outcome_ || future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  CallOutcome& wait() {
    if (!outcome_) {
      future_.wait();
      thread_.join();
      outcome_ = future_.get();
    }
    return *outcome_;
  }

 private:
  std::future<CallOutcome> future_;
  std::thread thread_;
  std::optional<CallOutcome> outcome_;
};

// What the request cost the live run: the provider's latency when it reports one (a replayed
// reply reports the recorded call's), else the time the call took here.
double latency_of(const CallOutcome& outcome) {
  if (outcome.reply && outcome.reply->latency_s > 0) return outcome.reply->latency_s;
  return outcome.latency_s;
}

// Sends a request and says when its reply is in. On a wall clock: when it has arrived. On a
// modelled clock (a replay): once the modelled time has passed the time the request was sent plus
// what it cost when recorded, so that the run models the model's thinking time as well; `done`
// then moves the clock there if the devices ran out of work first.
class Request {
 public:
  Request(std::shared_ptr<llm::LlmClient> client, llm::LlmRequest request,
          SearchServices& services)
      : services_(services),
        sent_at_(services.clock_s()),
        call_(std::move(client), std::move(request)) {}

  bool reply_in() {
    if (services_.clock() != RunClock::Modelled) return call_.ready();
    return services_.clock_s() >= sent_at_ + latency_of(call_.wait());
  }
  CallOutcome& done() {
    CallOutcome& outcome = call_.wait();
    if (services_.clock() == RunClock::Modelled)
      services_.idle_until(sent_at_ + latency_of(outcome));
    return outcome;
  }

 private:
  SearchServices& services_;
  double sent_at_;
  InFlightCall call_;
};

bool faster(const Result& a, const Result& b) {
  if (a.ok() != b.ok()) return a.ok();
  return a.ok() && a.median_ms < b.median_ms;
}

// At most this many of the parser's notes are quoted back to the model.
constexpr std::size_t kMaxProblemsQuoted = 6;

std::string correction_prompt(const std::vector<std::string>& problems) {
  std::string listed;
  for (std::size_t i = 0; i < problems.size() && i < kMaxProblemsQuoted; ++i)
    listed += "\n- " + problems[i];
  if (problems.size() > kMaxProblemsQuoted)
    listed += fmt::format("\n- and {} more", problems.size() - kMaxProblemsQuoted);
  return "Your last reply could not be used; nothing of it was measured:" + listed +
         "\n\nAnswer the same request again: exactly one JSON object {\"configs\": [...]}, each "
         "config naming only parameters of the tuning space above, with values from their "
         "lists.";
}

}  // namespace

std::vector<Config> LlmSession::seed_configs() {
  std::vector<Config> seeds = {default_};
  std::unordered_set<std::string> keys = {space_.key(default_)};
  // The priors' leaders first, in place of as many random seeds.
  PriorLeaders leaders(space_, services_.priors());
  const int led = std::min(options_.prior_seed_leaders, options_.initial_random_configs);
  for (int i = 0; i < led; ++i) {
    std::optional<PriorEntry> lead =
        leaders.next([&](const std::string& key) { return keys.count(key) > 0; });
    if (!lead) break;
    keys.insert(lead->key);
    seeds.push_back(std::move(lead->config));
  }
  std::mt19937_64 rng(services_.seed());
  // A small space may hold fewer distinct configs than asked for: give up after many repeats.
  int draws_left = 20 * options_.initial_random_configs + 20;
  while (static_cast<int>(seeds.size()) < options_.initial_random_configs + 1 && draws_left-- > 0) {
    Config c;
    try {
      c = space_.random_valid(rng);
    } catch (const UserError&) {
      break;  // no valid config can be drawn: the default alone seeds the search
    }
    if (keys.insert(space_.key(c)).second) seeds.push_back(std::move(c));
  }
  return seeds;
}

llm::LlmRequest LlmSession::make_request(std::vector<llm::Message> messages) const {
  llm::LlmRequest request;
  request.messages = std::move(messages);
  request.max_output_tokens = options_.output_tokens();
  if (options_.structured_output) request.json_schema = llm::response_json_schema(space_);
  return request;
}

// The system prompt and the first prompt always; after them only the latest exchanges, so long
// runs stay within the model's context.
std::vector<llm::Message> LlmSession::context_messages() const {
  std::size_t prefix = std::min<std::size_t>(2, messages_.size());
  std::size_t max_suffix = static_cast<std::size_t>(options_.context_rounds) * 2;
  std::size_t suffix_begin = std::max(
      prefix, messages_.size() > max_suffix + prefix ? messages_.size() - max_suffix : prefix);
  std::vector<llm::Message> out(messages_.begin(), messages_.begin() + prefix);
  out.insert(out.end(), messages_.begin() + suffix_begin, messages_.end());
  return out;
}

void LlmSession::record_exchange(const llm::LlmRequest& request,
                                 const std::optional<llm::LlmReply>& reply,
                                 const std::string& error, double latency_s) {
  llm_times_.push_back(latency_s);
  LlmExchange e;
  e.provider = client_->provider();
  e.model = client_->model();
  e.prompt_json = llm::request_json_for_store(request, e.model);
  e.latency_s = latency_s;
  e.error = error;
  if (reply) {
    e.response_text = reply->text;
    e.input_tokens = reply->input_tokens;
    e.output_tokens = reply->output_tokens;
    e.latency_s = reply->latency_s > 0 ? reply->latency_s : latency_s;
    tokens_in_ += e.input_tokens;
    tokens_out_ += e.output_tokens;
  }
  services_.record_llm_exchange(e);
}

std::string LlmSession::fall_back_or_abort(int round, const std::string& error) {
  if (options_.fallback_strategy.empty()) {
    throw UserError(fmt::format(
        "the LLM provider '{}' (model '{}') failed in round {}: {}\nThe run stops here; "
        "everything measured so far is in the store. Check the provider settings (docs/llm.md), "
        "or pass --llm-fallback STRATEGY (for example --llm-fallback random) to continue "
        "without the LLM when the provider fails.",
        client_->provider(), client_->model(), round, error));
  }
  fell_back_ = true;
  services_.log(
      fmt::format("round {}: the LLM provider '{}' failed ({}); continuing with the "
                  "'{}' strategy",
                  round, client_->provider(), error, options_.fallback_strategy));
  // The cap is for the LLM's exploratory proposals, not for the model-free search.
  services_.restore_compile_timeout();
  std::unique_ptr<Strategy> strategy =
      make_strategy({options_.fallback_strategy, services_.seed()}, space_);
  std::string why = continue_with_strategy(services_, *strategy, results_);
  if (why == kBudgetSpent) return why;
  return fmt::format("the LLM provider failed in round {}; then {}", round, why);
}

std::vector<Config> LlmSession::new_configs(const std::string& reply, int round,
                                            std::vector<std::string>* problems) {
  llm::ParsedConfigs parsed = llm::parse_response_configs(reply, space_, default_);
  for (const std::string& note : parsed.notes)
    services_.log(fmt::format("round {}: {}", round, note));
  if (!parsed.found_json) {
    services_.log(fmt::format("round {}: the LLM's reply holds no JSON configs", round));
  }
  if (problems && parsed.configs.empty() && (!parsed.found_configs || parsed.proposed > 0))
    *problems = parsed.notes;
  std::vector<Config> fresh;
  for (Config& c : parsed.configs) {
    if (seen_.insert(space_.key(c)).second) fresh.push_back(std::move(c));
  }
  return fresh;
}

void LlmSession::keep_first(std::vector<Config>& proposed, std::size_t max_configs, int round) {
  if (max_configs == 0 || proposed.size() <= max_configs) return;
  services_.log(fmt::format("round {}: the reply holds {} new configs; measuring the first {} (as "
                            "many as were asked for)",
                            round, proposed.size(), max_configs));
  for (std::size_t i = max_configs; i < proposed.size(); ++i) seen_.erase(space_.key(proposed[i]));
  proposed.resize(max_configs);
}

std::optional<std::string> LlmSession::converse(int round, std::string prompt, std::size_t reserve,
                                                std::string& error) {
  std::vector<llm::Message> request = context_messages();
  request.push_back({"user", prompt});
  Request call(client_, make_request(std::move(request)), services_);
  measure_while_waiting([&] { return call.reply_in(); }, {}, reserve, round);
  CallOutcome& outcome = call.done();
  record_exchange(outcome.request, outcome.reply, outcome.error, outcome.latency_s);
  if (!outcome.reply) {
    error = outcome.error;
    return std::nullopt;
  }
  messages_.push_back({"user", std::move(prompt)});
  messages_.push_back({"assistant", outcome.reply->text});
  return outcome.reply->text;
}

void LlmSession::measure(const std::vector<Config>& configs, const EvaluationStream& stream) {
  Clock::time_point t0 = Clock::now();
  std::vector<Result> measured = services_.evaluate(configs, stream);
  bench_times_.push_back(seconds_since(t0));
  for (const Result& r : measured) {
    seen_.insert(r.key);  // the filler's, which the LLM may then not propose again
    store_latest(r);
    add_to_population(r);
  }
  if (filler_) filler_->observe_new(measured);
}

std::size_t LlmSession::remaining_rounds_need(int round, std::size_t asked) const {
  return static_cast<std::size_t>(std::max(0, options_.max_rounds - round)) * asked;
}

void LlmSession::measure_while_waiting(const std::function<bool()>& reply_in,
                                       const std::vector<Config>& first, std::size_t reserve,
                                       int round) {
  std::size_t filled = 0;
  // Under a budget in evaluations, each evaluation filled is one the LLM cannot have later, and
  // it comes before the reply's configs in the run's order: the filler takes only what the
  // LLM's rounds would leave unused, spread over the requests left, so no round's configs are
  // pushed back by more than a share of it. Without such a budget only the device's time counts.
  const std::size_t requests_left =
      static_cast<std::size_t>(std::max(1, options_.max_rounds - round));
  const std::size_t left = services_.evaluations_left();
  const std::size_t spoken_for = reserve + first.size();
  const std::size_t share = left == SIZE_MAX    ? SIZE_MAX
                            : left <= spoken_for ? 0
                                                 : (left - spoken_for + requests_left - 1) /
                                                       requests_left;
  auto room = [&]() -> std::size_t {
    if (share == SIZE_MAX) return SIZE_MAX;
    return share > filled ? share - filled : 0;
  };
  // Without a clock (a replay that takes no time) there is no "meanwhile" to fill.
  auto fill = [&](std::size_t n) -> std::vector<Config> {
    if (!filler_ || services_.clock() == RunClock::None || reply_in()) return {};
    const std::size_t allowed = std::min(n, room());
    if (allowed == 0) return {};
    std::vector<Config> more = filler_->propose(allowed);
    filled += more.size();
    return more;
  };
  std::vector<Config> batch = first;
  if (batch.empty()) batch = fill(services_.batch_size());
  if (batch.empty()) return;
  EvaluationStream stream;
  std::vector<Result> arrived;  // since the filler was last asked
  if (filler_) {
    stream.on_result = [&](const Result& r) { arrived.push_back(r); };
    stream.more = [&](std::size_t n) {
      filler_->observe_new(arrived);  // each proposal sees what came in meanwhile
      arrived.clear();
      return fill(n);
    };
  }
  measure(batch, stream);
  if (filled > 0) {
    services_.log(fmt::format("round {}: measured {} configs from {} while the LLM was thinking",
                              round, filled, filler_->name()));
  }
}

void LlmSession::add_to_population(const Result& r) {
  auto same = [&](const Result& member) { return member.key == r.key; };
  population_.erase(std::remove_if(population_.begin(), population_.end(), same),
                    population_.end());
  population_.push_back(r);
  std::stable_sort(population_.begin(), population_.end(), faster);
  if (population_.size() > static_cast<std::size_t>(options_.population_size())) {
    population_.resize(options_.population_size());
  }
}

void LlmSession::store_latest(const Result& r) {
  auto [it, inserted] = result_index_.try_emplace(r.key, results_.size());
  if (inserted) {
    results_.push_back(r);
  } else {
    results_[it->second] = r;
  }
}

// Re-times the population's members within the threshold of the best, so the next prompt and
// the stop rule see stabilised timings rather than one-shot measurements.
void LlmSession::finalize_round(int round) {
  double best = best_ms();
  std::vector<Config> to_retime;
  for (const Result& member : population_) {
    if (member.ok() && member.median_ms <= best * options_.rebenchmark_threshold) {
      to_retime.push_back(member.config);
    }
  }
  if (!to_retime.empty()) {
    std::vector<Result> timed = services_.retime(to_retime);
    for (const Result& t : timed) {
      for (Result& member : population_) {
        if (member.key == t.key) member = t;
      }
      store_latest(t);
    }
    std::stable_sort(population_.begin(), population_.end(), faster);
  }
  std::string best_line = "no correct config yet";
  if (!population_.empty() && population_.front().ok()) {
    const Result& b = population_.front();
    best_line = fmt::format("best {:.4g} ms ({})", b.median_ms, b.key);
  }
  services_.log(fmt::format("round {} complete: {} configs measured, {} re-timed; {}", round,
                            results_.size(), to_retime.size(), best_line));
}

double LlmSession::best_ms() const {
  if (population_.empty() || !population_.front().ok())
    return std::numeric_limits<double>::infinity();
  return population_.front().median_ms;
}

bool LlmSession::stagnant() {
  double best = best_ms();
  if (std::isfinite(best) && std::isfinite(prev_best_) && prev_best_ > 0) {
    double improvement = (prev_best_ - best) / prev_best_;
    if (improvement < options_.min_improvement) {
      if (++stagnant_rounds_ >= options_.max_stagnant_rounds) return true;
    } else {
      stagnant_rounds_ = 0;
    }
  }
  prev_best_ = best;
  return false;
}

LlmSession::LlmSession(const LlmGuidedOptions& options, std::shared_ptr<llm::LlmClient> client,
                       SearchServices& services)
    : options_(options),
      client_(std::move(client)),
      services_(services),
      space_(services.space()),
      default_(space_.default_config()) {}

RoundOutcome LlmSession::first_round(std::size_t max_configs) {
  const KernelSpec& spec = services_.spec();
  messages_ = {
      {"system", llm::build_system_prompt(spec, space_)},
      {"user",
       llm::build_initial_prompt({spec, space_, services_.device(), llm::read_kernel_source(spec),
                                  options_.configs_per_round, services_.compile_timeout_s(),
                                  &services_.priors()})},
  };

  // The first prompt needs no feedback, so its request overlaps the seeds' timing.
  std::vector<Config> seeds = seed_configs();
  for (const Config& c : seeds) seen_.insert(space_.key(c));
  services_.log(
      fmt::format("round 0: asking the LLM while measuring {} seed configs (1 default "
                  "+ {} random)",
                  seeds.size(), seeds.size() - 1));
  Request first_call(client_, make_request(messages_), services_);
  measure_while_waiting([&] { return first_call.reply_in(); }, seeds,
                        remaining_rounds_need(0, options_.configs_per_round), 0);
  CallOutcome& first = first_call.done();
  record_exchange(first.request, first.reply, first.error, first.latency_s);
  if (!first.reply) return {RoundOutcome::Kind::FellBack, 0, fall_back_or_abort(0, first.error)};
  messages_.push_back({"assistant", first.reply->text});
  std::vector<Config> proposed = new_configs(first.reply->text, 0);
  keep_first(proposed, max_configs, 0);
  if (proposed.empty()) {
    services_.log("round 0: no new configs from the LLM");
  } else {
    services_.log(fmt::format("round 0: measuring {} new configs from the LLM", proposed.size()));
    measure(proposed);
  }
  finalize_round(0);
  prev_best_ = best_ms();
  return {RoundOutcome::Kind::Measured, proposed.size(), {}};
}

std::optional<llm::Challenger> LlmSession::challenger_for(int round) {
  if (round != options_.challenge_round) return std::nullopt;
  const llm::FeedbackInputs fb{space_, default_, results_, &services_.spec(), &services_.device()};
  std::optional<llm::Challenger> c = llm::find_challenger(fb);
  if (!c) {
    services_.log(fmt::format("round {}: no family qualifies for a challenge round; the round "
                              "refines the anchors",
                              round));
    return c;
  }
  services_.log(fmt::format("round {}: challenge round for {} (its best x{:.3f} of the best, "
                            "{} correct configs measured)",
                            round, llm::challenge_family(space_, *c), c->ratio, c->measured));
  return c;
}

RoundOutcome LlmSession::next_round(int round, const std::string& note, std::size_t max_configs) {
  if (!services_.budget_left()) return {RoundOutcome::Kind::BudgetSpent, 0, kBudgetSpent};
  const int asked = max_configs > 0 ? static_cast<int>(max_configs) : options_.configs_per_round;
  const std::optional<llm::Challenger> challenger = challenger_for(round);
  std::string prompt = llm::build_refinement_prompt(
      {space_, default_, results_, round, asked, services_.compile_timeout_s(), &services_.spec(),
       &services_.device(), challenger ? &*challenger : nullptr});
  if (!note.empty()) prompt = note + "\n\n" + prompt;
  const std::size_t reserve = remaining_rounds_need(round, static_cast<std::size_t>(asked));
  std::string error;
  std::optional<std::string> reply = converse(round, std::move(prompt), reserve, error);
  if (!reply) return {RoundOutcome::Kind::FellBack, 0, fall_back_or_abort(round, error)};
  std::vector<std::string> problems;
  std::vector<Config> proposed = new_configs(*reply, round, &problems);
  if (proposed.empty() && !problems.empty()) {
    // A reply that could not be used is an error of the model's, not a sign that it has nothing
    // new to propose: it hears why and answers once more before the round counts as empty.
    services_.log(
        fmt::format("round {}: the reply could not be used; asking the model once more", round));
    reply = converse(round, correction_prompt(problems), reserve, error);
    if (!reply) return {RoundOutcome::Kind::FellBack, 0, fall_back_or_abort(round, error)};
    proposed = new_configs(*reply, round);
  }
  keep_first(proposed, max_configs, round);
  if (proposed.empty()) {
    services_.log(fmt::format("round {}: no new configs from the LLM", round));
    return {RoundOutcome::Kind::NothingNew, 0,
            fmt::format("round {} brought no new config", round)};
  }
  services_.log(fmt::format("round {}: measuring {} new configs", round, proposed.size()));
  measure(proposed);
  finalize_round(round);
  return {RoundOutcome::Kind::Measured, proposed.size(), {}};
}

void LlmSession::absorb(const std::vector<Result>& results) {
  for (const Result& r : results) {
    seen_.insert(r.key);
    store_latest(r);
    add_to_population(r);
  }
}

std::string LlmSession::run() {
  services_.log(fmt::format(
      "LLM-guided search: provider {}, model {}, {} configs per round, "
      "up to {} rounds",
      client_->provider(), client_->model(), options_.configs_per_round, options_.max_rounds));
  if (options_.compile_timeout_cap_s > 0) {
    services_.cap_compile_timeout(options_.compile_timeout_cap_s);
    services_.log(
        fmt::format("LLM compile timeout capped at {:g} s", services_.compile_timeout_s()));
  }
  RoundOutcome first = first_round();
  if (first.kind == RoundOutcome::Kind::FellBack) return first.why;
  // Later rounds are synchronous: each prompt reports the previous round's re-timed results.
  for (int round = 1; round < options_.max_rounds; ++round) {
    RoundOutcome outcome = next_round(round);
    if (outcome.kind != RoundOutcome::Kind::Measured) {
      if (outcome.kind == RoundOutcome::Kind::NothingNew)
        services_.log(fmt::format("round {}: stopping", round));
      return outcome.why;
    }
    if (stagnant()) {
      services_.log(fmt::format("early stop: the best improved by less than {:g}% for {} rounds",
                                options_.min_improvement * 100, stagnant_rounds_));
      return fmt::format("no significant improvement for {} rounds", stagnant_rounds_);
    }
  }
  if (!services_.budget_left()) return kBudgetSpent;
  return fmt::format("all {} LLM rounds done", options_.max_rounds);
}

void LlmSession::log_stats() {
  if (llm_times_.empty()) return;
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
  };
  services_.log(
      fmt::format("LLM search stats: {} LLM calls, avg LLM call {:.1f} s, avg "
                  "benchmark {:.1f} s, tokens {} in + {} out = {}",
                  llm_times_.size(), mean(llm_times_), mean(bench_times_), tokens_in_, tokens_out_,
                  tokens_in_ + tokens_out_));
}

}  // namespace tuna::search
