#pragma once
// Semantics of every operator and function of the expression language, on cells. Python's
// rules: `/` is true division, `//` floors, `%` takes the divisor's sign, `**` of ints with a
// non-negative exponent stays an int. Ints are 64-bit: overflow is a fault, not a wrap.
// Operations report faults as values (no exceptions) so that constraint tests stay cheap.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expr_cell.hpp"

namespace tuna::detail {

enum class Op : std::uint8_t {
  PushConst, LoadSlot,
  Neg, Pos, Not,
  Add, Sub, Mul, Div, FloorDiv, Mod, Pow,
  Eq, Ne, Lt, Le, Gt, Ge,
  InConst,   // x in a constant list: arg = first entry in the list pool, count = length
  InStack,   // x in a list of `count` computed values pushed after x
  AndJump,   // top := truthy(top); if false, jump by arg (keeping false), else pop
  OrJump,    // top := truthy(top); if true, jump by arg (keeping true), else pop
  ToBool,
  JumpIfFalse,  // pops
  Jump,
  Call,      // arg = Func, count = number of arguments
};

enum class Func : std::uint8_t { Min, Max, CeilDiv, Ceil, Floor, Log2, IsPow2, Abs, Int, Float };

enum class Fault : std::uint8_t {
  None,
  DivByZero,
  Overflow,
  TypeError,
  Domain,         // e.g. log2(0), (-8) ** 0.5
  BadConversion,  // int("abc"), int(inf)
  UnknownName,
};

const char* op_spelling(Op op);
const char* func_name(Func f);
// Number of arguments, or -1 for "one or more".
int func_arity(Func f);
bool func_from_name(std::string_view name, Func& out);
std::vector<std::string> func_names();

// a `op` b for the arithmetic and comparison ops.
Fault apply_binary(Op op, const Cell& a, const Cell& b, Cell& out);
Fault apply_unary(Op op, const Cell& a, Cell& out);
Fault apply_call(Func f, const Cell* args, int argc, Cell& out);
// x == item, with the cross-kind rules of ==; strings never equal numbers.
bool cells_equal(const Cell& a, const Cell& b);

// Python's `%` on doubles (b != 0): the result takes the sign of the divisor.
double float_mod(double a, double b);

// Hot-path helpers, inlined into the machine.
inline Fault int_floor_div(std::int64_t a, std::int64_t b, std::int64_t& out) {
  if (b == 0) return Fault::DivByZero;
  if (b == -1) {
    if (a == INT64_MIN) return Fault::Overflow;
    out = -a;
    return Fault::None;
  }
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  out = q;
  return Fault::None;
}

inline Fault int_mod(std::int64_t a, std::int64_t b, std::int64_t& out) {
  if (b == 0) return Fault::DivByZero;
  if (b == -1) {  // a % -1 overflows in C++ for INT64_MIN; the answer is always 0
    out = 0;
    return Fault::None;
  }
  std::int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  out = r;
  return Fault::None;
}

}  // namespace tuna::detail
