#pragma once
// Expr: the one small expression language of tuna (constraints, launch geometry, buffer sizes,
// metrics). See docs/expressions.md for the grammar and the semantics (Python's rules for
// `/`, `//`, `%` and `**`; 64-bit integers whose overflow is an error).
//
// Parse once, evaluate many times. Two ways to evaluate:
//  - evaluate(Env): names looked up in a map; for launch geometry, sizes, metrics.
//  - bind(...) then BoundExpr::evaluate(span of slots): names resolved to slot indices ahead of
//    time; for constraints, which strategies evaluate millions of times.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/errors.hpp"
#include "tuna/value.hpp"

namespace tuna {

// Names and their values: parameters, problem constants, device facts (`device.sm_count`).
class Env {
 public:
  void set(std::string name, Value value) { values_[std::move(name)] = std::move(value); }
  const Value* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const std::map<std::string, Value, std::less<>>& values() const { return values_; }
  // Adds every entry of `other`, overriding entries with the same name.
  void merge(const Env& other);

 private:
  std::map<std::string, Value, std::less<>> values_;
};

namespace detail {
struct ExprProgram;  // the parsed and compiled form; defined in src/core/
}

class BoundExpr;

class Expr {
 public:
  Expr() = default;  // an empty expression; evaluating it is an InternalError
  // Parses `text`. Error messages start with "column N: ". Accepts tuna syntax (&& || ! ?: ==) and Python/Kernel Tuner syntax
  // (and or not, x if c else y, True/False). Throws ExprError with the 1-based column.
  static Expr parse(std::string_view text);
  // Wraps a constant.
  static Expr constant(Value value);

  bool empty() const { return program_ == nullptr; }
  const std::string& text() const;
  // Free names the expression reads, in order of first appearance, without duplicates.
  const std::vector<std::string>& names() const;
  // The parts joined by top-level `and`/`&&` (a chained comparison `a < b < c` counts as two),
  // or just this expression. The expression holds exactly when every part holds, and each part
  // reads fewer names, so a search can check it earlier. Parts keep the whole text.
  std::vector<Expr> conjuncts() const;

  // Throws ExprError naming the first unknown name, or on a type error (e.g. "a" + 1).
  Value evaluate(const Env& env) const;

  // Resolves every name to a slot index through `slot_of`; names it does not know are looked
  // up in `constants` and folded in. Throws ExprError for a name known to neither.
  BoundExpr bind(const std::function<std::optional<std::size_t>(std::string_view)>& slot_of,
                 const Env& constants) const;
  // Same, with slot i named slot_names[i]; an unknown name's error lists the slots and the
  // constants and suggests the closest ("did you mean 'BM'?").
  BoundExpr bind(std::span<const std::string> slot_names, const Env& constants) const;

 private:
  std::shared_ptr<const detail::ExprProgram> program_;
  friend class BoundExpr;
};

// An expression whose names are slot indices: evaluate against a span of values.
class BoundExpr {
 public:
  BoundExpr() = default;
  Value evaluate(std::span<const Value> slots) const;
  // Constraint test: true when the value is truthy. Never allocates on the hot path.
  // An evaluation fault (division by zero, overflow, a type error) makes the test false.
  bool test(std::span<const Value> slots) const;
  // The message evaluate() would throw for these slots, or nullopt when it evaluates cleanly
  // (for telling the user why a constraint rejects a config).
  std::optional<std::string> fault(std::span<const Value> slots) const;
  // Slots the expression reads (for pruning: a constraint can be checked once all are bound).
  const std::vector<std::size_t>& slots() const;
  const std::string& text() const;

 private:
  std::shared_ptr<const detail::ExprProgram> program_;
  friend class Expr;
};

// The error's message, then the expression with a caret under the column:
//   column 9: expected ')' to close '(' at column 5, found the end of the expression
//     KWG % (MDIMC
//             ^
std::string describe_expr_error(std::string_view text, const ExprError& error);

}  // namespace tuna
