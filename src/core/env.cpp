#include "tuna/expr.hpp"

namespace tuna {

const Value* Env::find(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

void Env::merge(const Env& other) {
  for (const auto& [name, value] : other.values_) values_[name] = value;
}

}  // namespace tuna
