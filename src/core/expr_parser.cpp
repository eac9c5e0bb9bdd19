// Recursive descent over the precedence levels, lowest first:
//   ternary  c ? a : b, a if c else b
//   or       || or
//   and      && and
//   not      not            (Python: `not a == b` is `not (a == b)`)
//   compare  == != < <= > >= in, not in   (chained as in Python: a < b < c)
//   additive + -
//   multiplicative * / // %
//   unary    - + !          (C: `!a == b` is `(!a) == b`)
//   power    **             (right-associative; -2 ** 2 == -4; 2 ** -1 == 0.5)
//   primary  literal, name, call, ( expr )
#include <fmt/format.h>

#include <unordered_map>

#include "core/expr_ast.hpp"
#include "core/expr_lexer.hpp"
#include "core/expr_suggest.hpp"
#include "tuna/errors.hpp"

namespace tuna::detail {

namespace {

// Deep enough for any real constraint, shallow enough that the recursive parser and compiler
// stay far from the stack limit on hostile input.
constexpr std::size_t kMaxNesting = 100;
constexpr std::size_t kMaxHeight = 2000;
constexpr std::size_t kMaxListItems = 65535;
constexpr std::size_t kMaxCallArgs = 255;

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(lex(text)) {}

  ParsedExpr run() {
    if (peek().kind == Tok::End)
      fail(peek(), "empty expression: write a value such as 16 or a condition such as BM >= 16");
    NodePtr root = ternary();
    if (peek().kind != Tok::End)
      fail(peek(), fmt::format("expected an operator or the end of the expression, found {}",
                               describe_token(peek())));
    return ParsedExpr{std::move(root), std::move(names_)};
  }

 private:
  struct DepthGuard {
    DepthGuard(Parser& p, const Token& at) : parser(p) {
      if (++parser.depth_ > kMaxNesting)
        parser.fail(at, fmt::format("expression nested too deeply (more than {} levels)",
                                    kMaxNesting));
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  [[noreturn]] void fail(const Token& at, const std::string& message) const {
    throw ExprError(fmt::format("column {}: {}", at.column, message), at.column);
  }

  const Token& peek(std::size_t ahead = 0) const {
    std::size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& take() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool accept(Tok kind) {
    if (peek().kind != kind) return false;
    take();
    return true;
  }
  void expect_closing(Tok kind, const Token& opener, const char* what) {
    if (accept(kind)) return;
    fail(peek(), fmt::format("expected '{}' to {} '{}' at column {}, found {}", tok_spelling(kind),
                             what, opener.text, opener.column, describe_token(peek())));
  }

  NodePtr make(NodeKind kind, std::size_t column, std::vector<NodePtr> kids = {}) {
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->column = column;
    for (const auto& k : kids) n->height = std::max(n->height, k->height + 1);
    if (n->height > kMaxHeight)
      throw ExprError(fmt::format("column {}: expression too long (more than {} operations "
                                  "deep)",
                                  column, kMaxHeight),
                      column);
    n->kids = std::move(kids);
    return n;
  }
  NodePtr make_op(NodeKind kind, Op op, std::size_t column, std::vector<NodePtr> kids) {
    auto n = make(kind, column, std::move(kids));
    std::const_pointer_cast<Node>(n)->op = op;
    return n;
  }

  NodePtr ternary() {
    DepthGuard guard(*this, peek());
    NodePtr cond = logical_or();
    if (peek().kind == Tok::Question) {
      const Token& q = take();
      NodePtr then = ternary();
      expect_closing(Tok::Colon, q, "complete");
      NodePtr otherwise = ternary();
      return make(NodeKind::Ternary, q.column, {cond, then, otherwise});
    }
    if (peek().kind == Tok::KwIf) {
      // Python: `a if c else b`; what came first is the value, not the condition.
      const Token& kw = take();
      NodePtr real_cond = logical_or();
      if (!accept(Tok::KwElse))
        fail(peek(), fmt::format("expected 'else' to complete 'if' at column {} (Python form: "
                                 "a if condition else b), found {}",
                                 kw.column, describe_token(peek())));
      NodePtr otherwise = ternary();
      return make(NodeKind::Ternary, kw.column, {real_cond, cond, otherwise});
    }
    return cond;
  }

  NodePtr logical_or() {
    NodePtr lhs = logical_and();
    while (peek().kind == Tok::OrOr || peek().kind == Tok::KwOr) {
      const Token& t = take();
      lhs = make(NodeKind::Or, t.column, {lhs, logical_and()});
    }
    return lhs;
  }

  NodePtr logical_and() {
    NodePtr lhs = logical_not();
    while (peek().kind == Tok::AndAnd || peek().kind == Tok::KwAnd) {
      const Token& t = take();
      lhs = make(NodeKind::And, t.column, {lhs, logical_not()});
    }
    return lhs;
  }

  NodePtr logical_not() {
    if (peek().kind == Tok::KwNot) {
      DepthGuard guard(*this, peek());
      const Token& t = take();
      return make_op(NodeKind::Unary, Op::Not, t.column, {logical_not()});
    }
    return comparison();
  }

  static bool comparison_op(Tok kind, Op& op) {
    switch (kind) {
      case Tok::EqEq: op = Op::Eq; return true;
      case Tok::NotEq: op = Op::Ne; return true;
      case Tok::Lt: op = Op::Lt; return true;
      case Tok::Le: op = Op::Le; return true;
      case Tok::Gt: op = Op::Gt; return true;
      case Tok::Ge: op = Op::Ge; return true;
      default: return false;
    }
  }

  NodePtr comparison() {
    NodePtr lhs = additive();
    NodePtr result;
    while (true) {
      Op op{};
      NodePtr step;
      NodePtr rhs;
      if (comparison_op(peek().kind, op)) {
        const Token& t = take();
        rhs = additive();
        step = make_op(NodeKind::Binary, op, t.column, {lhs, rhs});
      } else if (peek().kind == Tok::KwIn ||
                 (peek().kind == Tok::KwNot && peek(1).kind == Tok::KwIn)) {
        bool negated = peek().kind == Tok::KwNot;
        const Token& t = take();
        if (negated) take();
        step = in_list(lhs, t, negated);
        rhs = nullptr;  // a list cannot be the left side of a further comparison
      } else {
        break;
      }
      // Python chains comparisons: a < b < c means (a < b) and (b < c).
      result = result ? make(NodeKind::And, step->column, {result, step}) : step;
      if (!rhs) {
        Op dummy{};
        if (comparison_op(peek().kind, dummy) || peek().kind == Tok::KwIn)
          fail(peek(), fmt::format("a list after 'in' cannot be compared further; add "
                                   "parentheses around the 'in' test, found {}",
                                   describe_token(peek())));
        break;
      }
      lhs = rhs;
    }
    return result ? result : lhs;
  }

  NodePtr in_list(const NodePtr& value, const Token& in_token, bool negated) {
    const Token& open = peek();
    Tok close = open.kind == Tok::LBracket ? Tok::RBracket : Tok::RParen;
    if (open.kind != Tok::LBracket && open.kind != Tok::LParen)
      fail(open, fmt::format("expected a list such as [1, 2, 4] after '{}', found {}",
                             negated ? "not in" : "in", describe_token(open)));
    take();
    std::vector<NodePtr> kids{value};
    if (peek().kind != close) {
      do {
        if (peek().kind == close) break;  // trailing comma, as Python allows
        if (kids.size() > kMaxListItems)
          fail(peek(), fmt::format("list too long (more than {} items)", kMaxListItems));
        kids.push_back(ternary());
      } while (accept(Tok::Comma));
    }
    expect_closing(close, open, "close");
    auto n = make(NodeKind::In, in_token.column, std::move(kids));
    std::const_pointer_cast<Node>(n)->negated = negated;
    return n;
  }

  NodePtr additive() {
    NodePtr lhs = multiplicative();
    while (peek().kind == Tok::Plus || peek().kind == Tok::Minus) {
      const Token& t = take();
      Op op = t.kind == Tok::Plus ? Op::Add : Op::Sub;
      lhs = make_op(NodeKind::Binary, op, t.column, {lhs, multiplicative()});
    }
    return lhs;
  }

  NodePtr multiplicative() {
    NodePtr lhs = unary();
    while (true) {
      Op op{};
      switch (peek().kind) {
        case Tok::Star: op = Op::Mul; break;
        case Tok::Slash: op = Op::Div; break;
        case Tok::SlashSlash: op = Op::FloorDiv; break;
        case Tok::Percent: op = Op::Mod; break;
        default: return lhs;
      }
      const Token& t = take();
      lhs = make_op(NodeKind::Binary, op, t.column, {lhs, unary()});
    }
  }

  NodePtr unary() {
    Op op{};
    switch (peek().kind) {
      case Tok::Minus: op = Op::Neg; break;
      case Tok::Plus: op = Op::Pos; break;
      case Tok::Bang: op = Op::Not; break;
      default: return power();
    }
    DepthGuard guard(*this, peek());
    const Token& t = take();
    return make_op(NodeKind::Unary, op, t.column, {unary()});
  }

  NodePtr power() {
    NodePtr base = primary();
    if (peek().kind == Tok::StarStar) {
      const Token& t = take();
      return make_op(NodeKind::Binary, Op::Pow, t.column, {base, unary()});
    }
    return base;
  }

  NodePtr literal(Value v, std::size_t column) {
    auto n = make(NodeKind::Literal, column);
    std::const_pointer_cast<Node>(n)->literal = std::move(v);
    return n;
  }

  NodePtr primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::Int: take(); return literal(Value(t.int_value), t.column);
      case Tok::Float: take(); return literal(Value(t.float_value), t.column);
      case Tok::String: take(); return literal(Value(t.string_value), t.column);
      case Tok::KwTrue: take(); return literal(Value(true), t.column);
      case Tok::KwFalse: take(); return literal(Value(false), t.column);
      case Tok::Name: take(); return peek().kind == Tok::LParen ? call(t) : name(t);
      case Tok::LParen: {
        const Token& open = take();
        NodePtr inner = ternary();
        expect_closing(Tok::RParen, open, "close");
        return inner;
      }
      default:
        fail(t, fmt::format("expected a value (a number, a name, a function call or '('), "
                            "found {}",
                            describe_token(t)));
    }
  }

  NodePtr name(const Token& t) {
    auto n = make(NodeKind::Name, t.column);
    auto* node = const_cast<Node*>(n.get());
    node->name = std::string(t.text);
    auto [it, inserted] = name_index_.try_emplace(node->name, names_.size());
    if (inserted) names_.push_back(node->name);
    node->name_index = it->second;
    return n;
  }

  NodePtr call(const Token& fn) {
    Func func{};
    if (!func_from_name(fn.text, func))
      fail(fn, fmt::format("unknown function '{}' (known: {}){}", fn.text,
                           list_names(func_names()), did_you_mean(fn.text, func_names())));
    const Token& open = take();
    std::vector<NodePtr> args;
    if (peek().kind != Tok::RParen) {
      do {
        if (args.size() >= kMaxCallArgs)
          fail(peek(), fmt::format("too many arguments (more than {})", kMaxCallArgs));
        args.push_back(ternary());
      } while (accept(Tok::Comma));
    }
    expect_closing(Tok::RParen, open, "close");
    int arity = func_arity(func);
    if (arity < 0 && args.empty())
      fail(fn, fmt::format("{}() needs at least one argument", fn.text));
    if (arity >= 0 && static_cast<int>(args.size()) != arity)
      fail(fn, fmt::format("{}() takes {} argument{}, got {}", fn.text, arity,
                           arity == 1 ? "" : "s", args.size()));
    auto n = make(NodeKind::Call, fn.column, std::move(args));
    std::const_pointer_cast<Node>(n)->func = func;
    return n;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::size_t> name_index_;
};

}  // namespace

ParsedExpr parse_expr(std::string_view text) { return Parser(text).run(); }

}  // namespace tuna::detail
