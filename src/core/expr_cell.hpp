#pragma once
// The expression machine's value: a 16-byte tagged union that never allocates. Strings are
// borrowed pointers (into the program's constant pool or the caller's slot values), which is
// why the language compares strings but never builds new ones.
#include <cstdint>
#include <string>

#include "tuna/value.hpp"

namespace tuna::detail {

enum class CellTag : std::uint8_t { Int, Float, Bool, Str };

struct Cell {
  // Trivially constructible on purpose: the machine's stack is a plain array.
  CellTag tag;
  union {
    std::int64_t i;
    double f;
    const std::string* s;
  };
  static Cell of_int(std::int64_t v) { Cell c; c.tag = CellTag::Int; c.i = v; return c; }
  static Cell of_float(double v) { Cell c; c.tag = CellTag::Float; c.f = v; return c; }
  static Cell of_bool(bool v) { Cell c; c.tag = CellTag::Bool; c.i = v ? 1 : 0; return c; }
  static Cell of_str(const std::string* v) { Cell c; c.tag = CellTag::Str; c.s = v; return c; }

  bool int_like() const { return tag == CellTag::Int || tag == CellTag::Bool; }
  bool is_number() const { return tag != CellTag::Str; }
  double to_double() const { return tag == CellTag::Float ? f : static_cast<double>(i); }
  bool truthy() const {
    switch (tag) {
      case CellTag::Float: return f != 0.0;
      case CellTag::Str: return !s->empty();
      default: return i != 0;
    }
  }
};

// Borrows the value's string; the cell must not outlive `v`.
inline Cell cell_from_value(const Value& v) {
  if (const auto* i = v.int_if()) return Cell::of_int(*i);
  if (const auto* f = v.float_if()) return Cell::of_float(*f);
  if (const auto* b = v.bool_if()) return Cell::of_bool(*b);
  return Cell::of_str(v.string_if());
}

inline Value value_from_cell(const Cell& c) {
  switch (c.tag) {
    case CellTag::Int: return Value(c.i);
    case CellTag::Float: return Value(c.f);
    case CellTag::Bool: return Value(c.i != 0);
    case CellTag::Str: return Value(*c.s);
  }
  return Value();
}

const char* cell_tag_name(CellTag tag);

}  // namespace tuna::detail
