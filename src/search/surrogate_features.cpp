#include "search/surrogate_features.hpp"

#include <algorithm>

namespace tuna::search {

namespace {

// Whether a parameter's values are all integers, at least three, and not all powers of two
// (for powers of two the divisibility is a function of the position, so it adds nothing).
bool wants_alignment(const Parameter& p) {
  if (p.values.size() < 3) return false;
  bool all_pow2 = true;
  for (const Value& v : p.values) {
    if (!v.is_int()) return false;
    const long long x = v.as_int();
    if (x <= 0 || (x & (x - 1)) != 0) all_pow2 = false;
  }
  return !all_pow2;
}

}  // namespace

int factors_of_two(long long v) {
  if (v == 0) return 0;
  int n = 0;
  while ((v & 1) == 0) {
    v >>= 1;
    ++n;
  }
  return n;
}

SurrogateFeatures::SurrogateFeatures(const Space& space, bool alignment) : space_(space) {
  const auto& params = space.params();
  for (std::size_t i = 0; alignment && i < params.size(); ++i) {
    if (!wants_alignment(params[i])) continue;
    int most = 0;
    for (const Value& v : params[i].values) most = std::max(most, factors_of_two(v.as_int()));
    if (most == 0) continue;  // all odd: nothing to tell apart
    aligned_.push_back(i);
    max_twos_.push_back(most);
  }
  width_ = params.size() + aligned_.size();
}

std::vector<double> SurrogateFeatures::operator()(const Config& config) const {
  std::vector<double> x = space_.encode(config);
  x.reserve(width_);
  for (std::size_t k = 0; k < aligned_.size(); ++k) {
    const Value& v = config[aligned_[k]];
    const int twos = v.is_int() ? factors_of_two(v.as_int()) : 0;
    x.push_back(static_cast<double>(std::min(twos, max_twos_[k])) / max_twos_[k]);
  }
  return x;
}

}  // namespace tuna::search
