// Lookup::from_store: the best correct result of every (kernel, problem, device) in a tuna store,
// read through the store layer (store/best_results.hpp), which owns the schema's SQL.
#include "store/best_results.hpp"
#include "tuna/lookup.hpp"

namespace tuna {

Lookup Lookup::from_store(const std::filesystem::path& db_path) {
  Lookup out;
  for (store::BestResult& best : store::best_results(db_path)) {
    TunedEntry e;
    e.kernel = best.context.kernel_name;
    e.problem = best.context.problem;
    e.device_id = best.context.device_id;
    e.device_name = best.context.device_name;
    e.backend = best.context.backend;
    e.key = best.config_key;
    e.values = std::move(best.values);
    e.median_ms = best.median_ms;
    e.measured_at = best.finished_at;
    out.entries_.push_back(std::move(e));
  }
  return out;
}

}  // namespace tuna
