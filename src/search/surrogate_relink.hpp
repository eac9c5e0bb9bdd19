#pragma once
// Relinking: the best config of another "family" moved one parameter toward the best config.
//
// A family is one value of a parameter with few values (a switch, a method, a small tile
// size). A family can trail the best config only because its best measured config differs from
// the best in other parameters too: on Kernel Tuner's RTX 3090 pnpoly the best config with
// use_method 0 ran with 544 threads and trailed the best (use_method 2, 64 threads) by 3 %,
// while use_method 0 with 64 threads is the optimum, 10 % faster. Neither a one-parameter move
// of the best config (use_method 2 -> 0 at its tile size is 13 % slower) nor a neighbour of the
// family's best (threads move one list step at a time) reaches it; taking the family's best
// and giving it the best config's value of one other parameter does. Path relinking between
// elite solutions is the classic form of this move.
#include <vector>

#include "search/population.hpp"
#include "tuna/space.hpp"

namespace tuna::search {

struct RelinkOptions {
  // Parameters of 2 up to this many values define families.
  std::size_t max_values = 4;
  // A family counts while its best config is at most this many times slower than the best.
  double max_ratio = 1.25;
};

// The valid configs not yet claimed in `history` that take, for a family other than the best
// config's, the family's best config with one of the parameters it differs in (besides the
// family's own) set to the best config's value. Empty while nothing ran correctly.
std::vector<Config> relink_moves(const Space& space, const History& history,
                                 const RelinkOptions& options);

}  // namespace tuna::search
