#pragma once
// The interpreter loop. A template over how slots load so that bound constraints (a span of
// Values) and Env evaluation (pointers that may be null for unknown names) share one loop.
// Faults come back as data: the constraint test path never throws and never allocates.
#include <array>
#include <vector>

#include "core/expr_program.hpp"

namespace tuna::detail {

struct FaultInfo {
  Fault fault = Fault::None;
  std::size_t pc = 0;
  Cell a{}, b{};  // the operands, for "unsupported operand types" messages
};

inline constexpr std::size_t kInlineStack = 32;

// `load(slot, cell)` fills the cell and returns false when the slot has no value.
template <class Load>
[[gnu::always_inline]] inline bool run_code_on(const Code& code, Cell* stack, Load&& load, Cell& result,
                        FaultInfo& info) {
  const Instr* instrs = code.instrs.data();
  const std::size_t n = code.instrs.size();
  Cell* sp = stack;  // points one past the top
  auto fault = [&](Fault f, std::size_t pc, Cell a, Cell b) {
    info.fault = f;
    info.pc = pc;
    info.a = a;
    info.b = b;
    return false;
  };
  for (std::size_t pc = 0; pc < n; ++pc) {
    const Instr& in = instrs[pc];
    switch (in.op) {
      case Op::PushConst: *sp++ = code.consts[in.arg]; break;
      case Op::LoadSlot:
        if (!load(static_cast<std::size_t>(in.arg), *sp))
          return fault(Fault::UnknownName, pc, Cell{}, Cell{});
        ++sp;
        break;
      case Op::Add: case Op::Sub: case Op::Mul: case Op::FloorDiv: case Op::Mod:
      case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
      case Op::Div: case Op::Pow: {
        Cell b;
        switch (in.rhs) {
          case Rhs::Stack: b = *--sp; break;
          case Rhs::Const: b = code.consts[in.arg]; break;
          case Rhs::Slot:
            if (!load(static_cast<std::size_t>(in.arg), b))
              return fault(Fault::UnknownName, pc, Cell{}, Cell{});
            break;
        }
        Cell& a = sp[-1];
        if (a.tag == CellTag::Int && b.tag == CellTag::Int) {
          // The all-integer fast path: most constraints never leave it.
          std::int64_t r = 0;
          bool overflow = false;
          Fault f = Fault::None;
          switch (in.op) {
            case Op::Add: overflow = __builtin_add_overflow(a.i, b.i, &r); break;
            case Op::Sub: overflow = __builtin_sub_overflow(a.i, b.i, &r); break;
            case Op::Mul: overflow = __builtin_mul_overflow(a.i, b.i, &r); break;
            case Op::FloorDiv: f = int_floor_div(a.i, b.i, r); break;
            case Op::Mod: f = int_mod(a.i, b.i, r); break;
            case Op::Eq: a = Cell::of_bool(a.i == b.i); continue;
            case Op::Ne: a = Cell::of_bool(a.i != b.i); continue;
            case Op::Lt: a = Cell::of_bool(a.i < b.i); continue;
            case Op::Le: a = Cell::of_bool(a.i <= b.i); continue;
            case Op::Gt: a = Cell::of_bool(a.i > b.i); continue;
            case Op::Ge: a = Cell::of_bool(a.i >= b.i); continue;
            case Op::Div:
              if (b.i == 0) return fault(Fault::DivByZero, pc, a, b);
              a = Cell::of_float(static_cast<double>(a.i) / static_cast<double>(b.i));
              continue;
            default: goto generic;  // ** needs care with negative exponents
          }
          if (overflow) f = Fault::Overflow;
          if (f != Fault::None) return fault(f, pc, a, b);
          a.i = r;
          break;
        }
        if ((a.tag == CellTag::Float || a.tag == CellTag::Int) &&
            (b.tag == CellTag::Float || b.tag == CellTag::Int)) {
          // One of them is a float: Python computes in doubles. Comparisons must stay exact,
          // which converting an int to double guarantees only up to 2^53.
          constexpr std::int64_t kExact = std::int64_t{1} << 53;
          bool exact = (a.tag == CellTag::Float || (a.i >= -kExact && a.i <= kExact)) &&
                       (b.tag == CellTag::Float || (b.i >= -kExact && b.i <= kExact));
          double x = a.to_double();
          double y = b.to_double();
          switch (in.op) {
            case Op::Add: a = Cell::of_float(x + y); continue;
            case Op::Sub: a = Cell::of_float(x - y); continue;
            case Op::Mul: a = Cell::of_float(x * y); continue;
            case Op::Div:
              if (y == 0.0) return fault(Fault::DivByZero, pc, a, b);
              a = Cell::of_float(x / y);
              continue;
            case Op::Mod:
              if (y == 0.0) return fault(Fault::DivByZero, pc, a, b);
              a = Cell::of_float(float_mod(x, y));
              continue;
            case Op::Eq: if (!exact) goto generic; a = Cell::of_bool(x == y); continue;
            case Op::Ne: if (!exact) goto generic; a = Cell::of_bool(x != y); continue;
            case Op::Lt: if (!exact) goto generic; a = Cell::of_bool(x < y); continue;
            case Op::Le: if (!exact) goto generic; a = Cell::of_bool(x <= y); continue;
            case Op::Gt: if (!exact) goto generic; a = Cell::of_bool(x > y); continue;
            case Op::Ge: if (!exact) goto generic; a = Cell::of_bool(x >= y); continue;
            default: break;
          }
        }
      generic: {
        Cell out;
        if (Fault f = apply_binary(in.op, a, b, out); f != Fault::None)
          return fault(f, pc, a, b);
        a = out;
        break;
      }
      }
      case Op::Neg: case Op::Pos: case Op::Not: {
        Cell out;
        if (Fault f = apply_unary(in.op, sp[-1], out); f != Fault::None)
          return fault(f, pc, sp[-1], Cell{});
        sp[-1] = out;
        break;
      }
      case Op::InConst: {
        const Cell* items = code.lists.data() + in.arg;
        Cell& x = sp[-1];
        bool found = false;
        if (x.tag == CellTag::Int) {
          for (std::size_t k = 0; k < in.count && !found; ++k)
            found = items[k].tag == CellTag::Int ? items[k].i == x.i : cells_equal(x, items[k]);
        } else {
          for (std::size_t k = 0; k < in.count && !found; ++k) found = cells_equal(x, items[k]);
        }
        x = Cell::of_bool(found);
        break;
      }
      case Op::InStack: {
        Cell* items = sp - in.count;
        Cell& x = items[-1];
        bool found = false;
        for (std::size_t k = 0; k < in.count && !found; ++k) found = cells_equal(x, items[k]);
        sp = items;
        x = Cell::of_bool(found);
        break;
      }
      case Op::AndJump: case Op::OrJump: {
        bool t = sp[-1].truthy();
        if (t == (in.op == Op::OrJump)) {
          sp[-1] = Cell::of_bool(t);
          pc += in.arg - 1;
        } else {
          --sp;
        }
        break;
      }
      case Op::ToBool: sp[-1] = Cell::of_bool(sp[-1].truthy()); break;
      case Op::JumpIfFalse:
        --sp;
        if (!sp->truthy()) pc += in.arg - 1;
        break;
      case Op::Jump: pc += in.arg - 1; break;
      case Op::Call: {
        Cell* args = sp - in.count;
        Cell out;
        if (Fault f = apply_call(static_cast<Func>(in.arg), args, in.count, out);
            f != Fault::None)
          return fault(f, pc, args[0], in.count > 1 ? args[1] : Cell{});
        sp = args;
        *sp++ = out;
        break;
      }
    }
  }
  result = sp[-1];
  return true;
}

template <class Load>
[[gnu::always_inline]] inline bool run_code(const Code& code, Load&& load, Cell& result, FaultInfo& info) {
  if (code.max_stack <= kInlineStack) {
    Cell stack[kInlineStack];
    return run_code_on(code, stack, load, result, info);
  }
  std::vector<Cell> stack(code.max_stack);
  return run_code_on(code, stack.data(), load, result, info);
}

}  // namespace tuna::detail
