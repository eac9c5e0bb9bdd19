#pragma once
// Error reporting for kernel specs: where each key was written and how to phrase a mistake.
// Every spec error reads `<file>:<line>: <key path>: <what is wrong>. <how to fix it>`, or
// `kernel spec '<name>': <key path>: ...` for a spec built through the C++ API.
//
// Key paths: `kernel.entry`, `params.BM`, `params.BM.default`, `constraints.fits`,
// `args[0].count` (0-based, as in KernelSpec::arguments), `launch.grid[1]`.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace tuna::spec_internal {

// A UserError that already names its file, line and key, so that code wrapping lower-level
// errors with a location can let it through unchanged.
class SpecError : public UserError {
 public:
  using UserError::UserError;
};

class SpecLocations {
 public:
  // `file` empty: a spec built through the API; messages then name the kernel instead.
  SpecLocations(std::string file, std::string kernel_name);
  // Lines known for a spec already built: its parameters, constraints (origin "file:line") and
  // [[args]] tables.
  static SpecLocations for_spec(const KernelSpec& spec);

  void set(std::string key_path, int line);
  // Line of `key_path`, else of its nearest enclosing key, else 1 for a file (a missing
  // table), else 0.
  int line_of(std::string_view key_path) const;
  // `file:line: key_path` (or the API form), the start of every message.
  std::string where(std::string_view key_path) const;
  const std::string& file() const { return file_; }

  // Throws SpecError: `<where>: <what>. <fix>`.
  [[noreturn]] void fail(std::string_view key_path, std::string_view what,
                         std::string_view fix) const;

 private:
  std::string file_;
  std::string kernel_name_;
  std::map<std::string, int, std::less<>> lines_;
};

// The enclosing key of a key path: `args[0].count` -> `args[0]` -> `args` -> "".
std::string parent_key(std::string_view key_path);

// "; did you mean 'entry'?" when a candidate is close to `name` (edit distance), else "".
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);
// "'a', 'b' or 'c'".
std::string quoted_list(const std::vector<std::string>& items);

// The fix for a file the spec names that is missing or not a file: "Check the path", and, for a
// spec read from a file, the folder its relative paths are read from (absolute, so that it
// shows even when the spec was given as a bare file name).
std::string spec_path_fix(const KernelSpec& spec);

// [A-Za-z_][A-Za-z0-9_]*: names that expressions and preprocessor defines can use.
bool is_identifier(std::string_view name);

}  // namespace tuna::spec_internal
