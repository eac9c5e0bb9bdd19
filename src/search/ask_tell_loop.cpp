#include "search/ask_tell_loop.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tuna::search {
namespace {

// Batches in a row that measured nothing (every proposal was already considered in this run)
// before the loop gives up on the strategy. A strategy may propose a config it has not observed
// itself (the default, measured before it started, or a config an LLM round measured), but one
// that does so batch after batch would loop forever.
constexpr int kMaxEmptyBatches = 8;

class Loop {
 public:
  Loop(SearchServices& services, Strategy& strategy, const AskTellLoopOptions& options)
      : services_(services), strategy_(strategy), options_(options) {
    stream_.on_result = [this](const Result& r) { pending_.push_back(r); };
    if (options_.lookahead && options_.limit == 0 && strategy_.proposes_while_measuring()) {
      stream_.more = [this](std::size_t n) {
        observe_pending();  // each proposal sees the results that came in meanwhile
        return strategy_.propose(n);
      };
    }
  }

  AskTellStretch run() {
    int empty_batches = 0;
    bool first = !options_.first_batch.empty();
    while (services_.budget_left() && !limit_reached()) {
      std::vector<Config> batch = first ? options_.first_batch : strategy_.propose(batch_size());
      first = false;
      if (batch.empty()) {
        out_.stopped =
            fmt::format("{} has nothing more to propose (space exhausted)", strategy_.name());
        break;
      }
      std::vector<Result> results = services_.evaluate(batch, stream_);
      observe_pending();
      if (results.empty() && services_.budget_left() && ++empty_batches >= kMaxEmptyBatches) {
        out_.stopped = fmt::format("{} proposed only configs already considered", strategy_.name());
        break;
      }
      if (!results.empty()) empty_batches = 0;
      out_.measured.insert(out_.measured.end(), results.begin(), results.end());
    }
    return std::move(out_);
  }

 private:
  bool limit_reached() const {
    return options_.limit > 0 && out_.measured.size() >= options_.limit;
  }
  // Never more than the budget allows: a config proposed and never measured would be lost to
  // the strategy.
  std::size_t batch_size() const {
    std::size_t n = std::min(services_.batch_size(), services_.evaluations_left());
    if (options_.limit > 0) n = std::min(n, options_.limit - out_.measured.size());
    return std::max<std::size_t>(n, 1);
  }
  void observe_pending() {
    if (pending_.empty()) return;
    std::vector<Result> results = std::move(pending_);
    pending_.clear();
    if (options_.observe) {
      options_.observe(results);
    } else {
      strategy_.observe(results);
    }
  }

  SearchServices& services_;
  Strategy& strategy_;
  const AskTellLoopOptions& options_;
  EvaluationStream stream_;
  std::vector<Result> pending_;  // recorded, not yet shown to the strategy
  AskTellStretch out_;
};

}  // namespace

AskTellStretch run_ask_tell(SearchServices& services, Strategy& strategy,
                            const AskTellLoopOptions& options) {
  return Loop(services, strategy, options).run();
}

std::string continue_with_strategy(SearchServices& services, Strategy& strategy,
                                   const std::vector<Result>& so_far) {
  if (!so_far.empty()) strategy.observe(so_far);
  AskTellStretch stretch = run_ask_tell(services, strategy, {});
  return stretch.stopped.empty() ? kBudgetSpent : stretch.stopped;
}

}  // namespace tuna::search
