// T1 input files: a search space written for the benchmark hub. Parameter values are Python
// list expressions; restrictions are Python boolean expressions, which tuna's expression
// language reads as they are (DESIGN.md §3). The few list forms T1 files use are translated
// here, with tuna expressions for their arithmetic:
//   [1, 2, 4]   [2**i for i in range(0, 6)]   list(range(32, 1024+1, 32))   A + B
#include <fmt/format.h>

#include <cctype>

#include "store/import_json.hpp"
#include "store/import_recording.hpp"
#include "tuna/errors.hpp"
#include "tuna/expr.hpp"

namespace tuna::store {

namespace {

using json = nlohmann::ordered_json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Reads text one character at a time, tracking quotes and bracket depth.
class BracketScanner {
 public:
  enum class Kind { Quoted, Quote, Open, Close, Other };
  Kind feed(char c) {
    if (quote_) {
      if (c == quote_) quote_ = 0;
      return Kind::Quoted;
    }
    if (c == '\'' || c == '"') {
      quote_ = c;
      return Kind::Quote;
    }
    if (c == '(' || c == '[') {
      ++depth_;
      return Kind::Open;
    }
    if (c == ')' || c == ']') {
      --depth_;
      return Kind::Close;
    }
    return Kind::Other;
  }
  int depth() const { return depth_; }

 private:
  int depth_ = 0;
  char quote_ = 0;
};

// Splits at `sep` where brackets are balanced and outside quotes.
std::vector<std::string_view> split_top(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  BracketScanner scan;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (scan.feed(s[i]) == BracketScanner::Kind::Other && s[i] == sep && scan.depth() == 0) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

// `text` is `open`...`close` as a whole: the bracket that `open` ends with closes at the very
// end (so "[1] + [2]" is not wrapped in "[" "]").
bool wrapped(std::string_view text, std::string_view open, char close) {
  if (text.size() < open.size() + 1 || text.substr(0, open.size()) != open || text.back() != close)
    return false;
  BracketScanner scan;
  for (std::size_t i = open.size() - 1; i < text.size(); ++i)
    if (scan.feed(text[i]) == BracketScanner::Kind::Close && scan.depth() == 0)
      return i + 1 == text.size();
  return false;
}

Value scalar(std::string_view text, const Env& env) {
  try {
    return Expr::parse(text).evaluate(env);
  } catch (const ExprError& e) {
    throw UserError(fmt::format("cannot evaluate '{}': {}", text, e.what()));
  }
}

std::vector<Value> list_of(std::string_view text, const Env& env);

std::vector<Value> range_of(std::string_view args, const Env& env) {
  std::vector<std::int64_t> a;
  for (auto part : split_top(args, ',')) a.push_back(scalar(trim(part), env).as_int());
  if (a.empty() || a.size() > 3)
    throw UserError(fmt::format("range({}) needs 1 to 3 arguments", args));
  std::int64_t lo = a.size() == 1 ? 0 : a[0], hi = a.size() == 1 ? a[0] : a[1];
  std::int64_t step = a.size() == 3 ? a[2] : 1;
  if (step == 0) throw UserError(fmt::format("range({}) has a step of 0", args));
  std::vector<Value> out;
  for (std::int64_t v = lo; step > 0 ? v < hi : v > hi; v += step) {
    out.emplace_back(v);
    if (out.size() > 1'000'000) throw UserError(fmt::format("range({}) is too long", args));
  }
  return out;
}

// The inside of [...]: a comprehension `E for NAME in ITERABLE`, or items separated by commas.
std::vector<Value> bracket_list(std::string_view inside, const Env& env) {
  std::size_t at_for = inside.find(" for ");
  if (at_for != std::string_view::npos) {
    std::string_view element = trim(inside.substr(0, at_for));
    std::string_view rest = trim(inside.substr(at_for + 5));
    std::size_t at_in = rest.find(" in ");
    if (at_in == std::string_view::npos)
      throw UserError(fmt::format("expected 'for NAME in ...' in '[{}]'", inside));
    std::string name(trim(rest.substr(0, at_in)));
    std::vector<Value> out;
    Env inner = env;
    for (const Value& v : list_of(trim(rest.substr(at_in + 4)), env)) {
      inner.set(name, v);
      out.push_back(scalar(element, inner));
    }
    return out;
  }
  std::vector<Value> out;
  if (trim(inside).empty()) return out;
  for (auto item : split_top(inside, ',')) {
    std::string_view t = trim(item);
    if (t.empty()) continue;  // a trailing comma
    out.push_back(scalar(t, env));
  }
  return out;
}

std::vector<Value> list_of(std::string_view text, const Env& env) {
  text = trim(text);
  auto terms = split_top(text, '+');
  if (terms.size() > 1 && !wrapped(text, "[", ']')) {
    std::vector<Value> out;
    for (auto term : terms)
      for (Value& v : list_of(term, env)) out.push_back(std::move(v));
    return out;
  }
  if (wrapped(text, "[", ']')) return bracket_list(text.substr(1, text.size() - 2), env);
  if (wrapped(text, "list(", ')')) return list_of(text.substr(5, text.size() - 6), env);
  if (wrapped(text, "range(", ')')) return range_of(text.substr(6, text.size() - 7), env);
  throw UserError(
      fmt::format("'{}' is not a list tuna understands (a [..] list, a list "
                  "comprehension over range(), list(range(..)), or a sum of these)",
                  text));
}

}  // namespace

std::vector<Value> evaluate_t1_values(const std::string& text) { return list_of(text, Env{}); }

T1Space read_t1(const std::filesystem::path& file) {
  const json doc = parse_json_file(file, read_maybe_gzipped(file));
  T1Space t1;
  t1.file = file;
  if (!doc.contains("ConfigurationSpace"))
    throw UserError(
        fmt::format("{}: not a T1 file: it has no \"ConfigurationSpace\"", file.string()));
  if (auto g = doc.find("General"); g != doc.end())
    t1.benchmark_name = g->value("BenchmarkName", "");
  if (auto k = doc.find("KernelSpecification"); k != doc.end())
    t1.kernel_name = k->value("KernelName", "");
  const json& cs = doc["ConfigurationSpace"];
  for (const auto& p : cs.value("TuningParameters", json::array())) {
    const std::string name = p.at("Name").get<std::string>();
    const std::string where = fmt::format("{}: TuningParameters '{}'", file.string(), name);
    std::vector<Value> values;
    const json& given = p.at("Values");
    try {
      if (given.is_string()) {
        values = evaluate_t1_values(given.get<std::string>());
      } else if (given.is_array()) {
        for (const auto& v : given) values.push_back(value_from_json(v, where));
      } else {
        throw UserError("\"Values\" must be a list or a list expression");
      }
    } catch (const UserError& e) {
      throw UserError(fmt::format("{}: {}", where, e.what()));
    }
    std::optional<Value> def;
    if (auto d = p.find("Default"); d != p.end()) {
      // Some files wrap the default in a one-element list.
      const json& dv = d->is_array() && d->size() == 1 ? (*d)[0] : *d;
      if (dv.is_number() || dv.is_string() || dv.is_boolean()) def = value_from_json(dv, where);
    }
    t1.param_names.push_back(name);
    t1.param_values.push_back(std::move(values));
    t1.defaults.push_back(def);
  }
  for (const auto& c : cs.value("Conditions", json::array())) {
    if (!c.contains("Expression") || !c["Expression"].is_string())
      throw UserError(fmt::format("{}: a condition has no \"Expression\" string", file.string()));
    t1.restrictions.push_back(c["Expression"].get<std::string>());
  }
  return t1;
}

}  // namespace tuna::store
