#include "search/genetic_algorithm.hpp"

#include <algorithm>

namespace tuna::search {

namespace {

// Children that repair onto a measured config are bred again this many times before one is
// taken from a parent's unmeasured neighbours.
constexpr int kChildAttempts = 8;

bool unordered(const Parameter& p) {
  return p.kind == ParamKind::Bool || !p.values.front().is_number();
}

}  // namespace

GeneticAlgorithm::GeneticAlgorithm(const Space& space, GeneticAlgorithmOptions options)
    : space_(space), options_(options), rng_(options.seed), history_(space) {
  options_.population = std::max<std::size_t>(options_.population, 2);
  options_.tournament = std::max<std::size_t>(options_.tournament, 1);
}

std::vector<Config> GeneticAlgorithm::propose(std::size_t n) {
  return take_batch(n, queue_, [this] { next_generation(); }, space_, rng_, history_);
}

void GeneticAlgorithm::observe(const std::vector<Result>& results) {
  for (std::size_t entry : history_.record(results)) {
    // Until the first generation is complete, every measurement joins the population.
    if (members_.size() < options_.population && children_.empty()) members_.push_back(entry);
  }
}

void GeneticAlgorithm::select_survivors() {
  std::vector<std::size_t> pool = members_;
  for (const std::string& key : children_)
    if (auto at = history_.index_of(key)) pool.push_back(*at);
  children_.clear();
  std::stable_sort(pool.begin(), pool.end(), [&](std::size_t a, std::size_t b) {
    return history_.cost(a) < history_.cost(b);
  });
  pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
  if (pool.size() > options_.population) pool.resize(options_.population);
  members_ = std::move(pool);
}

void GeneticAlgorithm::next_generation() {
  if (!seeded_) {
    seeded_ = true;
    for (std::size_t i = members_.size(); i < options_.population; ++i) {
      std::optional<Config> c = claim_random(space_, rng_, history_);
      if (!c) break;
      queue_.push_back(std::move(*c));
    }
    if (!queue_.empty()) return;
  }
  select_survivors();
  if (members_.size() < 2) return;  // the first generation is still being measured
  for (std::size_t i = 0; i < options_.population; ++i) {
    std::optional<Config> child = make_child();
    if (!child) continue;
    children_.push_back(space_.key(*child));
    queue_.push_back(std::move(*child));
  }
}

std::size_t GeneticAlgorithm::tournament() {
  std::uniform_int_distribution<std::size_t> pick(0, members_.size() - 1);
  std::size_t winner = members_[pick(rng_)];
  for (std::size_t i = 1; i < options_.tournament; ++i) {
    std::size_t other = members_[pick(rng_)];
    if (history_.cost(other) < history_.cost(winner)) winner = other;
  }
  return winner;
}

void GeneticAlgorithm::mutate(std::vector<std::size_t>& genes, bool force) {
  const auto& params = space_.params();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::size_t forced =
      force ? std::uniform_int_distribution<std::size_t>(0, genes.size() - 1)(rng_) : genes.size();
  for (std::size_t j = 0; j < genes.size(); ++j) {
    const std::size_t count = params[j].values.size();
    if (count < 2 || (j != forced && unit(rng_) >= options_.mutation)) continue;
    if (unordered(params[j])) {
      std::size_t other = std::uniform_int_distribution<std::size_t>(0, count - 2)(rng_);
      genes[j] = other >= genes[j] ? other + 1 : other;
    } else if (genes[j] == 0) {
      genes[j] = 1;
    } else if (genes[j] + 1 == count || unit(rng_) < 0.5) {
      genes[j] -= 1;
    } else {
      genes[j] += 1;
    }
  }
}

std::optional<Config> GeneticAlgorithm::make_child() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::size_t first = members_.front();
  for (int attempt = 0; attempt < kChildAttempts; ++attempt) {
    first = tournament();
    std::size_t second = tournament();
    std::vector<std::size_t> genes = to_indices(space_, history_.entries()[first].config);
    bool mixed = false;
    if (first != second && unit(rng_) < options_.crossover) {
      auto other = to_indices(space_, history_.entries()[second].config);
      for (std::size_t j = 0; j < genes.size(); ++j) {
        if (unit(rng_) < 0.5 && genes[j] != other[j]) {
          genes[j] = other[j];
          mixed = true;
        }
      }
    }
    mutate(genes, !mixed);
    if (auto config = claim_repaired(space_, from_indices(space_, genes), history_)) return config;
  }
  auto moves = unclaimed_neighbours(space_, history_.entries()[first].config, 1, history_);
  if (moves.empty()) return std::nullopt;
  Config pick = moves[std::uniform_int_distribution<std::size_t>(0, moves.size() - 1)(rng_)];
  history_.claim(space_.key(pick));
  return pick;
}

}  // namespace tuna::search
