#include "eval/batch.hpp"

#include <fmt/format.h>

#include "base/epoch_seconds.hpp"
#include "base/one_line.hpp"
#include "tuna/errors.hpp"

namespace tuna::eval {
namespace {

std::string describe_invalid(const Space& space, const Config& config) {
  for (std::size_t p : space.out_of_range(config)) {
    const Parameter& param = space.params()[p];
    return fmt::format("{}={} is not one of the allowed values of {}", param.name,
                       config[p].to_string(), param.name);
  }
  for (std::size_t c : space.violations(config)) {
    const Constraint& constraint = space.constraints()[c];
    return fmt::format("violates constraint '{}' ({})", constraint.expr.text(), constraint.origin);
  }
  return "invalid";
}

}  // namespace

Result new_result(const Space& space, const Config& config, Status status,
                  std::string error_class, std::string message) {
  Result r;
  r.config = config;
  r.key = space.key(config);
  r.status = status;
  r.error_class = std::move(error_class);
  r.message = one_line(message);
  r.started_at = r.finished_at = epoch_seconds();
  return r;
}

Result invalid_result(const Space& space, const Config& config) {
  return new_result(space, config, Status::Invalid, "constraint", describe_invalid(space, config));
}

Batch::Batch(const Space& space, const ResultSink& sink, const BatchRefill& refill,
             const std::atomic<bool>* stop_requested)
    : space_(space), sink_(sink), refill_(refill), stop_requested_(stop_requested) {}

void Batch::add(const std::vector<Config>& configs) {
  std::lock_guard lock(mutex_);
  add_locked(configs);
}

std::optional<EvaluationJob> Batch::take() {
  std::lock_guard lock(mutex_);
  if (stopped_ || stop_requested()) return std::nullopt;
  if (taken_ == jobs_.size() && refill_) add_locked(refill_());
  if (taken_ == jobs_.size()) return std::nullopt;
  return jobs_[taken_++];
}

void Batch::done(std::size_t index, const Result& result) {
  std::lock_guard lock(mutex_);
  done_locked(index, result);
}

void Batch::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
}

std::vector<Result> Batch::results() {
  std::lock_guard lock(mutex_);
  std::vector<Result> out;
  out.reserve(results_.size());
  for (auto& r : results_) {
    if (!r && stop_requested()) continue;  // never started
    TUNA_ASSERT(r.has_value(), "a config of the batch got no result");
    out.push_back(std::move(*r));
  }
  return out;
}

bool Batch::stop_requested() const {
  return stop_requested_ != nullptr && stop_requested_->load();
}

void Batch::add_locked(const std::vector<Config>& configs) {
  for (const Config& config : configs) {
    std::size_t i = results_.size();
    results_.emplace_back();
    if (space_.is_valid(config)) {
      jobs_.push_back({i, config});
    } else {
      done_locked(i, invalid_result(space_, config));
    }
  }
}

void Batch::done_locked(std::size_t index, const Result& result) {
  if (sink_) sink_(result);
  results_[index] = result;
}

}  // namespace tuna::eval
