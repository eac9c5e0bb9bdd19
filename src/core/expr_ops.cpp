#include "core/expr_ops.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

#include "core/expr_numeric.hpp"

namespace tuna::detail {

namespace {

constexpr double kTwo63 = 9.2233720368547758e18;

struct FuncInfo {
  Func func;
  const char* name;
  int arity;
};
constexpr FuncInfo kFuncs[] = {
    {Func::Min, "min", -1},      {Func::Max, "max", -1},   {Func::CeilDiv, "ceil_div", 2},
    {Func::Ceil, "ceil", 1},     {Func::Floor, "floor", 1}, {Func::Log2, "log2", 1},
    {Func::IsPow2, "is_pow2", 1}, {Func::Abs, "abs", 1},    {Func::Int, "int", 1},
    {Func::Float, "float", 1},
};

std::partial_ordering compare_cells(const Cell& a, const Cell& b) {
  if (a.tag == CellTag::Float || b.tag == CellTag::Float) {
    if (a.tag == CellTag::Float && b.tag == CellTag::Float) return a.f <=> b.f;
    if (a.tag == CellTag::Float) return 0 <=> compare_int_double(b.i, a.f);
    return compare_int_double(a.i, b.f);
  }
  return a.i <=> b.i;
}

Fault int_pow(std::int64_t base, std::int64_t exp, std::int64_t& out) {
  std::int64_t result = 1;
  while (true) {
    if (exp & 1) {
      if (__builtin_mul_overflow(result, base, &result)) return Fault::Overflow;
    }
    exp >>= 1;
    if (exp == 0) break;
    if (__builtin_mul_overflow(base, base, &base)) return Fault::Overflow;
  }
  out = result;
  return Fault::None;
}

Fault float_pow(double a, double b, Cell& out) {
  if (a == 0.0 && b < 0) return Fault::DivByZero;
  if (a < 0 && std::isfinite(b) && std::trunc(b) != b) return Fault::Domain;
  double r = std::pow(a, b);
  if (std::isinf(r) && std::isfinite(a) && std::isfinite(b)) return Fault::Overflow;
  out = Cell::of_float(r);
  return Fault::None;
}

}  // namespace

// Python's float modulo: the result takes the sign of the divisor.
double float_mod(double a, double b) {
  // Whole numbers below 2^53 are exact in both representations, so integer modulo gives the
  // same answer as fmod, several times faster. Kernel Tuner restrictions hit this all the
  // time: `KWG % ((MDIMC * NDIMC) / MDIMA)` divides into a float that is usually whole.
  constexpr double kExact = 9007199254740992.0;  // 2^53
  if (a > -kExact && a < kExact && b > -kExact && b < kExact) {
    auto ia = static_cast<std::int64_t>(a);
    auto ib = static_cast<std::int64_t>(b);
    if (static_cast<double>(ia) == a && static_cast<double>(ib) == b && ib != 0) {
      std::int64_t r = 0;
      int_mod(ia, ib, r);
      return r == 0 ? std::copysign(0.0, b) : static_cast<double>(r);
    }
  }
  double m = std::fmod(a, b);
  if (m != 0.0) {
    if ((b < 0) != (m < 0)) m += b;
  } else {
    m = std::copysign(0.0, b);
  }
  return m;
}

namespace {

double float_floor_div(double a, double b) {
  double m = std::fmod(a, b);
  double div = (a - m) / b;
  if (m != 0.0 && ((b < 0) != (m < 0))) div -= 1.0;
  if (div == 0.0) return std::copysign(0.0, a / b);
  double fl = std::floor(div);
  if (div - fl > 0.5) fl += 1.0;
  return fl;
}

Fault float_to_int(double v, std::int64_t& out) {
  if (std::isnan(v) || std::isinf(v)) return Fault::BadConversion;
  if (v >= kTwo63 || v < -kTwo63) return Fault::Overflow;
  out = static_cast<std::int64_t>(v);
  return Fault::None;
}

Fault arithmetic(Op op, const Cell& a, const Cell& b, Cell& out) {
  if (a.int_like() && b.int_like()) {
    std::int64_t r = 0;
    Fault f = Fault::None;
    switch (op) {
      case Op::Add: if (__builtin_add_overflow(a.i, b.i, &r)) f = Fault::Overflow; break;
      case Op::Sub: if (__builtin_sub_overflow(a.i, b.i, &r)) f = Fault::Overflow; break;
      case Op::Mul: if (__builtin_mul_overflow(a.i, b.i, &r)) f = Fault::Overflow; break;
      case Op::FloorDiv: f = int_floor_div(a.i, b.i, r); break;
      case Op::Mod: f = int_mod(a.i, b.i, r); break;
      case Op::Div:
        if (b.i == 0) return Fault::DivByZero;
        out = Cell::of_float(static_cast<double>(a.i) / static_cast<double>(b.i));
        return Fault::None;
      case Op::Pow:
        if (b.i < 0) return float_pow(static_cast<double>(a.i), static_cast<double>(b.i), out);
        f = int_pow(a.i, b.i, r);
        break;
      default: return Fault::TypeError;
    }
    if (f == Fault::None) out = Cell::of_int(r);
    return f;
  }
  double x = a.to_double();
  double y = b.to_double();
  switch (op) {
    case Op::Add: out = Cell::of_float(x + y); return Fault::None;
    case Op::Sub: out = Cell::of_float(x - y); return Fault::None;
    case Op::Mul: out = Cell::of_float(x * y); return Fault::None;
    case Op::Div:
      if (y == 0.0) return Fault::DivByZero;
      out = Cell::of_float(x / y);
      return Fault::None;
    case Op::FloorDiv:
      if (y == 0.0) return Fault::DivByZero;
      out = Cell::of_float(float_floor_div(x, y));
      return Fault::None;
    case Op::Mod:
      if (y == 0.0) return Fault::DivByZero;
      out = Cell::of_float(float_mod(x, y));
      return Fault::None;
    case Op::Pow: return float_pow(x, y, out);
    default: return Fault::TypeError;
  }
}

Fault comparison(Op op, const Cell& a, const Cell& b, Cell& out) {
  std::partial_ordering ord = std::partial_ordering::unordered;
  if (a.is_number() && b.is_number()) {
    ord = compare_cells(a, b);
  } else if (a.tag == CellTag::Str && b.tag == CellTag::Str) {
    ord = *a.s <=> *b.s;
  } else if (op == Op::Eq || op == Op::Ne) {
    out = Cell::of_bool(op == Op::Ne);  // a string never equals a number (as in Python)
    return Fault::None;
  } else {
    return Fault::TypeError;
  }
  bool r = false;
  switch (op) {
    case Op::Eq: r = ord == 0; break;
    case Op::Ne: r = !(ord == 0); break;
    case Op::Lt: r = ord < 0; break;
    case Op::Le: r = ord <= 0; break;
    case Op::Gt: r = ord > 0; break;
    case Op::Ge: r = ord >= 0; break;
    default: return Fault::TypeError;
  }
  out = Cell::of_bool(r);
  return Fault::None;
}

Fault min_max(bool want_max, const Cell* args, int argc, Cell& out) {
  Cell best = args[0];
  for (int k = 1; k < argc; ++k) {
    const Cell& c = args[k];
    std::partial_ordering ord = std::partial_ordering::unordered;
    if (c.is_number() && best.is_number()) ord = compare_cells(c, best);
    else if (c.tag == CellTag::Str && best.tag == CellTag::Str) ord = *c.s <=> *best.s;
    else return Fault::TypeError;
    if (want_max ? ord > 0 : ord < 0) best = c;
  }
  out = best;
  return Fault::None;
}

Fault ceil_div(const Cell& a, const Cell& b, Cell& out) {
  if (!a.is_number() || !b.is_number()) return Fault::TypeError;
  if (a.int_like() && b.int_like()) {
    std::int64_t q = 0;
    std::int64_t r = 0;
    if (Fault f = int_floor_div(a.i, b.i, q); f != Fault::None) return f;
    int_mod(a.i, b.i, r);
    if (r != 0) ++q;  // cannot overflow: q < a when r != 0
    out = Cell::of_int(q);
    return Fault::None;
  }
  if (b.to_double() == 0.0) return Fault::DivByZero;
  std::int64_t q = 0;
  if (Fault f = float_to_int(std::ceil(a.to_double() / b.to_double()), q); f != Fault::None)
    return f;
  out = Cell::of_int(q);
  return Fault::None;
}

Fault rounding(Func f, const Cell& a, Cell& out) {
  if (!a.is_number()) return Fault::TypeError;
  if (a.int_like()) {
    out = Cell::of_int(a.i);
    return Fault::None;
  }
  double v = f == Func::Ceil ? std::ceil(a.f) : f == Func::Floor ? std::floor(a.f) : std::trunc(a.f);
  std::int64_t r = 0;
  if (Fault fault = float_to_int(v, r); fault != Fault::None) return fault;
  out = Cell::of_int(r);
  return Fault::None;
}

Fault to_int(const Cell& a, Cell& out) {
  if (a.tag != CellTag::Str) return rounding(Func::Int, a, out);
  std::string_view text = *a.s;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
    return Fault::BadConversion;
  out = Cell::of_int(v);
  return Fault::None;
}

Fault to_float(const Cell& a, Cell& out) {
  if (a.is_number()) {
    out = Cell::of_float(a.to_double());
    return Fault::None;
  }
  std::string_view text = *a.s;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
    return Fault::BadConversion;
  out = Cell::of_float(v);
  return Fault::None;
}

bool is_pow2(const Cell& a) {
  if (a.int_like()) return a.i > 0 && (a.i & (a.i - 1)) == 0;
  if (!(a.f > 0) || !std::isfinite(a.f)) return false;
  int exp = 0;
  return std::frexp(a.f, &exp) == 0.5;
}

}  // namespace

const char* cell_tag_name(CellTag tag) {
  switch (tag) {
    case CellTag::Int: return "int";
    case CellTag::Float: return "float";
    case CellTag::Bool: return "bool";
    case CellTag::Str: return "string";
  }
  return "?";
}

const char* op_spelling(Op op) {
  switch (op) {
    case Op::Neg: case Op::Sub: return "-";
    case Op::Pos: case Op::Add: return "+";
    case Op::Not: return "not";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::FloorDiv: return "//";
    case Op::Mod: return "%";
    case Op::Pow: return "**";
    case Op::Eq: return "==";
    case Op::Ne: return "!=";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::InConst: case Op::InStack: return "in";
    default: return "?";
  }
}

const char* func_name(Func f) {
  for (const auto& info : kFuncs)
    if (info.func == f) return info.name;
  return "?";
}

int func_arity(Func f) {
  for (const auto& info : kFuncs)
    if (info.func == f) return info.arity;
  return 0;
}

bool func_from_name(std::string_view name, Func& out) {
  for (const auto& info : kFuncs) {
    if (name == info.name) {
      out = info.func;
      return true;
    }
  }
  return false;
}

std::vector<std::string> func_names() {
  std::vector<std::string> out;
  for (const auto& info : kFuncs) out.emplace_back(info.name);
  return out;
}

Fault apply_binary(Op op, const Cell& a, const Cell& b, Cell& out) {
  switch (op) {
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
      return comparison(op, a, b, out);
    default:
      if (!a.is_number() || !b.is_number()) return Fault::TypeError;
      return arithmetic(op, a, b, out);
  }
}

Fault apply_unary(Op op, const Cell& a, Cell& out) {
  if (op == Op::Not) {
    out = Cell::of_bool(!a.truthy());
    return Fault::None;
  }
  if (!a.is_number()) return Fault::TypeError;
  if (op == Op::Pos) {
    out = a.tag == CellTag::Bool ? Cell::of_int(a.i) : a;
    return Fault::None;
  }
  if (a.tag == CellTag::Float) {
    out = Cell::of_float(-a.f);
    return Fault::None;
  }
  if (a.i == INT64_MIN) return Fault::Overflow;
  out = Cell::of_int(-a.i);
  return Fault::None;
}

bool cells_equal(const Cell& a, const Cell& b) {
  if (a.tag == CellTag::Str || b.tag == CellTag::Str)
    return a.tag == b.tag && *a.s == *b.s;
  return compare_cells(a, b) == 0;
}

Fault apply_call(Func f, const Cell* args, int argc, Cell& out) {
  switch (f) {
    case Func::Min: return min_max(false, args, argc, out);
    case Func::Max: return min_max(true, args, argc, out);
    case Func::CeilDiv: return ceil_div(args[0], args[1], out);
    case Func::Ceil: case Func::Floor: return rounding(f, args[0], out);
    case Func::Int: return to_int(args[0], out);
    case Func::Float: return to_float(args[0], out);
    case Func::Log2:
      if (!args[0].is_number()) return Fault::TypeError;
      if (!(args[0].to_double() > 0)) return Fault::Domain;
      out = Cell::of_float(std::log2(args[0].to_double()));
      return Fault::None;
    case Func::IsPow2:
      if (!args[0].is_number()) return Fault::TypeError;
      out = Cell::of_bool(is_pow2(args[0]));
      return Fault::None;
    case Func::Abs:
      if (!args[0].is_number()) return Fault::TypeError;
      if (args[0].tag == CellTag::Float) {
        out = Cell::of_float(std::fabs(args[0].f));
        return Fault::None;
      }
      if (args[0].i == INT64_MIN) return Fault::Overflow;
      out = Cell::of_int(args[0].i < 0 ? -args[0].i : args[0].i);
      return Fault::None;
  }
  return Fault::TypeError;
}

}  // namespace tuna::detail
