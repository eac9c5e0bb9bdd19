#pragma once
// Typed, located reads from one table of a spec.toml. Every mistake becomes a UserError
// `<file>:<line>: <key path>: <what>. <fix>` through SpecLocations.
#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/spec_diag.hpp"
#include "tuna/expr.hpp"
#include "tuna/value.hpp"

namespace tuna::spec_internal {

// "a string", "an integer", ...: for "expected X, got Y" messages.
const char* toml_type_phrase(const toml::node& node);
int toml_line(const toml::node& node);

// Records the line of every key under `node` (tables by key, arrays by index) in `loc`.
void record_lines(const toml::node& node, const std::string& path, SpecLocations& loc);

// A key of a table and its node, in the order they appear in the file (toml++ sorts tables).
std::vector<std::pair<std::string, const toml::node*>> entries_in_file_order(
    const toml::table& table);

class TomlSection {
 public:
  TomlSection(const toml::table& table, std::string path, const SpecLocations& loc)
      : table_(table), path_(std::move(path)), loc_(loc) {}

  const std::string& path() const { return path_; }
  const toml::table& table() const { return table_; }
  const SpecLocations& loc() const { return loc_; }
  // `path.key`, the key path of one of this table's keys.
  std::string key(std::string_view k) const;

  // Rejects keys not in `allowed`, suggesting the closest allowed one.
  void allow_only(const std::vector<std::string>& allowed) const;
  const toml::node* find(std::string_view k) const { return table_.get(k); }
  bool has(std::string_view k) const { return find(k) != nullptr; }

  [[noreturn]] void wrong_type(std::string_view k, const toml::node& node,
                               std::string_view expected, std::string_view fix) const;
  [[noreturn]] void missing(std::string_view k, std::string_view fix) const;

  std::optional<std::string> string(std::string_view k) const;
  std::string required_string(std::string_view k, std::string_view fix) const;
  std::optional<double> number(std::string_view k) const;
  std::optional<std::vector<std::string>> strings(std::string_view k) const;
  // Absent: nullopt. Otherwise an expression (string) or a number/boolean constant.
  std::optional<Expr> expr(std::string_view k) const;

 private:
  const toml::table& table_;
  std::string path_;
  const SpecLocations& loc_;
};

// An expression from a string (parsed; errors point at the column) or a number/boolean.
Expr expr_from_node(const toml::node& node, const std::string& key, const SpecLocations& loc);
// A value from an integer, float, boolean or string.
Value value_from_node(const toml::node& node, const std::string& key, const SpecLocations& loc);
// An expression parsed from text; a syntax error becomes "<key>: <what> at column N".
Expr parse_expr_at(std::string_view text, const std::string& key, const SpecLocations& loc);

}  // namespace tuna::spec_internal
