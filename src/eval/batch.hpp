#pragma once
// One batch being evaluated: the configs, handed out one at a time to whichever participant
// (this host's compile pool, a cluster peer) asks, growing when a refill adds some, and the
// results as they come in. One mutex serialises everything, the sink and refills included, so
// the driver behind them sees one call at a time.
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tuna/evaluator.hpp"

namespace tuna::eval {

class Batch {
 public:
  // `stop_requested` (may be null): once set, nothing more is handed out.
  Batch(const Space& space, const ResultSink& sink, const BatchRefill& refill,
        const std::atomic<bool>* stop_requested);

  // Invalid configs get their result at once; the rest wait to be taken.
  void add(const std::vector<Config>& configs);
  // The next job; asks the refill once every config was handed out. Nullopt: the batch is over.
  std::optional<EvaluationJob> take();
  void done(std::size_t index, const Result& result);
  // After a participant failed: the others finish what they hold and take nothing more.
  void stop();
  // In the order added. Every config has one, except after a stop request those never started.
  std::vector<Result> results();

 private:
  bool stop_requested() const;
  void add_locked(const std::vector<Config>& configs);
  void done_locked(std::size_t index, const Result& result);

  const Space& space_;
  const ResultSink& sink_;
  const BatchRefill& refill_;
  const std::atomic<bool>* stop_requested_;
  std::mutex mutex_;
  std::deque<std::optional<Result>> results_;
  std::vector<EvaluationJob> jobs_;
  std::size_t taken_ = 0;
  bool stopped_ = false;
};

// A Result for `config` with this status, stamped now.
Result new_result(const Space& space, const Config& config, Status status,
                  std::string error_class, std::string message);
// The `invalid` Result of a config the space rejects, naming the value or constraint at fault.
Result invalid_result(const Space& space, const Config& config);

}  // namespace tuna::eval
