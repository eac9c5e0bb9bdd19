#pragma once
// The parsed tree of an expression. Immutable once built and shared between an Expr and the
// programs compiled from it (nodes may be shared too: `a < b < c` reads b twice).
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expr_ops.hpp"
#include "tuna/value.hpp"

namespace tuna::detail {

enum class NodeKind { Literal, Name, Unary, Binary, And, Or, Ternary, In, Call };

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  NodeKind kind = NodeKind::Literal;
  std::size_t column = 1;  // of the operator, name or literal: where errors point
  std::size_t height = 1;  // longest path to a leaf; bounds the compiler's recursion
  Op op = Op::Add;         // Unary, Binary
  Value literal;           // Literal
  std::string name;        // Name
  std::size_t name_index = 0;  // Name: position in ParsedExpr::names
  Func func = Func::Min;   // Call
  bool negated = false;    // In: `not in`
  // Unary: operand. Binary/And/Or: lhs, rhs. Ternary: condition, then, else.
  // In: the tested value, then the list items. Call: the arguments.
  std::vector<NodePtr> kids;
};

struct ParsedExpr {
  NodePtr root;
  std::vector<std::string> names;  // free names in order of first appearance
};

// Throws ExprError with the 1-based column of the problem.
ParsedExpr parse_expr(std::string_view text);

}  // namespace tuna::detail
