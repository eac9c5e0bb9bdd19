#include "tuna/expr.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/expr_machine.hpp"
#include "core/expr_program.hpp"
#include "core/expr_suggest.hpp"

namespace tuna {

using detail::Cell;
using detail::CellTag;
using detail::Fault;
using detail::FaultInfo;
using detail::Op;

namespace {

const std::string kEmptyText;
const std::vector<std::string> kNoNames;
const std::vector<std::size_t> kNoSlots;

std::string describe_cell(const Cell& c) {
  switch (c.tag) {
    case CellTag::Str: return fmt::format("string '{}'", *c.s);
    case CellTag::Bool: return c.i ? "bool true" : "bool false";
    case CellTag::Int: return fmt::format("int {}", c.i);
    case CellTag::Float: return fmt::format("float {}", format_double(c.f));
  }
  return "?";
}

bool is_comparison(Op op) {
  return op == Op::Eq || op == Op::Ne || op == Op::Lt || op == Op::Le || op == Op::Gt ||
         op == Op::Ge;
}

std::string call_fault_message(const detail::Instr& in, const FaultInfo& info) {
  const char* fn = detail::func_name(static_cast<detail::Func>(in.arg));
  switch (info.fault) {
    case Fault::DivByZero: return fmt::format("division by zero in {}()", fn);
    case Fault::Overflow: return fmt::format("{}(): the result does not fit in 64 bits", fn);
    case Fault::Domain:
      return fmt::format("{}() needs a positive number, got {}", fn, describe_cell(info.a));
    case Fault::BadConversion: return fmt::format("{}() cannot convert {}", fn, describe_cell(info.a));
    default:
      return fmt::format("{}() does not accept {}{}", fn, describe_cell(info.a),
                         in.count > 1 ? " and " + describe_cell(info.b) : std::string());
  }
}

std::string op_fault_message(const detail::Instr& in, const FaultInfo& info) {
  const char* op = detail::op_spelling(in.op);
  switch (info.fault) {
    case Fault::DivByZero:
      if (in.op == Op::Pow) return "0 cannot be raised to a negative power (division by zero)";
      return fmt::format("division by zero in '{}'", op);
    case Fault::Overflow:
      if (in.op == Op::Pow && info.a.tag == CellTag::Float)
        return "float overflow in '**': the result is too large";
      return fmt::format("integer overflow in '{}': the result does not fit in 64 bits", op);
    case Fault::Domain: return "a negative number cannot be raised to a fractional power";
    default: break;
  }
  if (in.op == Op::Neg || in.op == Op::Pos)
    return fmt::format("bad operand for unary '{}': {}", op, describe_cell(info.a));
  if (is_comparison(in.op))
    return fmt::format("cannot compare {} with {} using '{}'", describe_cell(info.a),
                       describe_cell(info.b), op);
  return fmt::format("unsupported operands for '{}': {} and {}", op, describe_cell(info.a),
                     describe_cell(info.b));
}

[[noreturn]] void throw_fault(const detail::ExprProgram& p, const FaultInfo& info,
                              const std::vector<std::string>& known) {
  const detail::Instr& in = p.code.instrs[info.pc];
  std::string message;
  if (info.fault == Fault::UnknownName) {
    const std::string& name = p.parsed.names[static_cast<std::size_t>(in.arg)];
    message = fmt::format("unknown name '{}' (known: {}){}", name, list_names(known),
                          did_you_mean(name, known));
  } else if (in.op == Op::Call) {
    message = call_fault_message(in, info);
  } else {
    message = op_fault_message(in, info);
  }
  throw ExprError(fmt::format("column {}: {}", in.column, message), in.column);
}

std::shared_ptr<const detail::ExprProgram> make_program(std::string text,
                                                        detail::ParsedExpr parsed) {
  auto p = std::make_shared<detail::ExprProgram>();
  p->text = std::move(text);
  p->parsed = std::move(parsed);
  // Unbound: slot i is the i-th name; evaluate(Env) resolves them on each call.
  const auto& names = p->parsed.names;
  p->code = detail::compile_code(*p->parsed.root, [&names](const detail::Node& n) {
    auto it = std::find(names.begin(), names.end(), n.name);
    TUNA_ASSERT(it != names.end(), "a name missing from the expression's name list");
    return detail::Resolved{true, static_cast<std::size_t>(it - names.begin()), {}};
  }, /*fuse_slots=*/false);
  return p;
}

void collect_conjuncts(const detail::NodePtr& node, std::vector<detail::NodePtr>& out) {
  if (node->kind == detail::NodeKind::And) {
    collect_conjuncts(node->kids[0], out);
    collect_conjuncts(node->kids[1], out);
    return;
  }
  out.push_back(node);
}

void collect_names(const detail::Node& node, std::vector<std::string>& out) {
  if (node.kind == detail::NodeKind::Name &&
      std::find(out.begin(), out.end(), node.name) == out.end())
    out.push_back(node.name);
  for (const auto& k : node.kids) collect_names(*k, out);
}

std::vector<std::string> env_names(const Env& env) {
  std::vector<std::string> out;
  for (const auto& [name, value] : env.values()) out.push_back(name);
  return out;
}

}  // namespace

Expr Expr::parse(std::string_view text) {
  Expr e;
  e.program_ = make_program(std::string(text), detail::parse_expr(text));
  return e;
}

Expr Expr::constant(Value value) {
  auto node = std::make_shared<detail::Node>();
  node->kind = detail::NodeKind::Literal;
  node->literal = value;
  std::string text = value.is_string() ? fmt::format("'{}'", value.as_string()) : value.to_string();
  Expr e;
  e.program_ = make_program(std::move(text), detail::ParsedExpr{node, {}});
  return e;
}

std::vector<Expr> Expr::conjuncts() const {
  if (!program_) return {};
  std::vector<detail::NodePtr> parts;
  collect_conjuncts(program_->parsed.root, parts);
  if (parts.size() == 1) return {*this};
  std::vector<Expr> out;
  for (const auto& part : parts) {
    detail::ParsedExpr parsed{part, {}};
    collect_names(*part, parsed.names);
    Expr e;
    e.program_ = make_program(program_->text, std::move(parsed));
    out.push_back(std::move(e));
  }
  return out;
}

const std::string& Expr::text() const { return program_ ? program_->text : kEmptyText; }

const std::vector<std::string>& Expr::names() const {
  return program_ ? program_->parsed.names : kNoNames;
}

Value Expr::evaluate(const Env& env) const {
  TUNA_ASSERT(program_, "evaluate() on an empty expression");
  const auto& names = program_->parsed.names;
  std::vector<const Value*> values(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) values[i] = env.find(names[i]);
  auto load = [&](std::size_t slot, Cell& out) {
    if (!values[slot]) return false;
    out = detail::cell_from_value(*values[slot]);
    return true;
  };
  Cell result{};
  FaultInfo info;
  if (!detail::run_code(program_->code, load, result, info))
    throw_fault(*program_, info, env_names(env));
  return detail::value_from_cell(result);
}

BoundExpr Expr::bind(const std::function<std::optional<std::size_t>(std::string_view)>& slot_of,
                     const Env& constants) const {
  TUNA_ASSERT(program_, "bind() on an empty expression");
  auto p = std::make_shared<detail::ExprProgram>();
  p->text = program_->text;
  p->parsed = program_->parsed;
  p->code = detail::compile_code(*p->parsed.root, [&](const detail::Node& n) {
    if (auto slot = slot_of(n.name)) return detail::Resolved{true, *slot, {}};
    if (const Value* v = constants.find(n.name)) return detail::Resolved{false, 0, *v};
    auto known = env_names(constants);
    throw ExprError(fmt::format("column {}: unknown name '{}' (not a parameter; constants: "
                                "{}){}",
                                n.column, n.name, list_names(known), did_you_mean(n.name, known)),
                    n.column);
  }, /*fuse_slots=*/true);
  BoundExpr b;
  b.program_ = std::move(p);
  return b;
}

BoundExpr Expr::bind(std::span<const std::string> slot_names, const Env& constants) const {
  TUNA_ASSERT(program_, "bind() on an empty expression");
  auto p = std::make_shared<detail::ExprProgram>();
  p->text = program_->text;
  p->parsed = program_->parsed;
  p->slot_names.assign(slot_names.begin(), slot_names.end());
  p->code = detail::compile_code(*p->parsed.root, [&](const detail::Node& n) {
    for (std::size_t i = 0; i < slot_names.size(); ++i)
      if (slot_names[i] == n.name) return detail::Resolved{true, i, {}};
    if (const Value* v = constants.find(n.name)) return detail::Resolved{false, 0, *v};
    std::vector<std::string> known(slot_names.begin(), slot_names.end());
    for (const auto& [name, value] : constants.values()) known.push_back(name);
    throw ExprError(fmt::format("column {}: unknown name '{}' (known: {}){}", n.column, n.name,
                                list_names(known), did_you_mean(n.name, known)),
                    n.column);
  }, /*fuse_slots=*/true);
  BoundExpr b;
  b.program_ = std::move(p);
  return b;
}

namespace {

struct SpanLoad {
  std::span<const Value> slots;
  bool operator()(std::size_t slot, Cell& out) const {
    out = detail::cell_from_value(slots[slot]);
    return true;
  }
};

[[noreturn, gnu::noinline]] void slot_error(const detail::ExprProgram& p, std::size_t size) {
  throw InternalError(fmt::format("internal error: expression '{}' reads slot {} but only {} "
                                  "were given",
                                  p.text, p.code.slots.back(), size));
}

inline void check_slots(const detail::ExprProgram& p, std::span<const Value> slots) {
  if (!p.code.slots.empty() && p.code.slots.back() >= slots.size()) [[unlikely]]
    slot_error(p, slots.size());
}

}  // namespace

Value BoundExpr::evaluate(std::span<const Value> slots) const {
  TUNA_ASSERT(program_, "evaluate() on an empty bound expression");
  check_slots(*program_, slots);
  Cell result{};
  FaultInfo info;
  if (!detail::run_code(program_->code, SpanLoad{slots}, result, info))
    throw_fault(*program_, info, program_->slot_names);
  return detail::value_from_cell(result);
}

bool BoundExpr::test(std::span<const Value> slots) const {
  check_slots(*program_, slots);
  Cell result{};
  FaultInfo info;
  // A constraint that cannot be evaluated (division by zero, a type error) is not satisfied.
  return detail::run_code(program_->code, SpanLoad{slots}, result, info) && result.truthy();
}

std::optional<std::string> BoundExpr::fault(std::span<const Value> slots) const {
  try {
    evaluate(slots);
  } catch (const ExprError& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

const std::vector<std::size_t>& BoundExpr::slots() const {
  return program_ ? program_->code.slots : kNoSlots;
}

const std::string& BoundExpr::text() const { return program_ ? program_->text : kEmptyText; }

std::string describe_expr_error(std::string_view text, const ExprError& error) {
  std::size_t caret = error.column() == 0 ? 0 : error.column() - 1;
  return fmt::format("{}\n  {}\n  {}^", error.what(), text, std::string(caret, ' '));
}

}  // namespace tuna
