#pragma once
// What the surrogate's trees see of a config: Space::encode (each value's position in its
// list, log-scaled for powers of two) plus, for integer parameters whose values are not all
// powers of two, how many times the value divides by two. GPU kernels often run fastest where
// a block or tile size is a multiple of the warp or a memory transaction (32, 64, 128 among
// 16, 48, 80, ...), and a tree cannot single those values out from their positions alone.
#include <vector>

#include "tuna/space.hpp"

namespace tuna::search {

class SurrogateFeatures {
 public:
  // `alignment` false: Space::encode alone (SurrogateOptions::alignment_features).
  explicit SurrogateFeatures(const Space& space, bool alignment = true);
  std::vector<double> operator()(const Config& config) const;
  std::size_t width() const { return width_; }

 private:
  const Space& space_;
  // Parameters that get the divisibility feature, and the largest exponent seen among their
  // values (to scale the feature to [0, 1]).
  std::vector<std::size_t> aligned_;
  std::vector<int> max_twos_;
  std::size_t width_ = 0;
};

// Exponent of the largest power of two dividing v (0 for v == 0 and for odd v).
int factors_of_two(long long v);

}  // namespace tuna::search
