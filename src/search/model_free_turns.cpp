#include "search/model_free_turns.hpp"

namespace tuna::search {

void ModelFreeTurns::observe_new(const std::vector<Result>& results) {
  std::vector<Result> fresh;
  for (const Result& r : results)
    if (observed_.insert(r.key).second) fresh.push_back(r);
  if (!fresh.empty()) strategy_->observe(fresh);
}

AskTellStretch ModelFreeTurns::take_turn(std::size_t share) {
  AskTellLoopOptions loop;
  loop.limit = share;
  // The last stretch, to the end of the budget, keeps the devices busy as a model-free search on
  // its own does (lookahead); a turn must end exactly at its share, so it waits for its batches.
  loop.lookahead = share == 0;
  loop.observe = [this](const std::vector<Result>& r) { observe_new(r); };
  return run_ask_tell(services_, *strategy_, loop);
}

}  // namespace tuna::search
