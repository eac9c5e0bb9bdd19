#include "core/spec_toml_section.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tuna::spec_internal {

const char* toml_type_phrase(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

int toml_line(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

void record_lines(const toml::node& node, const std::string& path, SpecLocations& loc) {
  if (!path.empty()) loc.set(path, toml_line(node));
  if (const auto* table = node.as_table()) {
    for (const auto& [k, child] : *table) {
      const std::string child_path =
          path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
      // A key's own position beats its value's for tables opened far from their header.
      record_lines(child, child_path, loc);
      if (k.source().begin.line > 0 && !child.is_table())
        loc.set(child_path, static_cast<int>(k.source().begin.line));
    }
  } else if (const auto* array = node.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i)
      record_lines(*array->get(i), fmt::format("{}[{}]", path, i), loc);
  }
}

std::vector<std::pair<std::string, const toml::node*>> entries_in_file_order(
    const toml::table& table) {
  struct Entry {
    toml::source_position pos;
    std::string key;
    const toml::node* node;
  };
  std::vector<Entry> entries;
  for (const auto& [k, node] : table)
    entries.push_back({k.source().begin, std::string(k.str()), &node});
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
  });
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (auto& e : entries) out.emplace_back(std::move(e.key), e.node);
  return out;
}

std::string TomlSection::key(std::string_view k) const {
  return path_.empty() ? std::string(k) : fmt::format("{}.{}", path_, k);
}

void TomlSection::allow_only(const std::vector<std::string>& allowed) const {
  for (const auto& [k, node] : entries_in_file_order(table_)) {
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    const std::string where = path_.empty() ? std::string("the top level") : "[" + path_ + "]";
    loc_.fail(
        key(k), fmt::format("unknown key '{}'{}", k, did_you_mean(k, allowed)),
        fmt::format("The keys allowed in {} are {} (docs/spec.md)", where, quoted_list(allowed)));
  }
}

void TomlSection::wrong_type(std::string_view k, const toml::node& node, std::string_view expected,
                             std::string_view fix) const {
  loc_.fail(key(k), fmt::format("expected {}, got {}", expected, toml_type_phrase(node)), fix);
}

void TomlSection::missing(std::string_view k, std::string_view fix) const {
  loc_.fail(key(k), fmt::format("missing required key '{}'", k), fix);
}

std::optional<std::string> TomlSection::string(std::string_view k) const {
  const toml::node* node = find(k);
  if (!node) return std::nullopt;
  if (const auto* s = node->as_string()) return s->get();
  wrong_type(k, *node, "a string", fmt::format("Write it in quotes: {} = \"...\"", k));
}

std::string TomlSection::required_string(std::string_view k, std::string_view fix) const {
  auto s = string(k);
  if (!s) missing(k, fix);
  return *s;
}

std::optional<double> TomlSection::number(std::string_view k) const {
  const toml::node* node = find(k);
  if (!node) return std::nullopt;
  if (const auto* i = node->as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node->as_floating_point()) return f->get();
  wrong_type(k, *node, "a number", fmt::format("Write a number without quotes: {} = 1e-5", k));
}

std::optional<std::vector<std::string>> TomlSection::strings(std::string_view k) const {
  const toml::node* node = find(k);
  if (!node) return std::nullopt;
  const auto* array = node->as_array();
  if (!array) wrong_type(k, *node, "an array of strings", fmt::format("Write {} = [\"...\"]", k));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* s = array->get(i)->as_string();
    if (!s)
      loc_.fail(fmt::format("{}[{}]", key(k), i),
                fmt::format("expected a string, got {}", toml_type_phrase(*array->get(i))),
                "Quote every element");
    out.push_back(s->get());
  }
  return out;
}

std::optional<Expr> TomlSection::expr(std::string_view k) const {
  const toml::node* node = find(k);
  if (!node) return std::nullopt;
  return expr_from_node(*node, key(k), loc_);
}

Expr parse_expr_at(std::string_view text, const std::string& key, const SpecLocations& loc) {
  try {
    return Expr::parse(text);
  } catch (const ExprError& e) {
    // The parser's message starts "column N: "; in a spec the column goes last, after the key.
    std::string what = e.what();
    const std::string prefix = fmt::format("column {}: ", e.column());
    if (what.rfind(prefix, 0) == 0) what.erase(0, prefix.size());
    what += fmt::format(" at column {}", e.column());
    loc.fail(key, fmt::format("{} (in \"{}\")", what, text),
             "Fix the expression; docs/expressions.md describes the language");
  } catch (const UserError& e) {
    loc.fail(key, fmt::format("{} (in \"{}\")", e.what(), text),
             "Fix the expression; docs/expressions.md describes the language");
  }
}

Expr expr_from_node(const toml::node& node, const std::string& key, const SpecLocations& loc) {
  if (const auto* s = node.as_string()) return parse_expr_at(s->get(), key, loc);
  if (const auto* i = node.as_integer()) return Expr::constant(Value(i->get()));
  if (const auto* f = node.as_floating_point()) return Expr::constant(Value(f->get()));
  if (const auto* b = node.as_boolean()) return Expr::constant(Value(b->get()));
  loc.fail(
      key,
      fmt::format("expected an expression (a string) or a number, got {}", toml_type_phrase(node)),
      "Write a number, or an expression in quotes such as \"M * K\"");
}

Value value_from_node(const toml::node& node, const std::string& key, const SpecLocations& loc) {
  if (const auto* s = node.as_string()) return Value(s->get());
  if (const auto* i = node.as_integer()) return Value(i->get());
  if (const auto* f = node.as_floating_point()) return Value(f->get());
  if (const auto* b = node.as_boolean()) return Value(b->get());
  loc.fail(
      key,
      fmt::format("expected an integer, float, boolean or string, got {}", toml_type_phrase(node)),
      "Write a single value");
}

}  // namespace tuna::spec_internal
