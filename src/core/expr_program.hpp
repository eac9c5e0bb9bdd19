#pragma once
// The compiled form of an expression: a flat postfix program over cells, with constants
// folded and names resolved to slot indices. Expr keeps one program whose slots are its own
// names (for evaluate(Env)); bind() compiles another where names are the caller's slots and
// constants are folded in.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/expr_ast.hpp"
#include "core/expr_cell.hpp"
#include "core/expr_ops.hpp"

namespace tuna::detail {

// Where a binary operator finds its right operand. Fusing a constant or a slot load into the
// operator saves one trip through the interpreter loop per operand, the main cost of a
// typical constraint.
enum class Rhs : std::uint8_t { Stack, Const, Slot };

struct Instr {
  Op op;
  Rhs rhs;               // binary operators: where the right operand comes from (arg)
  std::uint16_t count;   // InConst, InStack, Call
  std::uint32_t column;  // where a fault points
  std::int32_t arg;      // constant, slot, list start, function, or relative jump
};

struct Code {
  std::vector<Instr> instrs;
  std::vector<Cell> consts;
  std::vector<Cell> lists;  // members of constant `in` lists
  // Owns the strings that constant cells point at; unique_ptr keeps their addresses stable.
  std::vector<std::unique_ptr<std::string>> strings;
  std::size_t max_stack = 0;
  // Distinct slots read, ascending.
  std::vector<std::size_t> slots;

  Code() = default;
  Code(Code&&) = default;
  Code& operator=(Code&&) = default;
};

// How a name compiles: to a slot, or to a constant folded into the program.
struct Resolved {
  bool is_slot = true;
  std::size_t slot = 0;
  Value constant;
};
using Resolver = std::function<Resolved(const Node& name)>;

// `fuse_slots`: let binary operators read a slot directly. Only for bound programs, whose slots
// always load; an unbound program keeps separate loads so that an unknown name's error points
// at the name itself.
Code compile_code(const Node& root, const Resolver& resolve, bool fuse_slots);

}  // namespace tuna::detail

namespace tuna::detail {

struct ExprProgram {
  std::string text;
  ParsedExpr parsed;
  Code code;
  // Bound programs only: the names of the slots, for messages.
  std::vector<std::string> slot_names;
};

}  // namespace tuna::detail
