// Tree -> postfix program, folding every subtree whose inputs are constants. A fold that
// faults (1 / 0) is left in the program so that the fault surfaces at evaluation time, with
// its column, exactly as it would without folding.
#include <algorithm>

#include "core/expr_program.hpp"
#include "tuna/errors.hpp"

namespace tuna::detail {

namespace {

struct Fragment {
  std::vector<Instr> code;
  bool is_const = false;
  Cell value{};
  std::size_t depth = 0;
};

class Compiler {
 public:
  Compiler(Code& out, const Resolver& resolve, bool fuse_slots)
      : out_(out), resolve_(resolve), fuse_slots_(fuse_slots) {}

  void run(const Node& root) {
    Fragment f = node(root);
    materialize(f);
    out_.instrs = std::move(f.code);
    out_.max_stack = std::max<std::size_t>(f.depth, 1);
    std::sort(slots_.begin(), slots_.end());
    slots_.erase(std::unique(slots_.begin(), slots_.end()), slots_.end());
    out_.slots = slots_;
  }

 private:
  static Instr instr(Op op, std::size_t column, std::int64_t arg = 0, std::size_t count = 0,
                     Rhs rhs = Rhs::Stack) {
    return Instr{op, rhs, static_cast<std::uint16_t>(count), static_cast<std::uint32_t>(column),
                 static_cast<std::int32_t>(arg)};
  }

  Cell intern(const Value& v) {
    if (const auto* s = v.string_if()) {
      out_.strings.push_back(std::make_unique<std::string>(*s));
      return Cell::of_str(out_.strings.back().get());
    }
    return cell_from_value(v);
  }

  static Fragment constant(Cell c) {
    Fragment f;
    f.is_const = true;
    f.value = c;
    f.depth = 1;
    return f;
  }

  void materialize(Fragment& f) {
    if (!f.is_const) return;
    out_.consts.push_back(f.value);
    f.code = {instr(Op::PushConst, 0, static_cast<std::int64_t>(out_.consts.size() - 1))};
    f.is_const = false;
  }

  static void append(std::vector<Instr>& dst, const std::vector<Instr>& src) {
    dst.insert(dst.end(), src.begin(), src.end());
  }

  Fragment node(const Node& n) {
    switch (n.kind) {
      case NodeKind::Literal: return constant(intern(n.literal));
      case NodeKind::Name: return name(n);
      case NodeKind::Unary: return unary(n);
      case NodeKind::Binary: return binary(n);
      case NodeKind::And: case NodeKind::Or: return logical(n);
      case NodeKind::Ternary: return ternary(n);
      case NodeKind::In: return in_list(n);
      case NodeKind::Call: return call(n);
    }
    TUNA_ASSERT(false, "unknown expression node");
  }

  Fragment name(const Node& n) {
    Resolved r = resolve_(n);
    if (!r.is_slot) return constant(intern(r.constant));
    slots_.push_back(r.slot);
    Fragment f;
    f.code = {instr(Op::LoadSlot, n.column, static_cast<std::int64_t>(r.slot))};
    f.depth = 1;
    return f;
  }

  Fragment unary(const Node& n) {
    Fragment a = node(*n.kids[0]);
    if (a.is_const) {
      Cell out{};
      if (apply_unary(n.op, a.value, out) == Fault::None) return constant(out);
    }
    materialize(a);
    a.code.push_back(instr(n.op, n.column));
    return a;
  }

  Fragment binary(const Node& n) {
    Fragment a = node(*n.kids[0]);
    Fragment b = node(*n.kids[1]);
    if (a.is_const && b.is_const) {
      Cell out{};
      if (apply_binary(n.op, a.value, b.value, out) == Fault::None) return constant(out);
    }
    materialize(a);
    Fragment f;
    f.code = std::move(a.code);
    f.depth = std::max<std::size_t>(a.depth, 2);
    if (b.is_const) {
      out_.consts.push_back(b.value);
      f.code.push_back(instr(n.op, n.column, static_cast<std::int64_t>(out_.consts.size() - 1),
                             0, Rhs::Const));
      return f;
    }
    if (fuse_slots_ && b.code.size() == 1 && b.code[0].op == Op::LoadSlot) {
      f.code.push_back(instr(n.op, n.column, b.code[0].arg, 0, Rhs::Slot));
      return f;
    }
    append(f.code, b.code);
    f.code.push_back(instr(n.op, n.column));
    f.depth = std::max(a.depth, b.depth + 1);
    return f;
  }

  Fragment logical(const Node& n) {
    bool is_and = n.kind == NodeKind::And;
    Fragment a = node(*n.kids[0]);
    Fragment b = node(*n.kids[1]);
    if (a.is_const) {
      // `False and x` is False without looking at x; `True and x` is bool(x).
      if (a.value.truthy() != is_and) return constant(Cell::of_bool(!is_and));
      if (b.is_const) return constant(Cell::of_bool(b.value.truthy()));
      b.code.push_back(instr(Op::ToBool, n.column));
      return b;
    }
    materialize(b);
    Fragment f;
    f.code = std::move(a.code);
    f.code.push_back(instr(is_and ? Op::AndJump : Op::OrJump, n.column,
                           static_cast<std::int64_t>(b.code.size()) + 2));
    append(f.code, b.code);
    f.code.push_back(instr(Op::ToBool, n.column));
    f.depth = std::max(a.depth, b.depth);
    return f;
  }

  Fragment ternary(const Node& n) {
    Fragment c = node(*n.kids[0]);
    if (c.is_const) return node(*n.kids[c.value.truthy() ? 1 : 2]);
    Fragment a = node(*n.kids[1]);
    Fragment b = node(*n.kids[2]);
    materialize(a);
    materialize(b);
    Fragment f;
    f.code = std::move(c.code);
    f.code.push_back(instr(Op::JumpIfFalse, n.column, static_cast<std::int64_t>(a.code.size()) + 2));
    append(f.code, a.code);
    f.code.push_back(instr(Op::Jump, n.column, static_cast<std::int64_t>(b.code.size()) + 1));
    append(f.code, b.code);
    f.depth = std::max({c.depth, a.depth, b.depth});
    return f;
  }

  Fragment in_list(const Node& n) {
    Fragment x = node(*n.kids[0]);
    std::vector<Fragment> items;
    bool all_const = true;
    for (std::size_t i = 1; i < n.kids.size(); ++i) {
      items.push_back(node(*n.kids[i]));
      all_const = all_const && items.back().is_const;
    }
    if (all_const && x.is_const) {
      bool found = std::any_of(items.begin(), items.end(),
                               [&](const Fragment& it) { return cells_equal(x.value, it.value); });
      return constant(Cell::of_bool(found != n.negated));
    }
    materialize(x);
    Fragment f;
    f.code = std::move(x.code);
    f.depth = x.depth;
    if (all_const) {
      f.code.push_back(instr(Op::InConst, n.column, static_cast<std::int64_t>(out_.lists.size()),
                             items.size()));
      for (const auto& it : items) out_.lists.push_back(it.value);
    } else {
      for (std::size_t i = 0; i < items.size(); ++i) {
        materialize(items[i]);
        append(f.code, items[i].code);
        f.depth = std::max(f.depth, items[i].depth + i + 1);
      }
      f.code.push_back(instr(Op::InStack, n.column, 0, items.size()));
    }
    if (n.negated) f.code.push_back(instr(Op::Not, n.column));
    return f;
  }

  Fragment call(const Node& n) {
    std::vector<Fragment> args;
    bool all_const = true;
    for (const auto& k : n.kids) {
      args.push_back(node(*k));
      all_const = all_const && args.back().is_const;
    }
    if (all_const) {
      std::vector<Cell> cells;
      for (const auto& a : args) cells.push_back(a.value);
      Cell out{};
      if (apply_call(n.func, cells.data(), static_cast<int>(cells.size()), out) == Fault::None)
        return constant(out);
    }
    Fragment f;
    for (std::size_t i = 0; i < args.size(); ++i) {
      materialize(args[i]);
      append(f.code, args[i].code);
      f.depth = std::max(f.depth, args[i].depth + i);
    }
    f.depth = std::max<std::size_t>(f.depth, 1);
    f.code.push_back(instr(Op::Call, n.column, static_cast<std::int64_t>(n.func), args.size()));
    return f;
  }

  Code& out_;
  const Resolver& resolve_;
  bool fuse_slots_;
  std::vector<std::size_t> slots_;
};

}  // namespace

Code compile_code(const Node& root, const Resolver& resolve, bool fuse_slots) {
  Code code;
  Compiler(code, resolve, fuse_slots).run(root);
  return code;
}

}  // namespace tuna::detail
